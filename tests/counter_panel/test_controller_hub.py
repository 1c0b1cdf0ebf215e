"""The panel's controller against a real hub process: no window, stream callbacks pumped by hand."""

from __future__ import annotations

import sqlite3

from panel_support import (
    HeldTasks,
    LossyRelay,
    PumpedTasks,
    clerk_of,
    controller_for,
    counter_view,
    issue,
)

COUNTER = 2  # serves service A only in the demo office


def logged_in(hub, tasks, counter=COUNTER, **kwargs):
    controller = controller_for(hub, counter, tasks, **kwargs)
    controller.start()
    tasks.until(
        lambda: controller.online and controller.queue.live.stream_online, what="the stream"
    )
    clerk = clerk_of(hub, counter)
    assert controller.login(clerk["username"], clerk["password"])
    tasks.until(lambda: controller.session is not None and controller.busy is None, what="login")
    tasks.until(lambda: controller.view.counter_state == "open", what="counter open")
    return controller


def test_login_refuses_a_wrong_password_then_opens_the_counter(hub_process):
    tasks = PumpedTasks()
    controller = controller_for(hub_process, COUNTER, tasks)
    controller.start()
    try:
        tasks.until(lambda: controller.online, what="first state")
        assert controller.view.counter_state == "closed"
        assert controller.login("minh", "wrong-password")
        assert controller.session is None
        assert controller.notice.msgid == "Wrong username or password."
        assert not controller.can("call_next")
        assert controller.refusal("call_next") == "Log in first."
        assert not controller.login("  ", "x")  # refused before the hub is asked
        assert controller.notice.msgid == "Enter a username and a password."
        assert controller.login("minh", "demo-clerk")
        assert controller.session.display_name == "Trần Văn Minh"
        tasks.until(lambda: controller.view.counter_state == "open", what="open")
        assert counter_view(hub_process, COUNTER)["clerk"] == "Trần Văn Minh"
        controller.logout()
        assert controller.session is None
        assert counter_view(hub_process, COUNTER)["state"] == "closed"
    finally:
        controller.stop()


