"""gettext catalogs: Vietnamese first, English beside it, NFC text, clear errors for a bad file."""

from __future__ import annotations

import unicodedata

import pytest

from motcua.i18n import N_, CatalogError, Translator, parse_po


def test_vietnamese_is_the_default_and_english_is_beside_it():
    t = Translator(["appliance"])
    assert t("Back") == "Quay lại"
    assert t.both("{minutes} min", minutes=7) == ("7 phút", "7 min")
    t.set_language("en")
    assert t("Back") == "Back"
    with pytest.raises(ValueError, match="language"):
        t.set_language("fr")


def test_untranslated_text_falls_back_to_the_english_source():
    text = "A sentence nobody translated"
    assert Translator(["appliance"])(text) == text


def test_parse_po_multiline_fuzzy_and_nfc():
    decomposed = unicodedata.normalize("NFD", "Quầy")
    text = (
        '#, fuzzy\nmsgid "Old"\nmsgstr "Cũ"\n\n'
        'msgid "Counter"\nmsgstr ""\n"' + decomposed + '"\n\n'
        'msgid "Empty"\nmsgstr ""\n'
    )
    catalog = parse_po(text)
    assert catalog == {"Counter": "Quầy"}  # fuzzy and empty translations are not used
    assert unicodedata.is_normalized("NFC", catalog["Counter"])


def test_a_broken_catalog_names_file_and_line():
    with pytest.raises(CatalogError, match=r"x\.po:2"):
        parse_po('msgid "a"\nmsgstr a\n', "x.po")


def test_shared_catalog_is_complete_for_the_shared_strings():
    t = Translator(["appliance"])
    shared = ["Offline: cannot reach the hub", "Back", "Home", "Cancel", "Please try again."]
    assert t.missing(shared) == []


def test_counted_texts_take_the_plural_form_each_language_needs():
    t = Translator(["appliance", "kiosk"])
    day = ("{n} day ago", "{n} days ago")
    assert [t.ngettext(*day, n, "en") for n in (1, 2)] == ["1 day ago", "2 days ago"]
    assert [t.ngettext(*day, n, "vi") for n in (1, 2)] == ["1 ngày trước", "2 ngày trước"]
    assert t.nboth("{n} procedure in {field}", "{n} procedures in {field}", 1, field="X") == (
        "1 thủ tục thuộc lĩnh vực X",
        "1 procedure in X",
    )
    untranslated = ("{n} apple", "{n} apples")
    assert [t.ngettext(*untranslated, n) for n in (1, 5)] == ["1 apple", "5 apples"]


def test_marked_texts_are_returned_as_they_are():
    assert N_("Call next") == "Call next"
