"""The SMS service inside a hub app (real lookup, queue and SQLite) with the pty modem."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub import core
from hub.dossiers.cache import DossierCache
from hub.sms.fake_modem import FakeModem
from hub.sms.service import SmsService
from hub.upstream.mapping import Mapping
from tests.hub.conftest import Office, make_office

CODE = "H21.22-261019-0004"
A, B = "+84912345678", "+84987654321"


def wait_for(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Rig:
    """A hub app with SMS on, the fake modem, and the running service."""

    def __init__(self, office: Office, fake: FakeModem) -> None:
        self.office = office
        self.fake = fake
        self.service: SmsService = office.app.extensions["motcua.sms"]
        self.conn = office.app.extensions["motcua.store"].conn()

    def replies(self, number: str, count: int = 1, timeout: float = 15.0) -> list[str]:
        return wait_for(lambda: (r := self.fake.replies_to(number)) and len(r) >= count and r,
                        timeout, f"{count} replies to {number}")  # fmt: skip

    def rows(self, sql: str, *args: Any) -> list[Any]:
        return [tuple(r) for r in self.conn.execute(sql, args)]


@pytest.fixture
def rig_for(tmp_path: Path, seeded_db: tuple[Path, dict[str, Any]]) -> Iterator[Callable[..., Rig]]:
    made: list[tuple[Office, FakeModem]] = []

    def make(plug: bool = True, **sms: Any) -> Rig:
        settings = {"enabled": True, "ports": [str(tmp_path / "dev" / "ttyUSB*")],
                    "send_interval_s": 0.05, "poll_s": 5.0, "command_timeout_s": 1.0,
                    "retry_after_s": 0.2, **sms}  # fmt: skip
        office = make_office(tmp_path, seeded_db, sms=settings)
        fake = FakeModem(tmp_path / "dev" / "ttyUSB0")
        if plug:
            fake.plug()
        made.append((office, fake))
        portal = {"MaHoSo": CODE, "MaTTHC": "1.001612", "TenTTHC": "Cấp giấy phép xây dựng",
                  "TrangThaiHoSo": 4, "NgayTiepNhan": "20191026083000",
                  "NgayHenTra": "20191028170000", "ChuHoSo": "Nguyễn Văn An"}  # fmt: skip
        DossierCache(office.app.extensions["motcua.store"]).put_many(
            [Mapping().clean_dossier(portal)], source="sync"
        )
        rig = Rig(office, fake)
        rig.service.start()
        return rig

    yield make
    for office, fake in made:
        core.shutdown(office.app)
        fake.unplug()


def test_dossier_ticket_and_help_answered_through_the_modem(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for()
    ticket = rig.office.issue("A")
    rig.fake.deliver(A, f"hs {CODE.lower()}")
    rig.fake.deliver(B, f"STT {ticket['number']}")
    rig.fake.deliver("+84900000001", "alo")
    (dossier,) = rig.replies(A)
    assert dossier.startswith(f"Hồ sơ {CODE}: Đang xử lý. Hẹn trả 28/10/2019 (Quá hạn).")
    assert "Nguyễn" not in dossier
    assert rig.replies(B) == [f"Số {ticket['number']}: bạn là người tiếp theo."]
    assert rig.replies("+84900000001")[0].startswith("Tra cứu hồ sơ: nhắn HS <mã hồ sơ>")
    assert rig.fake.memory == {}  # every message deleted from the SIM once recorded
    # The modem took the last part a moment before the hub recorded it as sent.
    health = wait_for(lambda: (h := rig.service.health())["sent"] == 3 and h, 5, "3 sent")
    assert health["state"] == "ready" and health["received"] == 3 and health["queued"] == 0


def test_every_message_is_recorded_with_the_number_hashed_and_erased_once_sent(
    rig_for: Callable[..., Rig],
) -> None:
    rig = rig_for()
    rig.fake.deliver("0912345678", "HD")  # the network may show a national number …
    rig.replies(A)  # (the reply goes to the international form)
    rig.fake.deliver(A, "HD")  # … or the international one: the same person
    rig.replies(A, 2)
    wait_for(lambda: not rig.rows("SELECT 1 FROM sms_messages WHERE phone IS NOT NULL"), 5,
             "numbers erased")  # fmt: skip
    rows = rig.rows("SELECT direction, phone_hash, phone, state FROM sms_messages ORDER BY id")
    assert [(r[0], r[3]) for r in rows] == [("in", "answered"), ("out", "sent")] * 2
    assert len({r[1] for r in rows}) == 1  # one hash for both spellings
    assert all(r[2] is None for r in rows)  # no number left in the file
    dump = "\n".join(rig.office.app.extensions["motcua.store"].conn().iterdump())
    assert "912345678" not in dump


def test_per_number_limits_one_notice_then_silence_and_others_still_answered(
    rig_for: Callable[..., Rig],
) -> None:
    rig = rig_for(per_number_hour=3, per_number_day=10)
    for text in ("HD", "hd", "Hd", "HELP", "help"):
        rig.fake.deliver(A, text)
    rig.fake.deliver(B, "HD")
    replies = rig.replies(A, 4)
    rig.replies(B)
    time.sleep(0.3)  # nothing more may come for A
    replies = rig.fake.replies_to(A)
    assert len(replies) == 4
    assert replies[3] == "Bạn đã nhắn quá số lần cho phép. Vui lòng thử lại sau."
    states = rig.rows("SELECT kind, state FROM sms_messages WHERE direction = 'in' ORDER BY id")
    assert states[:5] == [("help", "answered")] * 3 + [("limit", "answered"), ("limit", "limited")]


@pytest.mark.slow  # over 2 s: left out of make test-fast
def test_global_send_interval_spaces_every_sms(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for(send_interval_s=0.3)
    for i in range(4):
        rig.fake.deliver(f"+8491234560{i}", "HD")  # help is two UCS-2 parts: 8 SMS
    wait_for(lambda: len(rig.fake.sent) >= 8, 20, "8 parts sent")
    times = [s.at for s in rig.fake.sent]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.3 - 0.02, gaps


def test_unaccented_option_sends_one_gsm_message(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for(unaccented=True)
    rig.fake.deliver(A, f"TRACUU {CODE}")
    (reply,) = rig.replies(A)
    assert reply.startswith(f"Ho so {CODE}: Dang xu ly. Hen tra 28/10/2019 (Qua han).")
    assert [s.info.alphabet for s in rig.fake.sent] == ["gsm7"]


def test_long_incoming_message_is_assembled_from_its_parts(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for()
    rig.fake.deliver(A, f"HS {CODE}" + " " * 170)  # two parts on the air
    (reply,) = rig.replies(A)
    assert reply.startswith(f"Hồ sơ {CODE}")
    assert rig.rows("SELECT count(*) FROM sms_parts") == [(0,)]


def test_temporary_send_errors_are_retried_and_refusals_given_up(
    rig_for: Callable[..., Rig],
) -> None:
    rig = rig_for(unaccented=True)
    rig.fake.faults.cms_next = [500, 42]  # busy, congestion: later works
    rig.fake.deliver(A, "HD")
    assert len(rig.replies(A)) == 1
    rig.fake.faults.cms_next = [304]  # the modem says this PDU is wrong: never again
    rig.fake.deliver(B, "HD")
    wait_for(lambda: rig.rows("SELECT state FROM sms_messages WHERE state = 'failed'"), 10,
             "the refused reply given up")  # fmt: skip
    time.sleep(0.5)
    assert rig.fake.replies_to(B) == []
    (attempts,) = rig.rows("SELECT attempts FROM sms_messages WHERE state = 'sent'")
    assert attempts == (2,)


def test_modem_away_at_start_answers_queue_and_go_when_it_comes(
    tmp_path: Path, rig_for: Callable[..., Rig]
) -> None:
    rig = rig_for(plug=False)
    wait_for(lambda: rig.service.health()["state"] == "absent", 5, "absent")
    assert rig.office.client.get("/healthz").get_json()["sms"]["state"] == "absent"
    status, _ = rig.office.req("GET", "/services")  # the rest of the hub is unaffected
    assert status == 200
    rig.fake.plug(tmp_path / "dev" / "ttyUSB1")
    rig.fake.deliver(A, "HD")
    assert rig.replies(A, timeout=40)
    assert rig.office.client.get("/healthz").get_json()["sms"]["state"] == "ready"


@pytest.mark.slow  # over 2 s: left out of make test-fast
def test_silent_modem_is_reset_and_unplugged_one_found_again(
    tmp_path: Path, rig_for: Callable[..., Rig]
) -> None:
    rig = rig_for()
    wait_for(lambda: rig.service.health()["state"] == "ready", 5, "ready")
    rig.fake.stick_in_prompt()
    rig.fake.deliver(A, "HD")  # its +CMTI is heard, but every command is swallowed
    assert rig.replies(A, timeout=20)
    assert rig.service.health()["resets"] >= 1
    rig.fake.unplug()
    wait_for(lambda: rig.service.health()["state"] in ("absent", "unresponsive"), 10, "gone")
    rig.fake.plug(tmp_path / "dev" / "ttyUSB7")
    rig.fake.deliver(B, "HD")
    assert rig.replies(B, timeout=40)
    assert rig.service.health()["port"] == str(tmp_path / "dev" / "ttyUSB7")


def test_a_message_read_again_after_a_crash_counts_once_and_a_new_identical_one_counts(
    tmp_path: Path,
) -> None:
    from hub import db
    from hub.sms.outbox import SmsStore

    store = db.Store(tmp_path / "hub.sqlite3")
    db.migrate(store.conn())
    outbox = SmsStore(store)
    stamp = "2026-12-02T09:00:00+07:00"
    key = outbox.receive(A, "HD", stamp, 1)
    outbox.receive(A, "HD", stamp, 1)  # crashed before AT+CMGD: the modem lists it again
    assert len(outbox.pending()) == 1
    outbox.release(key)  # deleted from the SIM
    outbox.receive(A, "HD", stamp, 1)  # the citizen sent it again within the second
    assert len(outbox.pending()) == 2
    # A long message: its parts read again after it was assembled do not start it over.
    first = outbox.receive_part(B, 7, 2, 1, "HS H21.22-")
    second = outbox.receive_part(B, 7, 2, 2, "261019-0004")
    assert [p.body for p in outbox.pending()][-1] == "HS H21.22-261019-0004"
    outbox.receive_part(B, 7, 2, 1, "HS H21.22-")  # read again: crash before AT+CMGD
    outbox.release_part(first)
    outbox.release_part(second)
    outbox.flush_parts(-1)  # even "too old" partials: there are none
    assert len(outbox.pending()) == 3
    assert store.conn().execute("SELECT count(*) FROM sms_parts").fetchone()[0] == 0
    store.close()


def test_a_failing_answer_still_gets_a_reply_and_the_service_goes_on(
    rig_for: Callable[..., Rig], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rig = rig_for()
    answer = rig.service.answer

    def broken(request: Any) -> tuple[str, str]:
        if request.value == CODE:
            raise RuntimeError("a bug in the lookup")
        return answer(request)

    monkeypatch.setattr(rig.service, "answer", broken)
    rig.fake.deliver(A, f"HS {CODE}")
    assert rig.replies(A) == [f"Chưa tra cứu được hồ sơ {CODE} lúc này. Vui lòng nhắn lại sau."]
    rig.fake.deliver(B, "HD")
    assert rig.replies(B)[0].startswith("Tra cứu hồ sơ")
    assert "answering message 1 failed" in caplog.text


@pytest.mark.slow  # over 2 s: left out of make test-fast
def test_network_lost_replies_wait_and_go_when_it_is_back(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for(poll_s=0.3)
    wait_for(lambda: rig.service.health()["state"] == "ready", 5, "ready")
    rig.fake.faults.no_network = True
    rig.fake.deliver(A, "HD")
    wait_for(lambda: rig.service.health()["state"] == "no_network", 10, "no network seen")
    assert rig.fake.replies_to(A) == []
    wait_for(lambda: rig.service.health()["queued"] == 1, 5, "the reply waiting")
    rig.fake.faults.no_network = False
    assert rig.replies(A, timeout=20)
    assert rig.service.health()["state"] == "ready"


def test_sms_sim_control_socket_delivers_and_prints_the_reply(
    tmp_path: Path, rig_for: Callable[..., Rig], capsys: pytest.CaptureFixture[str]
) -> None:
    from hub.sms import sim

    rig = rig_for(unaccented=True)
    control = tmp_path / "sim.sock"
    server = sim.serve_control(rig.fake, control)
    try:
        assert sim.main(["--control", str(control), "send", "0912345678", f"HS {CODE}"]) == 0
        assert capsys.readouterr().out.startswith(f"Ho so {CODE}: Dang xu ly.")
        assert sim.main(["--control", str(control), "fault", "no_network", "on"]) == 0
        assert rig.fake.faults.no_network
        assert sim.main(["--control", str(tmp_path / "none.sock"), "send", "1", "x"]) == 1
        assert "is the demo running?" in capsys.readouterr().err
    finally:
        server.shutdown()
        server.server_close()


def test_operator_notices_and_short_codes_get_no_reply(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for()
    rig.fake.deliver("VIETTEL", "KM: tang 50% the nap")  # an alphanumeric sender
    rig.fake.deliver("9029", "HD")  # a (possibly premium) short code: replying costs money
    rig.fake.deliver(A, "HD")
    rig.replies(A)
    wait_for(lambda: len(rig.rows("SELECT 1 FROM sms_messages WHERE direction = 'in'"
                                  " AND state != 'new'")) == 3, 5, "all handled")  # fmt: skip
    assert {s.info.number for s in rig.fake.sent} == {A}
    assert rig.rows("SELECT kind FROM sms_messages WHERE kind = 'no_reply'") == [("no_reply",)] * 2


@pytest.mark.slow  # over 2 s: left out of make test-fast
def test_optional_notice_when_three_are_ahead_sent_once(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for(notify_ahead=3)
    tickets = [rig.office.issue("A") for _ in range(6)]  # the last has 5 ahead of it
    token = tickets[-1]["token"]
    assert rig.office.req("POST", f"/tickets/{token}/sms", {"phone": "12"})[0] == 400
    assert rig.office.req("POST", "/tickets/nope/sms", {"phone": "0912345678"})[0] == 404
    status, body = rig.office.req("POST", f"/tickets/{token}/sms", {"phone": "0912345678"})
    assert status == 201 and body == {"ticket": tickets[-1]["number"], "notify_ahead": 3}
    assert rig.office.req("POST", f"/tickets/{token}/sms", {"phone": "0987654321"})[0] == 409
    time.sleep(1.5)
    assert rig.fake.replies_to(A) == []  # five ahead: not yet
    for _ in range(2):
        assert rig.office.act(2, "call-next")[0] == 200
    (notice,) = rig.replies(A)
    assert notice == (
        f"Số {tickets[-1]['number']}: còn 3 người trước bạn, chờ khoảng 15 phút. "
        "Vui lòng quay lại khu vực chờ."
    )
    assert rig.office.act(2, "call-next")[0] == 200
    time.sleep(1.5)
    assert len(rig.fake.replies_to(A)) == 1  # once
    assert rig.rows("SELECT count(*) FROM sms_watches") == [(0,)]
    paths = rig.office.req("GET", "/openapi.json")[1]["paths"]
    assert "post" in paths["/api/v1/tickets/{token}/sms"]


def test_notice_route_is_absent_when_off(rig_for: Callable[..., Rig]) -> None:
    rig = rig_for()
    token = rig.office.issue("A")["token"]
    assert rig.office.req("POST", f"/tickets/{token}/sms", {"phone": "0912345678"})[0] == 404


def test_fit_cuts_a_long_reply_to_max_parts(rig_for: Callable[..., Rig]) -> None:
    service = rig_for(plug=False, max_parts=2).service
    text, alphabet, parts = service.fit("Hồ sơ " * 100)
    assert (alphabet, parts) == ("ucs2", 2) and text.endswith("...")
    text, alphabet, parts = service.fit("[x] " * 100)  # escapes: two septets each
    assert (alphabet, parts) == ("gsm7", 2) and text.endswith("...")
    assert service.fit("HD") == ("HD", "gsm7", 1)
