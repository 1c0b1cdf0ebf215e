"""The active alerts in the shared live model: from the snapshot, replaced by ``alert.changed``."""

from __future__ import annotations

import pytest

from appliance.live import Office
from appliance.records import Event, RecordError, Snapshot

PAPER_OUT = {"code": "printer_paper_out", "level": "danger", "device": "Kiosk sảnh A",
             "text_vi": "Máy in ở Kiosk sảnh A hết giấy",
             "text_en": "Printer at Kiosk sảnh A is out of paper"}  # fmt: skip


def test_alerts_come_with_the_snapshot_and_each_alert_event_replaces_them():
    office = Office()
    office.load(Snapshot.from_wire({"day": "2026-12-02", "last_event_id": 10,
                                    "alerts": [PAPER_OUT]}))  # fmt: skip
    assert [a.text_vi for a in office.alerts] == ["Máy in ở Kiosk sảnh A hết giấy"]
    assert office.alerts[0].level == "danger" and office.alerts[0].device == "Kiosk sảnh A"
    # Another event leaves them alone; an alert.changed with an empty list clears them.
    office.apply(Event.from_wire(11, "notice.updated", {"notice": {"text_vi": "x"}}))
    assert len(office.alerts) == 1
    office.apply(Event.from_wire(12, "alert.changed", {"alerts": []}))
    assert office.alerts == ()
    office.apply(Event.from_wire(13, "alert.changed", {"alerts": [PAPER_OUT]}))
    assert office.alerts[0].code == "printer_paper_out"


def test_an_older_hub_without_alerts_and_a_malformed_alert():
    assert Snapshot.from_wire({"day": "2026-12-02"}).alerts == ()
    with pytest.raises(RecordError, match=r"alert\.code"):
        Event.from_wire(5, "alert.changed", {"alerts": [{"level": "danger"}]})
