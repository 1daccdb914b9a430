"""`carewise synth` end to end: files in the DfE layout that read back, a --json contract."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from carewise.cli import app
from carewise.ingest import read_returns


def test_synth_writes_readable_returns_and_json(tmp_path):
    out = tmp_path / "council"
    result = CliRunner().invoke(app, ["synth", "--size", "40", "--years", "2023-24..2024-25",
                                      "--seed", "2", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["council"] == {"la_code": "E06000056",
                               "la_name": "Central Bedfordshire (synthetic)"}
    assert set(data["years"]) == {"2023-24", "2024-25"}
    manifest = json.loads((out / "carewise-council.json").read_text())
    assert manifest["synthetic"] is True and manifest["seed"] == 2
    read = read_returns([out])
    assert read.ok, [p.describe() for p in read.errors]
    assert read.summary() == data["years"]


def test_bad_size_exits_with_a_message(tmp_path):
    result = CliRunner().invoke(app, ["synth", "--size", "lots", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--size" in result.output


def test_years_before_the_layouts_carewise_knows_are_refused_not_written_empty(tmp_path):
    """2016-17 has no table layout in carewise: before, synth wrote '0 children, 0 episodes'
    for each such year without saying why."""
    out = tmp_path / "old"
    result = CliRunner().invoke(app, ["synth", "--size", "40", "--years", "2018-19..2020-21",
                                      "--seed", "2", "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert "2020-21 to 2026-27" in result.output and "not 2018-19, 2019-20" in result.output
    assert not out.exists()
