"""The alert event: kiosk printers and devices in trouble reach the appliances (issue #11/#14).

The hub publishes ``alert.changed`` with the list of active alerts when that list changes, and
``GET /api/v1/state`` carries the same list, so a counter panel started late sees it too.
"""

from __future__ import annotations

from typing import Any

from tests.hub.conftest import Office

KIOSK = "Kiosk sảnh (demo)"


def heartbeat(office: Office, paper: str) -> None:
    printer = {"kind": "FakePrinter", "online": True, "paper": paper, "detail": ""}
    status = {"app": "kiosk", "version": "1.0", "printer": printer}
    assert office.req("POST", "/devices/heartbeat", {"status": status}, office.kiosk)[0] == 204


def alert_events(office: Office, after: int = 0) -> list[dict[str, Any]]:
    return [e for e in office.events(after) if e["type"] == "alert.changed"]


def test_a_printer_out_of_paper_is_published_once_and_in_the_snapshot(office: Office) -> None:
    status, state = office.req("GET", "/state")
    assert status == 200 and state["alerts"] == []
    assert alert_events(office) == []  # nothing to say: nothing published
    heartbeat(office, "out")
    heartbeat(office, "out")  # the same trouble again: no second event
    events = alert_events(office)
    assert len(events) == 1
    expected = {
        "code": "printer_paper_out",
        "level": "danger",
        "device": KIOSK,
        "text_vi": f"Máy in ở {KIOSK} hết giấy",
        "text_en": f"Printer at {KIOSK} is out of paper",
    }
    assert events[0]["alerts"] == [expected]
    status, state = office.req("GET", "/state")  # a panel that starts now sees it too
    assert state["alerts"] == [expected]
    assert state["last_event_id"] >= events[0]["id"]
    heartbeat(office, "low")  # a change of level is a change
    heartbeat(office, "ok")  # and paper put in clears it
    later = alert_events(office, events[0]["id"])
    assert [[a["code"] for a in e["alerts"]] for e in later] == [["printer_paper_low"], []]
    assert office.req("GET", "/state")[1]["alerts"] == []


def test_a_silent_kiosk_is_published_once_not_every_minute(office: Office) -> None:
    heartbeat(office, "ok")
    watch = office.app.extensions["motcua.alert_watch"]
    office.advance(6 * 60)
    watch.check()
    office.advance(60)
    watch.check()  # "not seen for 7 min" on the console; the same alert for the panels
    events = alert_events(office)
    assert [e["alerts"] for e in events] == [
        [{"code": "device_silent", "level": "warning", "device": KIOSK,
          "text_vi": f"{KIOSK} mất liên lạc", "text_en": f"{KIOSK} is not answering"}]
    ]  # fmt: skip


def test_the_alert_topic_can_be_followed_alone(office: Office) -> None:
    after = office.req("GET", "/state")[1]["last_event_id"]
    office.issue("A")  # a ticket event the filter leaves out
    heartbeat(office, "out")
    response = office.client.get(f"/api/v1/events?topics=alert&after={after}", buffered=False)
    try:
        assert response.status_code == 200
        chunks = iter(response.response)
        assert next(chunks).startswith(b"retry:")
        first = next(chunks).decode()
        assert first.startswith("id: ") and "event: alert.changed\n" in first
        assert "ticket." not in first and "hết giấy" in first
    finally:
        response.close()


def test_the_event_texts_stay_true_and_leave_the_back_ends_error_out() -> None:
    from hub.web.alerts import Alert, alert_view, upstream_alerts
    from motcua.i18n import Translator

    failing = {"failures": 3, "last_error": "GET /hoso/000.00.12.H21-251201-0001: timed out"}
    (alert,) = upstream_alerts(failing, 300, 1000.0)
    view = alert_view(alert, Translator(["hub"]))
    assert view == {"code": "upstream_unreachable", "level": "danger", "device": None,
                    "text_vi": "Không kết nối được hệ thống một cửa điện tử",
                    "text_en": "The back end cannot be reached"}  # fmt: skip
    disk = alert_view(Alert("danger", "The hub's disk is nearly full ({pct}% free)", {"pct": 7}),
                      Translator(["hub"]))  # fmt: skip
    assert disk["text_vi"] == "Ổ đĩa của máy chủ sắp đầy" and disk["code"] == "disk_full"
