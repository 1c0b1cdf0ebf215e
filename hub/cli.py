"""``motcua hub | users | devices | services | counters | backup | restore | import | export``.

Administration commands work on the hub's database file directly (SQLite lets them write beside
a running hub); each takes ``--config FILE`` (or ``MOTCUA_CONFIG``) and ``--db PATH``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from hub import db
from hub.auth import accounts
from hub.config import HubConfig
from hub.queue import office
from motcua import config as config_loader
from motcua.config import ConfigError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="hub TOML configuration file (default: $MOTCUA_CONFIG)")
    parser.add_argument("--db", help="database file (overrides db_path)")


def _settings(args: argparse.Namespace, **extra: Any) -> HubConfig:
    overrides = {k: v for k, v in extra.items() if v is not None}
    if getattr(args, "db", None):
        overrides["db_path"] = args.db
    return config_loader.load(HubConfig, path=args.config, overrides=overrides)


def _open(args: argparse.Namespace) -> db.Store:
    store = db.Store(_settings(args).db_path)
    db.migrate(store.conn())
    return store


def _fail(message: str) -> int:
    print(f"motcua: {message}", file=sys.stderr)
    return 1


def serve_main(argv: list[str]) -> int:
    """``motcua hub``: serve the hub until stopped."""
    from hub.server import serve

    parser = argparse.ArgumentParser(prog="motcua hub", description="run the on-site hub")
    _common(parser)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--office", help="TOML file of services and counters to load at start")
    args = parser.parse_args(argv)
    try:
        settings = _settings(args, host=args.host, port=args.port, office_file=args.office)
    except ConfigError as exc:
        return _fail(str(exc))
    try:
        return serve(settings)
    except (ConfigError, office.OfficeError) as exc:
        return _fail(str(exc))


def users_main(argv: list[str]) -> int:
    """``motcua users add|passwd|disable|enable|list``."""
    parser = argparse.ArgumentParser(prog="motcua users", description="staff accounts")
    _common(parser)
    sub = parser.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=["clerk", "supervisor", "admin"], default="clerk")
    add.add_argument("--name", default="", help="display name, e.g. 'Nguyễn Văn An'")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    pw = sub.add_parser("passwd", help="set a new password (ends open sessions)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    for name in ("disable", "enable"):
        sub.add_parser(name, help=f"{name} an account").add_argument("username")
    sub.add_parser("list", help="list accounts")
    args = parser.parse_args(argv)
    store = _open(args)
    try:
        if args.cmd == "list":
            for u in accounts.list_users(store.conn()):
                state = "" if u["active"] else "  (disabled)"
                print(f"{u['username']:<20} {u['role']:<10} {u['display_name']}{state}")
            return 0
        if args.cmd in ("add", "passwd"):
            password = _read_password(args.password_stdin)
            with store.write() as conn:
                if args.cmd == "add":
                    accounts.add_user(conn, args.username, password, args.role, args.name)
                else:
                    accounts.set_password(conn, args.username, password)
        else:
            with store.write() as conn:
                accounts.set_active(conn, args.username, args.cmd == "enable")
    except accounts.AccountError as exc:
        return _fail(str(exc))
    finally:
        store.close()
    print(f"{args.cmd}: {args.username}: done")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise accounts.AccountError("the passwords differ")
    return first


def devices_main(argv: list[str]) -> int:
    """``motcua devices enroll-code|list|revoke``."""
    parser = argparse.ArgumentParser(prog="motcua devices", description="appliances")
    _common(parser)
    sub = parser.add_subparsers(dest="cmd", required=True)
    code = sub.add_parser("enroll-code", help="a one-time code that enrols one appliance")
    code.add_argument("--role", choices=["kiosk", "display", "counter"], required=True)
    code.add_argument("--counter", type=int, help="bind a counter device to this counter")
    code.add_argument("--hours", type=float, default=24.0, help="how long the code is valid")
    sub.add_parser("list", help="list devices")
    revoke = sub.add_parser("revoke", help="revoke a device's token now")
    revoke.add_argument("device_id", type=int)
    args = parser.parse_args(argv)
    store = _open(args)
    try:
        if args.cmd == "list":
            for d in accounts.list_devices(store.conn()):
                state = "revoked" if d["revoked"] else "active"
                print(f"{d['id']:>4} {d['role']:<8} {state:<8} {d['name']}")
            return 0
        with store.write() as conn:
            if args.cmd == "enroll-code":
                value = accounts.enroll_code(conn, args.role, args.counter, args.hours * 3600)
                print(value)
            else:
                ended = accounts.revoke_device(conn, args.device_id)
                print(f"device {args.device_id} revoked; {ended} clerk session(s) ended")
    except accounts.AccountError as exc:
        return _fail(str(exc))
    finally:
        store.close()
    return 0


def _office_main(argv: list[str], what: str) -> int:
    parser = argparse.ArgumentParser(prog=f"motcua {what}", description=f"list or load {what}")
    _common(parser)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help=f"print the {what} (JSON)")
    load = sub.add_parser("load", help="load services and counters from an office TOML file")
    load.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    store = _open(args)
    try:
        if args.cmd == "list":
            print(json.dumps(office.describe(store.conn())[what], ensure_ascii=False, indent=2))
            return 0
        with store.write() as conn:
            n_services, n_counters = office.load(conn, office.read_file(args.file))
        print(f"loaded {n_services} services and {n_counters} counters from {args.file}")
        return 0
    except office.OfficeError as exc:
        return _fail(str(exc))
    finally:
        store.close()


def services_main(argv: list[str]) -> int:
    """``motcua services list|load FILE``."""
    return _office_main(argv, "services")


def counters_main(argv: list[str]) -> int:
    """``motcua counters list|load FILE``."""
    return _office_main(argv, "counters")


def backup_main(argv: list[str]) -> int:
    """``motcua backup``: an online, verified backup into backup_dir."""
    from hub import backup

    return backup.backup_main(argv)


def restore_main(argv: list[str]) -> int:
    """``motcua restore FILE``: put a backup back (with the hub stopped)."""
    from hub import backup

    return backup.restore_main(argv)


def import_main(argv: list[str]) -> int:
    """``motcua import``: procedures or dossiers from a file (the relay's importer)."""
    try:
        from hub.upstream import fileimport
    except ImportError:
        return _fail("import is not available in this installation (hub.upstream.fileimport)")
    return int(fileimport.main(argv) or 0)


def export_main(argv: list[str]) -> int:
    """``motcua export TABLE``: tickets, ratings or events of a day range as CSV or JSON lines."""
    from hub import export

    pre = argparse.ArgumentParser(add_help=False)
    _common(pre)
    known, _ = pre.parse_known_args(argv)
    try:
        settings = _settings(known)
    except ConfigError as exc:
        return _fail(str(exc))
    return export.main(argv, str(settings.db_path), settings.timezone, settings.day_starts_at)
