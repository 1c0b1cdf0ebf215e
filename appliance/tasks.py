"""Background work for UI apps: run blocking calls off the UI thread, hand results back to it.

Controllers take a :class:`Tasks` in their constructor. The Kivy apps build one whose ``deliver``
schedules on Kivy's main thread; tests use :class:`InlineTasks`, which runs everything at once,
so controller logic is tested without threads or a window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

Deliver = Callable[[Callable[[], None]], None]


class Tasks:
    """Runs ``work`` on a small thread pool and calls ``done``/``failed`` through ``deliver``."""

    def __init__(self, deliver: Deliver, workers: int = 4) -> None:
        self._deliver = deliver
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ui-work")
        self.stopped = False

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Run ``work()`` in the background; ``done(result)`` or ``failed(error)`` on the UI.

        Once the app has stopped, work is dropped: a result or timer still on its way when the
        app stops may ask for more (a refresh, a heartbeat), and that must not raise.
        """
        if self.stopped:
            log.info("app stopped: background work dropped")
            return

        def job() -> None:
            try:
                result = work()
            except Exception as exc:  # handed to the UI, which shows it
                error = exc  # `exc` is unbound once the except block ends
                self._deliver(lambda: failed(error))
                return
            self._deliver(lambda: done(result))

        self._pool.submit(job)

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the UI thread (from any thread)."""
        self._deliver(fn)

    def shutdown(self) -> None:
        """Stop taking work; running jobs finish."""
        self.stopped = True
        self._pool.shutdown(wait=False, cancel_futures=True)


class InlineTasks(Tasks):
    """Runs work immediately on the calling thread: for controller tests."""

    def __init__(self) -> None:  # no pool
        self._deliver = lambda fn: fn()
        self.stopped = False

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Run ``work`` now and report at once."""
        try:
            result = work()
        except Exception as exc:
            failed(exc)
            return
        done(result)

    def shutdown(self) -> None:
        """Nothing to stop."""


def kivy_tasks(workers: int = 4) -> Tasks:
    """Tasks whose results arrive on Kivy's main thread (import Kivy only when called)."""
    from kivy.clock import Clock

    return Tasks(lambda fn: Clock.schedule_once(lambda _dt: fn(), 0), workers)
