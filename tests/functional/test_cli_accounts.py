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
