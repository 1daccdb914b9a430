"""Running carewise's command line in-process for functional tests (typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carewise.cli import app

runner = CliRunner()


def ok(args: list[str]) -> dict:
    """A command run with ``--json`` that must succeed; its JSON answer."""
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def synthetic_council_db(folder: Path, size: str) -> str:
    """A synthetic council (2023-24 and 2024-25, seed 3) written under ``folder`` and imported
    into a SQLite store there; the store's URL."""
    db = f"sqlite:///{folder / 'db.sqlite'}"
    ok(["synth", "--out", str(folder / "903"), "--size", size, "--years", "2023-24..2024-25", "--seed", "3"])
    ok(["import", str(folder / "903"), "--db", db])
    return db
