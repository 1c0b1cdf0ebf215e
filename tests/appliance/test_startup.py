"""The start-up state machine against a real hub: it waits for the hub, enrols, never gives up.

The hub is served from the test's process (``inprocess_hub``): the appliance only talks HTTP to
it, and stopping it closes its port as a stopped hub process does.

Work runs inline and retries wait in a list the test fires, so each step is one real request.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.hublink import HubClient
from appliance.startup import REFUSALS, Stage, Startup, format_code
from appliance.tasks import InlineTasks
from hub.testing import SeededHub


class Retries:
    """``later`` for tests: keeps each scheduled retry until the test fires it."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, object]] = []

    def __call__(self, delay: float, fn) -> None:
        self.pending.append((delay, fn))

    def fire(self) -> float:
        """Run the one retry waiting; return the delay it was scheduled with."""
        assert len(self.pending) == 1, self.pending
        delay, fn = self.pending.pop()
        fn()
        return delay


@pytest.fixture
def make_startup(inprocess_hub):
    """Startups on the test's hub; their clients are closed after the test (no stray sockets)."""
    clients: list[HubClient] = []

    def make(token_file: Path, retries: Retries, code: str = "") -> Startup:
        client = HubClient(inprocess_hub.url, timeout=2.0)
        clients.append(client)
        return Startup(
            client, token_file, tasks=InlineTasks(), later=retries, enroll_code=code,
            device_name="Thiết bị thử", backoff=(0.5, 4.0),
        )  # fmt: skip

    yield make
    for client in clients:
        client.close()


def a_wrong_code(hub: SeededHub) -> str:
    return next(c for c in ("1111-1111", "2222-2222") if c not in hub.enroll_codes.values())


def test_without_a_token_it_waits_for_the_hub_then_asks_for_the_code(
    inprocess_hub, make_startup, tmp_path
):
    hub = inprocess_hub
    hub.stop()  # the panel booted first after a power cut
    token_file = tmp_path / "var" / "device-token"
    retries = Retries()
    startup = make_startup(token_file, retries)
    seen: list[Stage] = []
    startup.listen(lambda: seen.append(startup.stage))
    startup.start()
    assert startup.stage is Stage.WAITING_FOR_HUB and startup.hub_url == hub.url
    assert 0 < startup.retry_in() <= 0.5
    assert [retries.fire() for _ in range(4)] == [0.5, 1.0, 2.0, 4.0]  # backoff, then its cap
    assert startup.stage is Stage.WAITING_FOR_HUB and retries.pending[0][0] == 4.0
    hub.start()
    retries.fire()
    assert startup.stage is Stage.NEEDS_ENROLMENT and not retries.pending
    assert startup.error is None and not token_file.exists()

    startup.submit_code(a_wrong_code(hub))
    assert startup.stage is Stage.NEEDS_ENROLMENT
    assert startup.error is not None and startup.error.msgid == REFUSALS["unauthorized"]
    assert not token_file.exists()

    startup.submit_code(format_code(hub.enroll_codes["counter"].replace("-", "")))
    assert startup.ready and startup.error is None
    assert token_file.read_text().strip() == startup.token
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert startup.client.token == startup.token  # the app's client speaks as the device
    status, _ = hub.request(
        "POST", "/api/v1/devices/heartbeat", {"status": {"app": "test"}}, token=startup.token
    )
    assert status in (200, 204)
    assert Stage.ENROLLING in seen and seen[-1] is Stage.READY


def test_a_configured_code_is_sent_as_soon_as_the_hub_answers(
    inprocess_hub, make_startup, tmp_path
):
    hub = inprocess_hub
    hub.stop()
    retries = Retries()
    startup = make_startup(tmp_path / "token", retries, code=hub.enroll_codes["display"])
    startup.start()
    assert startup.stage is Stage.WAITING_FOR_HUB
    hub.start()
    retries.fire()
    assert startup.ready and (tmp_path / "token").read_text().strip() == startup.token


def test_a_used_code_is_refused_and_it_stays_on_the_code_entry(
    inprocess_hub, make_startup, tmp_path
):
    hub = inprocess_hub
    code = hub.enroll_codes["kiosk"]
    first = make_startup(tmp_path / "one", Retries(), code=code)
    first.start()
    assert first.ready
    second = make_startup(tmp_path / "two", Retries(), code=code)
    second.start()
    assert second.stage is Stage.NEEDS_ENROLMENT  # the configured code is not tried again
    assert second.error is not None and second.error.msgid == REFUSALS["unauthorized"]
    second.submit_code("12")
    assert second.error.msgid == REFUSALS["invalid"]
    assert not (tmp_path / "two").exists()


def test_the_hub_going_away_while_enrolling_keeps_the_code_for_when_it_is_back(
    inprocess_hub, make_startup, tmp_path
):
    hub = inprocess_hub
    retries = Retries()
    startup = make_startup(tmp_path / "token", retries)
    startup.start()
    assert startup.stage is Stage.NEEDS_ENROLMENT
    hub.stop()
    startup.submit_code(hub.enroll_codes["counter"])
    assert startup.stage is Stage.WAITING_FOR_HUB and startup.error is None
    assert retries.fire() == 0.5
    hub.start()
    retries.fire()
    assert startup.ready and (tmp_path / "token").exists()


def test_a_stored_token_is_ready_at_once_even_with_the_hub_away(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("d.stored\n")
    client = HubClient("http://127.0.0.1:9", timeout=0.5)
    startup = Startup(client, token_file, tasks=InlineTasks(), later=Retries())
    startup.start()
    assert startup.ready and startup.token == "d.stored" and client.token == "d.stored"
    client.close()


def test_a_token_file_that_cannot_be_written_is_said_before_the_code_is_spent(
    inprocess_hub, make_startup, tmp_path
):
    hub = inprocess_hub
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    startup = make_startup(blocked / "token", Retries(), code=hub.enroll_codes["kiosk"])
    startup.start()
    assert startup.stage is Stage.NEEDS_ENROLMENT
    assert startup.error is not None and str(blocked) in startup.error.values["path"]
    # The code was not sent, so it still enrols once the place is fixed.
    blocked.unlink()
    startup.submit_code(hub.enroll_codes["kiosk"])
    assert startup.ready


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("", ""), ("1234", "1234"), ("123456", "1234-56"), ("1234-5678", "1234-5678")],
)
def test_the_code_is_shown_as_the_hub_prints_it(typed, shown):
    assert format_code(typed) == shown
