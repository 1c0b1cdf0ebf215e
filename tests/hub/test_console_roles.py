"""Who may do what in the office console: every console route walked with every kind of caller,
and the supervisor role's migration on a database made before it existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hub import db
from hub.auth import accounts
from tests.hub.conftest import Office
from tests.hub.test_console import csrf_of, login
from tests.hub.test_console import office as office  # backups in the test's folder

BOTH = ("admin", "supervisor")
NEW = {"username": "moi", "display_name": "Người Mới", "role": "clerk", "password": "mật-khẩu-dài"}
COUNTER = {"number": "9", "name": "Quầy 9", "services": "A", "active": "1"}
SERVICE = {"code": "E", "name_vi": "E – Thuế", "name_en": "E – Tax", "prefix": "E", "active": "1"}
# Every console route: a concrete request, the roles allowed to make it, and what they get.
ROUTES: dict[tuple[str, str], tuple[str, dict[str, str], tuple[str, ...], int]] = {
    ("GET", "/console/"): ("/console/", {}, BOTH, 200),
    ("GET", "/console/live"): ("/console/live", {}, BOTH, 200),
    ("GET", "/console/notice"): ("/console/notice", {}, BOTH, 200),
    ("POST", "/console/notice"): ("/console/notice", {"text_vi": "Nghỉ"}, BOTH, 303),
    ("POST", "/console/hours"): ("/console/hours", {"opens_at-A": "07:00"}, BOTH, 303),
    ("POST", "/console/day/<action>"): ("/console/day/close", {"confirm": "1"}, BOTH, 303),
    ("GET", "/console/password"): ("/console/password", {}, BOTH, 200),
    ("GET", "/console/audit"): ("/console/audit", {}, BOTH, 200),
    ("GET", "/console/office"): ("/console/office", {}, BOTH, 200),
    ("GET", "/console/backups"): ("/console/backups", {}, ("admin",), 200),
    ("POST", "/console/backups"): ("/console/backups", {}, ("admin",), 303),
    ("GET", "/console/backups/<name>"): ("/console/backups/motcua-20990101-000000.sqlite3", {},
                                         ("admin",), 404),
    ("GET", "/console/backups/<name>/restore"): (
        "/console/backups/motcua-20990101-000000.sqlite3/restore", {}, ("admin",), 404),
    ("POST", "/console/backups/<name>/restore"): (
        "/console/backups/motcua-20990101-000000.sqlite3/restore", {"confirm": "1"}, ("admin",),
        404),
    ("POST", "/console/office/counters"): ("/console/office/counters", COUNTER, BOTH, 303),
    ("POST", "/console/office/clerks/<username>"): ("/console/office/clerks/minh",
                                                    {"counters": "2"}, BOTH, 303),
    ("POST", "/console/office/priority"): ("/console/office/priority",
                                           {"elderly_age": "60", "burst": "2",
                                            "reason-elderly": "1"}, ("admin",), 303),
    ("POST", "/console/office/services"): ("/console/office/services", SERVICE, ("admin",), 303),
    # (a wrong current password: the walk must not end its own session)
    ("POST", "/console/password"): ("/console/password", {"current": "sai"}, BOTH, 400),
    ("GET", "/console/procedures"): ("/console/procedures", {}, ("admin",), 200),
    # (nothing chosen: refused, and the walk changes nothing)
    ("POST", "/console/procedures"): ("/console/procedures", {}, ("admin",), 400),
    ("GET", "/console/devices"): ("/console/devices", {}, ("admin",), 200),
    ("POST", "/console/devices/code"): ("/console/devices/code", {"role": "kiosk"}, ("admin",),
                                        201),
    ("POST", "/console/devices/<int:device_id>/revoke"): ("/console/devices/2/revoke", {},
                                                          ("admin",), 200),
    ("GET", "/console/accounts"): ("/console/accounts", {}, ("admin",), 200),
    ("POST", "/console/accounts"): ("/console/accounts", NEW, ("admin",), 303),
    ("POST", "/console/accounts/<username>/password"): (
        "/console/accounts/an/password", {"password": "mật-khẩu-mới"}, ("admin",), 303),
    ("POST", "/console/accounts/<username>/active"): ("/console/accounts/an/active",
                                                      {"active": "0"}, ("admin",), 303),
    ("GET", "/console/outbox"): ("/console/outbox", {}, BOTH, 200),
    ("POST", "/console/outbox/requeue"): ("/console/outbox/requeue", {}, ("admin",), 303),
    ("POST", "/console/logout"): ("/console/logout", {}, BOTH, 303),
}  # fmt: skip
PUBLIC = {("GET", "/console/login"), ("POST", "/console/login")}


def test_the_walk_covers_every_console_route(office: Office) -> None:
    found = {
        (method, rule.rule)
        for rule in office.app.url_map.iter_rules()
        if rule.endpoint.startswith("console.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert found == set(ROUTES) | PUBLIC


@pytest.mark.parametrize("who", ["nobody", "clerk", "supervisor", "admin"])
def test_every_console_route_with_each_role(office: Office, who: str) -> None:
    client = office.client
    token = "x"
    if who == "clerk":  # a clerk's real session, put in the cookie by hand
        client.set_cookie("motcua_console", office.clerk(1))
    elif who != "nobody":
        assert login(client, **office.creds[who]).status_code == 303
        token = csrf_of(client.get("/console/"))
    for (method, _rule), (path, data, allowed, status) in ROUTES.items():
        if path == "/console/logout":
            continue  # last, below
        form = {"csrf": token, **data} if method == "POST" else None
        answer = client.open(path, method=method, data=form)
        if who == "nobody" and method == "GET":
            assert answer.status_code == 302, path
        elif who in allowed:
            assert answer.status_code == status, (who, path, answer.status_code)
        else:
            assert answer.status_code == 403, (who, path, answer.status_code)
    conn = sqlite3.connect(office.app.config["MOTCUA"].db_path)
    revoked = conn.execute("SELECT revoked_at FROM devices WHERE id = 2").fetchone()[0]
    users = {r[0]: r[1] for r in conn.execute("SELECT username, active FROM users")}
    conn.close()
    assert (revoked is not None) == (who == "admin")  # only the admin's requests changed things
    assert ("moi" in users) == (who == "admin")
    assert users["an"] == (0 if who == "admin" else 1)
    layout = office.client.get("/console/office").get_data(as_text=True) if who in BOTH else ""
    assert ("E – Thuế" in layout) == (who == "admin")
    page = client.get("/console/notice").get_data(as_text=True)
    assert ('href="/console/devices"' in page) == (
        who == "admin"
    )  # the menu offers what is allowed
    expected = 303 if who in BOTH else 403
    assert client.post("/console/logout", data={"csrf": token}).status_code == expected


def test_the_supervisor_migration_widens_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = db.connect(path)
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, sql in db.migration_files():  # the database as it was before the console
        if name < "0300":
            conn.executescript(f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations(name) VALUES "
                               f"('{name}');COMMIT;")  # fmt: skip
    accounts.add_user(conn, "lan", "mật-khẩu-dài", "clerk", "Lan")
    conn.execute("INSERT INTO counters (number, name, clerk_user_id) VALUES (1, 'Quầy 1', 1)")
    with pytest.raises(sqlite3.IntegrityError):
        accounts.add_user(conn, "ha", "mật-khẩu-dài", "supervisor", "Hà")
    other = db.connect(path)  # a connection open across the change (the CLI beside a hub)
    other.execute("SELECT count(*) FROM users").fetchone()
    assert "0300_supervisor_role.sql" in db.migrate(conn)
    accounts.add_user(conn, "ha", "mật-khẩu-dài", "supervisor", "Hà")
    accounts.add_user(other, "hoa", "mật-khẩu-dài", "supervisor", "Hoa")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES ('x', 'x', 'boss', 'x', 0)"
        )
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT clerk_user_id FROM counters").fetchone()[0] == 1
