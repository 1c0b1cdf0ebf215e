"""Backups: SQLite's online backup into ``backup_dir``, checked after writing, a few kept;
restore with one command; a nightly schedule inside the hub.

A backup is taken while the hub runs (the online backup API copies a consistent snapshot), written
under a temporary name, checked with ``PRAGMA integrity_check``, flushed to the disk, and only then
renamed to ``motcua-YYYYmmdd-HHMMSS.sqlite3``; the oldest beyond ``backup_keep`` are removed. A
power cut at any moment leaves the earlier backups as they were and at most a ``.partial`` file,
which the next backup clears.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

from hub.clock import Clock
from hub.config import HubConfig
from motcua import config as config_loader
from motcua.config import ConfigError

log = logging.getLogger(__name__)
PATTERN = "motcua-*.sqlite3"


class BackupError(RuntimeError):
    """A backup or restore could not be made or failed its check."""


def check(path: Path) -> None:
    """Raise :class:`BackupError` unless ``path`` is a sound SQLite database."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable database: {exc}") from None
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")


def _flush(path: Path) -> None:
    """fsync a file or a folder (its entries), so a power cut cannot undo what came before."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(db_path: Path, folder: Path, keep: int, now: float | None = None) -> Path:
    """Write a checked backup of ``db_path`` into ``folder``; keep the newest ``keep``."""
    if not db_path.exists():
        raise BackupError(f"no database at {db_path}")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f".{PATTERN}.partial*"):  # left by a backup cut short
        stale.unlink(missing_ok=True)
    stamp = dt.datetime.fromtimestamp(now or time.time()).strftime("%Y%m%d-%H%M%S")
    final = folder / f"motcua-{stamp}.sqlite3"
    partial = folder / f".{final.name}.partial"
    source = sqlite3.connect(db_path)
    target = sqlite3.connect(partial)
    try:
        source.backup(target, pages=1024)  # in steps, so the hub's writer is never held long
        # One self-contained file: the copy is in the hub's WAL mode, and opening it (the check
        # below, a restore) would leave -wal and -shm files beside every backup for good.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    try:
        check(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    _flush(partial)  # the data on the disk before the name says it is a backup
    partial.replace(final)
    _flush(folder)  # and the new name too
    for old in sorted(folder.glob(PATTERN))[:-keep]:
        old.unlink()
    return final


def restore(backup_path: Path, db_path: Path) -> Path:
    """Replace ``db_path`` with a checked backup; the current file is kept beside it first.

    Stop the hub before restoring: a running hub would keep serving its old state from memory.
    """
    check(backup_path)
    kept = db_path.with_name(f"{db_path.name}.before-restore-{int(time.time())}")
    if db_path.exists():
        current = sqlite3.connect(db_path)
        aside = sqlite3.connect(kept)
        try:
            current.backup(aside)
        finally:
            aside.close()
            current.close()
    source = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    target = sqlite3.connect(db_path)
    try:
        source.backup(target)  # page by page into the live file, WAL included
    finally:
        target.close()
        source.close()
    check(db_path)
    return kept


class Scheduler:
    """Takes a backup every day at ``at`` (HH:MM, the hub's time zone) in a daemon thread."""

    def __init__(self, settings: HubConfig, clock: Clock, at: str = "02:30") -> None:
        self.settings = settings
        self.clock = clock
        self.at = at
        self._stop = threading.Event()

    def seconds_until_next(self) -> float:
        """Seconds from now to the next ``at``."""
        now = self.clock.local(self.clock.now())
        hours, minutes = (int(x) for x in self.at.split(":"))
        target = now.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        if target <= now:
            target += dt.timedelta(days=1)
        return (target - now).total_seconds()

    def start(self) -> None:
        """Run the schedule in the background."""
        threading.Thread(target=self._run, name="motcua-backup", daemon=True).start()

    def stop(self) -> None:
        """Stop waiting for the next backup."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds_until_next()):
            try:
                path = backup(self.settings.db_path, self.settings.backup_dir,
                              self.settings.backup_keep)  # fmt: skip
                log.info("backup written and checked: %s", path)
            except (BackupError, OSError, sqlite3.Error):
                log.exception("scheduled backup failed")


def _settings(args: argparse.Namespace) -> HubConfig:
    overrides = {"db_path": args.db} if args.db else {}
    return config_loader.load(HubConfig, path=args.config, overrides=overrides)


def backup_main(argv: list[str]) -> int:
    """``motcua backup [--dir DIR] [--keep N]``."""
    parser = argparse.ArgumentParser(prog="motcua backup", description="back up the hub database")
    parser.add_argument("--config")
    parser.add_argument("--db")
    parser.add_argument("--dir", type=Path, help="backup folder (default: backup_dir)")
    parser.add_argument("--keep", type=int, help="how many to keep (default: backup_keep)")
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        path = backup(settings.db_path, args.dir or settings.backup_dir,
                      args.keep or settings.backup_keep)  # fmt: skip
    except (ConfigError, BackupError, OSError, sqlite3.Error) as exc:
        print(f"motcua backup: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def restore_main(argv: list[str]) -> int:
    """``motcua restore BACKUP`` (stop the hub first)."""
    parser = argparse.ArgumentParser(
        prog="motcua restore", description="restore the hub database from a backup (hub stopped)"
    )
    parser.add_argument("backup", type=Path)
    parser.add_argument("--config")
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        kept = restore(args.backup, settings.db_path)
    except (ConfigError, BackupError, OSError, sqlite3.Error) as exc:
        print(f"motcua restore: {exc}", file=sys.stderr)
        return 1
    print(f"restored {settings.db_path} from {args.backup}; the previous file is kept as {kept}")
    return 0
