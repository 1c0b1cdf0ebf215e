"""Proof: schemathesis drives a real hub through its whole OpenAPI document and finds no server
error and no answer outside the contract. Run by ``make proof`` (and CI), not ``make test``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hub.testing import HubProcess

ROOT = Path(__file__).resolve().parents[2]
# Examples per operation and phase; the run below reaches well over 10,000 cases in all.
EXAMPLES = int(os.environ.get("MOTCUA_PROOF_EXAMPLES", "300"))
MIN_CASES = int(os.environ.get("MOTCUA_PROOF_MIN_CASES", "10000"))


@pytest.mark.proof
@pytest.mark.timeout(3600)
def test_schemathesis_finds_no_server_error_and_no_contract_violation(
    hub_process: HubProcess, tmp_path: Path
) -> None:
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert schemathesis, "schemathesis is installed with the dev extra"
    report = tmp_path / "report.json"
    command = [
        schemathesis, "--config-file", str(Path(__file__).with_name("schemathesis.toml")),
        "run", f"{hub_process.url}/api/v1/openapi.json",
        "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", "20261202",
        "-H", f"Authorization: Bearer {hub_process.admin_token()}",
        # Logging out would end the admin session the run authenticates with.
        "--exclude-method", "DELETE",
        # Its "request without Authorization" still carries the -H header above, so it reports
        # the hub's answer to an authorised request; tests/hub/test_openapi_cli.py checks that
        # every secured operation answers 401 without a token instead.
        "--exclude-checks", "missing_required_header",
        # Text a client can send: JSON may spell lone surrogates, which the hub refuses (400).
        "--generation-codec", "utf-8",
        "--report-json-path", str(report), "--no-color",
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.proof.schemathesis_hooks",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    done = subprocess.run(  # in tmp_path: schemathesis keeps a cache in its working folder
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=3000
    )
    summary = json.loads(report.read_text(encoding="utf-8"))
    cases = summary["test_cases"]
    print(done.stdout[-3000:])
    print(json.dumps(cases))
    assert summary["failures"] == [], done.stdout[-20000:]
    assert summary["errors"] == [], done.stdout[-20000:]
    assert done.returncode == 0, done.stdout[-20000:]
    total = cases.get("total", 0) or sum(v for v in cases.values() if isinstance(v, int))
    assert total >= MIN_CASES, cases
