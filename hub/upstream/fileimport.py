"""File import: procedure catalogues and offline batches of dossiers from JSON or CSV.

``motcua import procedures FILE`` / ``motcua import dossiers FILE``. JSON is a list of records
or ``{"data": [...]}`` (optionally gzip-compressed, ``.json.gz``); CSV has a header row, list
cells (documents, steps, …) hold one item per line, and a dossier's processing steps may be a
JSON list in their cell. Records use the portal's field names (or the mapping file's) or the
hub's own names; each is cleaned like anything from the back end, and the ones refused are
reported by row without stopping the rest.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from hub import db
from hub.catalogue.procedures import Catalogue
from hub.dossiers.cache import DossierCache
from hub.upstream.mapping import DOSSIER_FIELDS, PROCEDURE_FIELDS, BadRecord, Mapping

BATCH = 500
LIST_KEYS = {"documents", "steps", "channels", "legal_basis", "forms"}


class ImportFileError(ValueError):
    """The file cannot be read as records at all."""


def read_records(path: Path) -> list[Any]:
    """Every record in a JSON, JSON.gz or CSV file."""
    name = path.name.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ImportFileError(f"{path} is not valid gzip: {exc}") from None
        name = name[:-3]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    if name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    if not name.endswith(".json"):
        raise ImportFileError(f"{path}: expected a .json, .json.gz or .csv file")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ImportFileError(f"{path} is not valid JSON: {str(exc)[:120]}") from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise ImportFileError(f'{path}: expected a list of records or {{"data": [...]}}')
    return data


def _choose_mapping(kind: str, records: list[Any], mapping: Mapping) -> Mapping:
    """Portal names when the first record uses them, else the hub's own names."""
    first = next((r for r in records if isinstance(r, dict)), {})
    own = {k: k for k in (PROCEDURE_FIELDS if kind == "procedures" else DOSSIER_FIELDS)}
    code_key = (mapping.procedure if kind == "procedures" else mapping.dossier)["code"]
    if code_key in first or "code" not in first:
        return mapping
    if kind == "procedures":
        return Mapping(procedure=own)
    return Mapping(dossier=own)


def _from_csv_cells(record: Any, kind: str, mapping: Mapping) -> Any:
    """CSV gives text cells: split list cells by line, read a JSON steps cell."""
    if not isinstance(record, dict):
        return record
    fixed = dict(record)
    if kind == "procedures":
        for key in LIST_KEYS:
            name = mapping.procedure[key]
            if isinstance(fixed.get(name), str):
                fixed[name] = [x.strip() for x in fixed[name].splitlines() if x.strip()]
    else:
        name = mapping.dossier["steps"]
        cell = fixed.get(name)
        if isinstance(cell, str) and cell.strip().startswith("["):
            try:
                fixed[name] = json.loads(cell)
            except (ValueError, RecursionError):
                fixed[name] = []
    return fixed


def progress(done: int, total: int, out: TextIO, width: int = 30) -> None:
    """Draw ``[#####-----]  50%  800/1601`` on one line of ``out``."""
    filled = width * done // max(total, 1)
    percent = 100 * done // max(total, 1)
    out.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {percent:3d}%  {done}/{total}")
    if done >= total:
        out.write("\n")
    out.flush()


def import_records(
    kind: str,
    records: list[Any],
    store: db.Store,
    mapping: Mapping | None = None,
    csv_cells: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[int, list[str]]:
    """Clean and store ``records``; (how many stored, one message per refused record)."""
    mapping = _choose_mapping(kind, records, mapping or Mapping())
    zone = mapping.zone
    clean_one = mapping.clean_procedure if kind == "procedures" else mapping.clean_dossier
    catalogue, cache = Catalogue(store), DossierCache(store)
    stored, refused, batch = 0, [], []

    def flush() -> None:
        nonlocal stored
        if kind == "procedures":
            stored += catalogue.upsert_many(batch)
        else:
            stored += cache.put_many(batch, source="import")
        batch.clear()

    for index, record in enumerate(records, start=1):
        if csv_cells:
            record = _from_csv_cells(record, kind, mapping)
        try:
            batch.append(clean_one(record) if kind == "procedures" else clean_one(record, zone))
        except BadRecord as exc:
            refused.append(f"record {index}: {exc}")
        if len(batch) >= BATCH:
            flush()
        if on_progress and (index % 100 == 0 or index == len(records)):
            on_progress(index, len(records))
    if batch:
        flush()
    return stored, refused


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def main(argv: list[str] | None = None) -> int:
    """``motcua import procedures|dossiers FILE [--db PATH] [--mapping TOML]``."""
    parser = argparse.ArgumentParser(prog="motcua import", description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=["procedures", "dossiers"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--db", type=Path, help="hub database (default: from the hub's config)")
    parser.add_argument("--mapping", type=Path, help="TOML field mapping of the back end")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    db_path = args.db
    if db_path is None:
        from hub.config import HubConfig
        from motcua.config import load

        db_path = load(HubConfig).db_path
    try:
        records = read_records(args.file)
        mapping = Mapping.load(args.mapping) if args.mapping else None
    except (ImportFileError, ValueError, OSError) as exc:
        print(f"motcua import: {exc}", file=sys.stderr)
        return 1
    store = db.Store(db_path)
    try:
        db.migrate(store.conn())
        bar = None if args.quiet else (lambda d, t: progress(d, t, sys.stderr))
        stored, refused = import_records(
            args.kind,
            records,
            store,
            mapping,
            csv_cells=args.file.name.lower().removesuffix(".gz").endswith(".csv"),
            on_progress=bar,
        )
    finally:
        store.close()
    print(f"imported {stored} {args.kind} into {db_path}; refused {len(refused)}")
    for line in refused[:20]:
        print(f"  {line}", file=sys.stderr)
    if len(refused) > 20:
        print(f"  … and {len(refused) - 20} more", file=sys.stderr)
    return 0 if stored or not records else 1
