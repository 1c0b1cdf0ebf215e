"""Dossier codes: every real layout accepted, what people and scanners send normalized, the
rest refused with a message naming the problem."""

from __future__ import annotations

import pytest

from hub.dossiers.codes import InvalidCode, is_code, normalize_code


@pytest.mark.parametrize(
    "raw",
    [
        "H21.22-241105-0012",  # newer provincial layout
        "000.00.21.H21-240315-0001",  # older layout leading with 000.xx.xx.Hnn
        "H21.40.3-251231-0420",  # commune level
        "G01.993-240102-000123",  # ministry, longer sequence
        "000.00.00.G09-231115-00012345",
        "H21-240229-0001",  # leap day, no sub-units
    ],
)
def test_real_layouts_are_accepted_unchanged(raw: str) -> None:
    assert normalize_code(raw) == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("h21.22-241105-0012", "H21.22-241105-0012"),
        ("  H21.22 - 241105 - 0012 \n", "H21.22-241105-0012"),
        ("H21.22–241105—0012", "H21.22-241105-0012"),  # dashes a phone keyboard inserts
        ("Ｈ２１.２２-２４１１０５-００１２", "H21.22-241105-0012"),  # full-width from an IME
        ("H21.22_241105_0012", "H21.22-241105-0012"),
        ("]Q1H21.22-241105-0012\r\n", "H21.22-241105-0012"),  # AIM prefix + CR/LF
        ("H21.22-241105-0012\x1d", "H21.22-241105-0012"),  # GS from a barcode
        (
            "https://dichvucong.gialai.gov.vn/tra-cuu?ma=H21.22-241105-0012",
            "H21.22-241105-0012",
        ),
        ("https://dvc.example.vn/tra-cuu?code=h21.22-241105-0012&lang=vi", "H21.22-241105-0012"),
        (
            "https://dvc.example.vn/tra-cuu?MaHoSo=000.00.21.H21-240315-0001",
            "000.00.21.H21-240315-0001",
        ),
        ("dichvucong.gialai.gov.vn/tra-cuu?ma=H21.22-241105-0012", "H21.22-241105-0012"),
        ("https://dvc.example.vn/ho-so/H21.22-241105-0012", "H21.22-241105-0012"),
        ("https://dvc.example.vn/ho-so/H21.22%2D241105%2D0012", "H21.22-241105-0012"),
        ("https://dvc.example.vn/#/tra-cuu?x=1", None),
        ("MaHoSo: H21.22-241105-0012", "H21.22-241105-0012"),
        ("ma=H21.22-241105-0012", "H21.22-241105-0012"),
    ],
)
def test_what_people_and_scanners_send_is_normalized(raw: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidCode, match="link carries no dossier code"):
            normalize_code(raw)
    else:
        assert normalize_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty"),
        ("   \r\n", "empty"),
        ("H21.22-241105", "three parts"),
        ("H21.22-241105-0012-7", "three parts"),
        ("H21.22/241105/0012x", "no dossier code"),
        ("H21.22-241305-0012", "not a real date"),
        ("H21.22-230229-0012", "not a real date"),
        ("H21.22-24110-0012", "yyMMdd"),
        ("H21.22-241105-012", "4 to 8 digits"),
        ("H21.22-241105-123456789", "4 to 8 digits"),
        ("H21.22-241105-00A2", "4 to 8 digits"),
        ("ABC.22-241105-0012", "no province or ministry code"),
        ("-241105-0012", "agency part"),
        ("H21..22-241105-0012", "dot-separated groups"),
        ("H21.22-241105-0012;DROP TABLE", "only letters, digits"),
        ("H21.22-241105-0012'", "only letters, digits"),
        ("H" * 600, "too long"),
        ("H21." + "1" * 60 + "-241105-0012", "too long"),
        ("Nguyễn Văn An", "only letters, digits"),
    ],
)
def test_anything_else_is_refused_naming_the_problem(raw: str, problem: str) -> None:
    with pytest.raises(InvalidCode, match=problem):
        normalize_code(raw)


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidCode, match="text"):
        normalize_code(12345)


def test_is_code() -> None:
    assert is_code("h21.22-241105-0012")
    assert not is_code("h21.22-241105")