def test_call_recall_start_finish_rate_and_the_hub_agrees(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        assert not controller.can("call_next")  # nobody waiting yet
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two waiting from events")
        wait = controller.view.oldest_wait("A", controller.hub_now())
        assert wait is not None and wait.exact  # both were seen on the stream
        assert controller.act("call_next")
        assert controller.view.current.number == first["number"]
        assert controller.notice.msgid == "Called {number}"
        assert controller.can("recall") and controller.can("no_show") and controller.can("start")
        assert not controller.can("call_next")  # a second tap must not call another
        assert controller.act("recall")
        assert counter_view(hub_process, COUNTER)["current"]["recalls"] == 1
        assert controller.act("start")
        assert controller.view.current.state == "serving"
        assert not controller.can("no_show")
        assert controller.act("finish")
        assert controller.view.current is None
        assert controller.rating_ticket.id == first["id"]
        assert controller.rate(1)
        assert controller.rating_ticket is None and controller.rated_at is not None
        with sqlite3.connect(hub_process.db_path) as db:
            row = db.execute(
                "SELECT level, counter, clerk FROM ratings WHERE ticket_id = ?", (first["id"],)
            ).fetchone()
        assert row == (1, COUNTER, "minh")
        tasks.until(lambda: controller.view.waiting_total() == 1, what="one left")
        assert controller.act("call_next")
        assert controller.view.current.number == second["number"]
    finally:
        controller.stop()


def test_call_a_number_transfer_to_a_service_and_to_a_counter_no_show(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        tickets = [issue(hub_process, "A") for _ in range(3)]
        assert not controller.act("call_number", number="A-1")  # refused here, not sent
        assert controller.notice.msgid.startswith("Not a ticket number")
        assert controller.act("call_number", number=tickets[2]["number"].lower())
        assert controller.view.current.number == tickets[2]["number"]
        assert controller.act("transfer", service="B")
        assert controller.view.current is None
        assert controller.notice.values["target"] == "B"
        _status, moved = hub_process.request("GET", f"/api/v1/tickets/{tickets[2]['token']}")
        assert (moved["state"], moved["service"]) == ("waiting", "B")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two left in A")
        assert controller.act("call_next")
        assert controller.view.current.number == tickets[0]["number"]
        assert controller.act("transfer", counter=4)
        _status, moved = hub_process.request("GET", f"/api/v1/tickets/{tickets[0]['token']}")
        assert (moved["state"], moved["counter"]) == ("waiting", 4)
        # A's line counts the ticket sent to counter 4 too (the hub's Service view does).
        tasks.until(lambda: controller.view.waiting_total() == 2, what="A's line from events")
        assert controller.act("call_next")
        assert controller.act("no_show")
        controller.tick(controller.clock() + 60)  # sent once the time to undo it is up
        _status, gone = hub_process.request("GET", f"/api/v1/tickets/{tickets[1]['token']}")
        assert gone["state"] == "no_show"
        assert controller.act("call_number", number="Z999")  # sent: only the hub knows
        assert controller.notice.msgid == "No such ticket or counter today."
    finally:
        controller.stop()


def test_pause_refuses_calls_until_resumed(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 1, what="a ticket")
        assert controller.act("pause")
        assert controller.view.counter_state == "paused"
        assert counter_view(hub_process, COUNTER)["state"] == "paused"
        assert controller.refusal("call_next") == "The counter is paused: resume it first."
        assert not controller.act("call_next")
        assert controller.act("pause")  # the same button resumes
        assert controller.view.counter_state == "open"
        assert controller.act("call_next")
    finally:
        controller.stop()


def test_a_second_press_while_the_first_is_in_flight_is_refused(hub_process):
    tasks = HeldTasks()
    controller = logged_in(hub_process, tasks)
    try:
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two waiting")
        tasks.hold()
        assert controller.act("call_next")
        assert controller.busy == "call_next"
        assert not controller.act("call_next")  # the double tap
        assert not controller.can("call_next") and not controller.can("recall")
        assert tasks.release() == 1  # one request went out
        assert controller.view.current.number == first["number"]
        _status, body = hub_process.request("GET", f"/api/v1/tickets/{second['token']}")
        assert body["state"] == "waiting"
    finally:
        controller.stop()


def test_a_lost_answer_is_retried_with_the_same_key_and_done_once(hub_process):
    relay = LossyRelay(hub_process.port)
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks, base_url=relay.url)
    try:
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two waiting")
        relay.lose_answers = True
        assert controller.act("call_next")
        # The hub called the first ticket, but the panel never heard back.
        assert counter_view(hub_process, COUNTER)["current"]["number"] == first["number"]
        assert controller.notice.msgid.startswith("No answer from the hub")
        assert not controller.online
        assert controller.refusal("call_next") == "Offline: cannot reach the hub"
        relay.lose_answers = False
        controller.refresh()
        assert controller.online
        # The panel shows the truth: the first ticket is at the counter.
        assert controller.view.current.number == first["number"]
        # Call-next is not possible now (a called ticket), so the retry key stays unused; the
        # hub's idempotency still guarantees the earlier press cannot be done twice.
        key = next(iter(controller.sender.retry_keys.pending().values()))
        status, again = hub_process.request(
            "POST",
            f"/api/v1/counters/{COUNTER}/call-next",
            {},
            token=controller.session.token,
            headers={"Idempotency-Key": key},
        )
        assert status == 200 and again["ticket"]["number"] == first["number"]
        status, body = hub_process.request("GET", f"/api/v1/tickets/{second['token']}")
        assert body["state"] == "waiting"
        # A recall whose answer is lost, pressed again: the panel resends the same key, so the
        # citizen's number is announced once more, not twice.
        relay.lose_answers = True
        assert controller.act("recall")
        assert controller.notice.msgid.startswith("No answer from the hub")
        relay.lose_answers = False
        controller.refresh()
        assert controller.act("recall")
        assert controller.notice.msgid == "Called {number} again"
        assert counter_view(hub_process, COUNTER)["current"]["recalls"] == 1
        assert controller.act("recall")  # answered, so this is a new press: a new recall
        assert counter_view(hub_process, COUNTER)["current"]["recalls"] == 2
    finally:
        controller.stop()
        relay.close()


def test_offline_actions_are_refused_with_a_reason_and_the_panel_recovers(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        first = issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 1, what="a ticket")
        hub_process.kill()
        tasks.until(lambda: not controller.online, what="offline")
        assert controller.refusal("call_next") == "Offline: cannot reach the hub"
        assert not controller.act("call_next")
        assert controller.notice.kind == "error"
        hub_process.start()
        # Meanwhile another device acts: the panel must show that, not what it last knew.
        issue(hub_process, "A")
        tasks.until(lambda: controller.online, timeout=15, what="back online")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="the true count")
        assert controller.act("call_next")
        assert controller.view.current.number == first["number"]
    finally:
        controller.stop()


