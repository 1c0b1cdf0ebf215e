"""Background work for the UI: results come back through ``deliver``; none after the app stops."""

from __future__ import annotations

import queue

from appliance.tasks import Tasks


def test_results_and_errors_come_back_through_deliver_and_stop_drops_new_work():
    delivered: queue.Queue = queue.Queue()
    tasks = Tasks(delivered.put, workers=2)
    seen: list[object] = []
    tasks.run(lambda: 6 * 7, seen.append, seen.append)
    tasks.run(lambda: 1 / 0, seen.append, seen.append)
    for _ in range(2):
        delivered.get(timeout=5)()  # the UI thread runs what was handed to it
    assert 42 in seen
    assert any(isinstance(x, ZeroDivisionError) for x in seen)
    tasks.shutdown()
    # A timer firing after the app stopped asks for more work: dropped, not an exception.
    tasks.run(lambda: seen.append("ran"), seen.append, seen.append)
    assert delivered.empty() and "ran" not in seen
