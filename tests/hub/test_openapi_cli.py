"""The OpenAPI document covers every route; the administration CLI does what it says."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub import cli
from hub.testing import HubProcess
from tests.hub.conftest import Office


def test_openapi_lists_every_route_with_its_parameters_and_nothing_else(office: Office) -> None:
    status, doc = office.req("GET", "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    routes: set[tuple[str, str]] = set()
    for rule in office.app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith(("console.", "reports.")):
            # The office console (/console/…) is the staff's browser UI: HTML forms under a
            # session cookie with CSRF, not part of the API. tests/hub/test_console*.py walk it.
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert routes == documented
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"
            assert "503" in op["responses"], f"{method} {path}"
    issue = doc["paths"]["/api/v1/tickets"]["post"]
    assert issue["x-roles"] == ["kiosk", "admin"]
    assert "409" in issue["responses"] and "422" in issue["responses"]
    events = {p["name"] for p in doc["paths"]["/api/v1/events"]["get"]["parameters"]}
    assert events == {"topics", "after", "Last-Event-ID"}


def run(db: Path, *argv: str) -> int:
    return cli.__dict__[f"{argv[0]}_main"](["--db", str(db), *argv[1:]])


def test_users_devices_and_office_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "hub.sqlite3"
    office_file = tmp_path / "office.toml"
    office_file.write_text(
        '[[services]]\ncode = "A"\nname_vi = "Đất đai"\nname_en = "Land"\n\n'
        '[[counters]]\nnumber = 1\nservices = ["A"]\n',
        encoding="utf-8",
    )
    assert run(db, "services", "load", str(office_file)) == 0
    assert run(db, "counters", "list") == 0
    assert '"services": [\n      "A"\n    ]' in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("mật-khẩu-dài\n"))
    assert run(db, "users", "add", "lan", "--name", "Nguyễn Thị Lan", "--password-stdin") == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("ngắn\n"))
    assert run(db, "users", "add", "hoa", "--password-stdin") == 1
    assert "at least 8" in capsys.readouterr().err
    assert run(db, "users", "disable", "lan") == 0
    assert run(db, "users", "list") == 0
    assert "(disabled)" in capsys.readouterr().out
    assert run(db, "devices", "enroll-code", "--role", "kiosk") == 0
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{4}-\d{4}", code)
    assert run(db, "devices", "enroll-code", "--role", "kiosk", "--counter", "1") == 1
    assert run(db, "devices", "revoke", "99") == 1
    conn = sqlite3.connect(db)
    actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    conn.close()
    assert actions == ["user.add", "user.disable", "device.enroll_code"]


def test_a_bad_office_file_names_the_problem_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "hub.sqlite3"
    bad = tmp_path / "office.toml"
    bad.write_text(
        '[[services]]\ncode = "A"\nname_vi = "Đất đai"\nname_en = "Land"\n\n'
        '[[counters]]\nnumber = 1\nservices = ["A", "Q"]\n',
        encoding="utf-8",
    )
    assert run(db, "services", "load", str(bad)) == 1
    assert "counters[0]: unknown service(s) Q" in capsys.readouterr().err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM services").fetchone()[0] == 0
    conn.close()


def test_services_loaded_from_the_cli_reach_a_running_hub(
    hub_process: HubProcess, tmp_path: Path
) -> None:
    office_file = tmp_path / "more.toml"
    office_file.write_text(
        '[[services]]\ncode = "E"\nname_vi = "E – Tư pháp"\nname_en = "E – Justice"\n\n'
        '[[counters]]\nnumber = 6\nname = "Quầy 6"\nservices = ["E"]\n',
        encoding="utf-8",
    )
    assert run(hub_process.db_path, "services", "load", str(office_file)) == 0
    deadline = time.monotonic() + 5
    codes: list[str] = []
    while time.monotonic() < deadline:
        codes = [s["code"] for s in hub_process.request("GET", "/api/v1/services")[1]["services"]]
        if "E" in codes:
            break
        time.sleep(0.1)
    assert "E" in codes
    status, ticket = hub_process.request(
        "POST", "/api/v1/tickets", {"service": "E"}, token=hub_process.kiosk_token
    )
    assert status == 201 and ticket["number"] == "E001"
    counters = hub_process.request("GET", "/api/v1/counters")[1]["counters"]
    assert counters[-1]["number"] == 6 and counters[-1]["services"] == ["E"]


def test_a_database_the_hub_cannot_open_stops_start_up_with_its_key(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "hub.sqlite3"
    not_sqlite.write_bytes(b"this is a text file, not a database\n" * 200)
    for db in (tmp_path / "file" / "below-a-file.sqlite3", not_sqlite):
        (tmp_path / "file").write_text("")
        done = subprocess.run(
            [sys.executable, "-m", "motcua.cli", "hub", "--port", "1", "--db", str(db)],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert done.returncode == 1
        assert "configuration key 'db_path': cannot open" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout


def test_every_secured_operation_answers_401_without_a_token(office: Office) -> None:
    _, doc = office.req("GET", "/openapi.json")
    values = {"ticket_id": "1", "number": "1", "token": "x", "code": "x", "dossier_code": "x",
              "name": "x.whl"}  # fmt: skip
    checked = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if "security" not in op:
                continue
            url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
            answer = office.client.open(url, method=method.upper(), json={})
            assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
            checked += 1
    assert checked >= 20