def test_a_session_ended_elsewhere_sends_the_panel_back_to_login(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 1, what="a ticket")
        hub_process.clerk_token(COUNTER)  # the same clerk logs in again from the device
        assert controller.act("call_next")
        assert controller.session is None
        assert controller.notice.msgid == "Your session has ended: please log in again."
    finally:
        controller.stop()


def test_lock_after_idle_and_unlock_with_the_pin_even_offline(hub_process):
    now = [1000.0]
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks, clock=lambda: now[0])
    controller.clerk.idle_timeout_s = 60
    try:
        controller.touch()
        now[0] += 59
        controller.check_idle()
        assert not controller.locked
        now[0] += 2
        controller.check_idle()
        assert controller.locked
        assert controller.refusal("call_next") == "The panel is locked."
        hub_process.kill()
        assert not controller.unlock("nope")
        assert controller.notice.msgid == "Wrong PIN or password."
        assert controller.unlock("demo-clerk")
        assert not controller.locked and controller.session is not None
    finally:
        controller.stop()


def test_too_many_wrong_pins_log_the_clerk_out(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        controller.lock()
        for _ in range(5):
            controller.unlock("0000")
        assert controller.session is None
        assert controller.notice.msgid == "Too many wrong PINs: logged out."
        assert counter_view(hub_process, COUNTER)["state"] == "closed"
    finally:
        controller.stop()


def test_events_older_than_an_answer_never_roll_the_counter_back(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two waiting")
        assert controller.act("call_next")
        assert controller.act("start")
        tasks.pump()
        # Call-next while serving: the hub finishes the first ticket, then calls the second, and
        # says so in two events. The answer (second ticket called) is shown at once; the older
        # "finished" event, delivered afterwards, must not blank the counter even for a moment.
        assert controller.act("call_next")
        assert controller.view.current.number == second["number"]
        seen = []
        for _ in range(2):
            tasks.pump_one()
            seen.append(controller.view.current.number if controller.view.current else None)
        assert seen == [second["number"], second["number"]]
        _status, done = hub_process.request("GET", f"/api/v1/tickets/{first['token']}")
        assert done["state"] == "done"
    finally:
        controller.stop()


def test_times_read_right_on_a_panel_whose_clock_is_two_hours_off(hub_process):
    import time

    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks, clock=lambda: time.time() + 7200)
    try:
        first = issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 1, what="a ticket")
        wait = controller.view.oldest_wait("A", controller.hub_now())
        assert wait.exact and wait.seconds < 5  # not "2 hours"
        assert controller.act("call_next")
        assert controller.view.current.number == first["number"]
        tasks.until(lambda: controller.view.waiting_total() == 0, what="the call's event")
        assert 0 <= controller.elapsed_s() < 5
    finally:
        controller.stop()


def test_another_clerk_logging_in_here_ends_this_session_at_once(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        hub_process.clerk_token(COUNTER, username="lan")  # from this counter's device
        tasks.until(lambda: controller.session is None, what="the session ended on the panel")
        assert controller.notice.msgid == "Your session has ended: please log in again."
        assert controller.view.counter.clerk == "Nguyễn Thị Lan"
    finally:
        controller.stop()


def test_a_ticket_issued_while_the_state_reloads_keeps_the_oldest_wait_exact(hub_process):
    tasks = HeldTasks()
    controller = controller_for(hub_process, COUNTER, tasks)
    controller.start()
    try:
        # The stream follows the hub from when it connects: it must be connected before the
        # ticket is issued, or the ticket's event is not its to deliver.
        tasks.until(
            lambda: controller.online and controller.queue.live.stream_online, what="the stream"
        )
        tasks.hold()
        controller.refresh()  # a reload is on its way (held) when the ticket comes
        ticket = issue(hub_process, "A")
        tasks.until(lambda: len(controller.queue.live._held or []) >= 1, what="the event, held")
        assert controller.view.services["A"].waiting == 0  # nothing applied before the state
        tasks.release()
        assert controller.view.services["A"].waiting == 1
        wait = controller.view.oldest_wait("A", controller.hub_now())
        assert wait.exact and wait.seconds < 5
        assert controller.queue.live._held is None
        assert ticket["state"] == "waiting"
    finally:
        controller.stop()
