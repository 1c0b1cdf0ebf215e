"""Every text the code shows has its Vietnamese, and every catalog entry is shown by some code.

The msgids come from the code itself through Babel (babel.cfg, motcua/catalogs.py), the same
extraction `make messages` runs, so there is no hand-kept list of texts to forget.
"""

from __future__ import annotations

import pytest

from motcua import catalogs
from motcua.i18n import read_catalog


@pytest.fixture(scope="module")
def wanted() -> dict[str, dict[catalogs.MsgId, list[str]]]:
    return catalogs.expected()


@pytest.mark.parametrize("package", catalogs.PACKAGES)
def test_catalog_matches_the_code(package, wanted):
    report = catalogs.check(package, wanted[package])
    assert report.untranslated == [], f"run `make messages` and translate in {package}/locale"
    assert report.unused == [], f"no code shows these: run `make messages` ({package})"


def test_extraction_finds_every_way_the_code_asks_for_text(wanted):
    """Calls in Python and kv rules, texts marked in tables, and counted (plural) texts."""
    panel, kiosk = wanted["counter_panel"], wanted["kiosk"]
    assert "Call next" in panel  # N_ in the buttons table
    assert "How satisfied are you with our service?" in panel  # app.vi(...) in a kv rule
    assert "Welcome, {name}" in panel  # _say(kind, msgid)
    assert "Take a ticket" in kiosk  # app.tr(...) in a kv rule
    assert ("{n} day ago", "{n} days ago") in kiosk  # ngettext
    assert "Back" in wanted["appliance"]  # shared text, used by the kiosk
    assert "No such ticket" in wanted["hub"]
    assert "Now calling" in wanted["queue_display"]
    assert sum(len(msgids) for msgids in wanted.values()) > 180


def test_make_messages_keeps_every_translation_of_a_consistent_catalog(wanted):
    for package in catalogs.PACKAGES:
        before = catalogs.load(package)
        after = read_catalog(catalogs.updated(package, wanted[package]), package)
        kept = {m.id: m.string for m in after}
        assert all(kept.get(m.id) == m.string for m in before if m.id), package


def test_a_new_text_is_added_untranslated_and_a_dropped_one_removed(wanted):
    changed = dict(wanted["queue_display"])
    changed.pop("Now calling")
    changed["A text just written"] = ["queue_display/x.py:1"]
    text = catalogs.updated("queue_display", changed)
    assert 'msgid "Now calling"' not in text
    assert text.endswith('msgid "A text just written"\nmsgstr ""\n')
