"""Procedure text made fit to read, at import.

The portal's scrape carries artefacts (hub/upstream/data/README.md): bare numbers as processing
times ("1 (không ghi đơn vị)"), template file names glued to the end of a document's text
("…theo mẫu quy định1.6. Don de nghi CPXD.docx (1 bản chính)"), steps that arrive as one long
line, legal-basis entries run together ("…Bộ Xây dựng140/2025/NĐ-CPquy định…"), notes that say
nothing ("Ghi chú: Không có"). :func:`clean_procedure` turns a record into readable lines; the
caller keeps the record as received for the "văn bản gốc" view, so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# What the cleaning touches; everything else passes through unchanged.
RAW_FIELDS = ("name", "processing_time", "fees", "documents", "steps", "legal_basis", "forms")

_SPACES = re.compile(r"\s+")
_BARE_NUMBER = re.compile(r"^\s*(\d+)\s*\(không ghi đơn vị\)\s*$", re.IGNORECASE)
_NO_UNIT = re.compile(r"(\d+)\s*\(không ghi đơn vị\)", re.IGNORECASE)
_UNIT_CASE = re.compile(r"\b(\d+)\s+(Ngày làm việc|Ngày|Tháng|Giờ|Năm)\b")
_EMPTY_NOTE = re.compile(
    r"\.?\s*Ghi chú:\s*(Không( có| quy định)?|Không thu|Miễn phí)?\.?\s*$", re.IGNORECASE
)
_EXTENSION = r"(?:docx?|xlsx?|pdf|odt)"
# A template file's name glued to the end of a document's text, and the copies asked for:
# "….Mẫu số 29.docx (1 bản chính)", "…quy định1.6. Don de nghi CPXD.docx", "…NĐ -CPmau so 12.doc".
_FILE_TAIL = re.compile(
    rf"(?P<body>.*?)(?P<file>[^.;:/\\]{{1,60}}?\.{_EXTENSION})\s*$", re.IGNORECASE
)
_DOTS_BEFORE_EXTENSION = re.compile(rf"\s*\.{{2,}}(?={_EXTENSION}\b)", re.IGNORECASE)
_HAS_FILE = re.compile(rf"\.{_EXTENSION}\b", re.IGNORECASE)
# Where a file name glued to the text can start: after a dot, or after a run of capitals that
# ends a legal number ("NĐ -CPmau so 12").
_FILE_START = re.compile(r"\.+\s*|(?<=[A-ZĐ]{2})(?=[a-zđ])")
_GLUED_NUMBERING = re.compile(r"(?<=[^\W\d_])\d+(?:\.\d+)*\.?$")
_COPIES = re.compile(r"\s*\((\d+ bản [^()]*)\)\s*$")
# Where a run-together step list starts a new item: "…hồ sơ. - Trong thời hạn…", "Bước 2:".
_STEP_BREAK = re.compile(r"(?<=[.;:])\s+(?=[-+•]\s)|\s+(?=Bước \d+\s*[:.])")
# A legal document number glued to the words around it: "Bộ Xây dựng140/2025/NĐ-CPquy định".
_DOC_NUMBER = r"\d+/\d{4}/[A-ZĐ]+[0-9]*(?:\s?-\s?[A-ZĐ]+[0-9]*)*"
_LOWER = "".join(chr(c) for c in range(0x61, 0x1EFA) if chr(c).islower() and chr(c).isalpha())
_NUMBER_AFTER_WORD = re.compile(rf"(?<=[^\W\d_])(?={_DOC_NUMBER})")
_WORD_AFTER_NUMBER = re.compile(rf"({_DOC_NUMBER})(?=[{_LOWER}])")


def squash(text: str) -> str:
    """``text`` with runs of white space (newlines from the scrape too) as one space."""
    return _SPACES.sub(" ", text).strip()


def processing_time(text: str) -> str:
    """``"1 (không ghi đơn vị)"`` says no unit; ``"5 Ngày làm việc"`` reads "5 ngày làm việc"."""
    text = squash(text)
    bare = _BARE_NUMBER.match(text)
    if bare:
        return f"Không ghi rõ đơn vị (nguồn chỉ ghi “{bare.group(1)}”) — xin hỏi tại quầy"
    text = _UNIT_CASE.sub(lambda m: f"{m.group(1)} {m.group(2).lower()}", text)
    return _NO_UNIT.sub(r"\1 (không rõ đơn vị)", text)  # one channel's time among others


def fees(text: str) -> str:
    """Notes that say nothing dropped, a note repeated after ``|`` kept once."""
    parts: list[str] = []
    for part in (squash(p).rstrip(".") for p in text.split("|") if p.strip()):
        if not any(part in earlier for earlier in parts):
            parts.append(part)
    joined = " | ".join(parts)
    return _EMPTY_NOTE.sub("", joined).strip() if joined else ""


def document_line(text: str) -> tuple[str, list[str]]:
    """(readable line, template files named in it) of one entry of a document list."""
    line = squash(text).lstrip("-+• ").strip()
    forms: list[str] = []
    if _HAS_FILE.search(line):
        line = _DOTS_BEFORE_EXTENSION.sub(".", line)
        copies = _COPIES.search(line)
        if copies:
            line = line[: copies.start()]
        # Some entries carry two files back to back ("….docx1.2. Don de nghi ….docx").
        while (tail := _FILE_TAIL.match(line)) is not None:
            form, body = _split_file(tail.group("body"), tail.group("file"))
            forms.insert(0, form)
            line = _GLUED_NUMBERING.sub("", body.rstrip(" .")).rstrip(" .")
        if copies:
            line = f"{line} ({copies.group(1)})"
    line = _COPIES.sub(lambda m: f" — {m.group(1)}", line)
    if forms:
        line = f"{line} — mẫu: {', '.join(forms)}"
    return line, forms


def _split_file(body: str, file: str) -> tuple[str, str]:
    """(text, file name) where the file name starts at its last plausible boundary."""
    whole = body + file
    starts = [m.end() for m in _FILE_START.finditer(whole) if m.end() <= len(body) + len(file) - 5]
    starts = [s for s in starts if len(whole) - s <= 80]
    if starts:
        return whole[starts[-1] :].strip(), whole[: starts[-1]]
    # A file named like the document it is the form of, glued on without a space:
    # "Báo cáo kết quả khảo sát … theo mẫu quy địnhbáo cáo kết quả khảo sát.docx".
    stem = file.rsplit(".", 1)[0]
    lowered = whole.lower()
    for cut in range(max(1, len(body) - 60), len(body) + len(stem) - 8):
        if lowered.startswith(lowered[cut : len(body) + len(stem)]) and cut > 0:
            return whole[cut:].strip(), whole[:cut]
    return file.strip(), body


def steps(items: list[str]) -> list[str]:
    """One line per step, however the back end ran them together."""
    out: list[str] = []
    for item in items:
        for part in _STEP_BREAK.split(squash(item)):
            part = part.strip().lstrip("-+• ").strip()
            if part:
                out.append(part)
    return out


def legal_basis(items: list[str]) -> list[str]:
    """Document numbers set apart from the words they were glued to."""
    out = []
    for item in items:
        text = _NUMBER_AFTER_WORD.sub(" ", squash(item))
        out.append(_WORD_AFTER_NUMBER.sub(r"\1 — ", text))
    return out


def _items(value: Any) -> list[str]:
    """A list field, which a file may hold as one text."""
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def clean_procedure(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with its text made readable (see the module docstring)."""
    clean = dict(record)
    clean["name"] = squash(str(record.get("name") or ""))
    clean["processing_time"] = processing_time(str(record.get("processing_time") or ""))
    clean["fees"] = fees(str(record.get("fees") or ""))
    documents, found_forms = [], []
    for item in _items(record.get("documents")):
        line, forms = document_line(str(item))
        if line:
            documents.append(line)
        found_forms.extend(forms)
    clean["documents"] = documents
    forms = [squash(f) for f in _items(record.get("forms"))] or found_forms
    clean["forms"] = list(dict.fromkeys(f for f in forms if f))
    clean["steps"] = steps(_items(record.get("steps")))
    clean["legal_basis"] = legal_basis(_items(record.get("legal_basis")))
    return clean


def raw_text(record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the cleaning changes, as received (the "văn bản gốc")."""
    return {name: record.get(name) for name in RAW_FIELDS if record.get(name)}
