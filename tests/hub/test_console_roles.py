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

BOTH = ("admin", "supervisor")
# Every console route, a concrete request for it, and the roles allowed to make it.
ROUTES: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("GET", "/console/"): ("/console/", BOTH),
    ("GET", "/console/live"): ("/console/live", BOTH),
    ("GET", "/console/notice"): ("/console/notice", BOTH),
    ("POST", "/console/notice"): ("/console/notice", BOTH),
    ("POST", "/console/hours"): ("/console/hours", BOTH),
    ("POST", "/console/day/<action>"): ("/console/day/close", BOTH),
    ("GET", "/console/devices"): ("/console/devices", ("admin",)),
    ("POST", "/console/devices/code"): ("/console/devices/code", ("admin",)),
    ("POST", "/console/devices/<int:device_id>/revoke"): ("/console/devices/2/revoke", ("admin",)),
    ("POST", "/console/logout"): ("/console/logout", BOTH),
}
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
    for (method, _rule), (path, allowed) in ROUTES.items():
        if path == "/console/logout":
            continue  # last, below
        data = {"csrf": token, "role": "kiosk", "text_vi": "", "text_en": ""}
        answer = client.open(path, method=method, data=data if method == "POST" else None)
        if who == "nobody" and method == "GET":
            assert answer.status_code == 302, path
        elif who in allowed:
            assert answer.status_code in (200, 201, 303), (who, path, answer.status_code)
        else:
            assert answer.status_code == 403, (who, path, answer.status_code)
    conn = sqlite3.connect(office.app.config["MOTCUA"].db_path)
    revoked = conn.execute("SELECT revoked_at FROM devices WHERE id = 2").fetchone()[0]
    conn.close()
    assert (revoked is not None) == (who == "admin")
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
