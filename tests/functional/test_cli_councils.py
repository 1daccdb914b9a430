"""One way to choose a council in every command: ONS code, DfE number or name, any case; an
unknown council is a plain error that lists the closest names."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from carewise.cli import app

runner = CliRunner()
DERBYSHIRE = "E10000007"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("councils")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    made = runner.invoke(app, ["synth", "--council", "derbyshire", "--size", "40", "--years", "2024-25",
                               "--seed", "2", "--out", str(folder / "903")])
    assert made.exit_code == 0, made.output
    imported = runner.invoke(app, ["import", str(folder / "903"), "--council", "830", "--db", url, "--json"])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["council"] == DERBYSHIRE
    return url


@pytest.mark.parametrize("named", ["E10000007", "e10000007", "830", "Derbyshire", "DERBYSHIRE"])
@pytest.mark.parametrize("command", [["status"], ["compliance", "--summary-only"], ["conflicts"],
                                     ["leavers"]])
def test_every_command_takes_a_code_a_number_or_a_name(db, named, command):
    result = runner.invoke(app, [*command, "--council", named, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    council = data.get("council")
    assert (council["la_code"] if isinstance(council, dict) else council) == DERBYSHIRE


def test_an_unknown_council_lists_the_closest_names(db):
    result = runner.invoke(app, ["compliance", "--council", "Derbyshir", "--db", db])
    assert result.exit_code == 4
    assert "not an English children's services authority" in result.output
    assert "Derbyshire (E10000007)" in result.output


def test_a_real_council_with_nothing_stored_says_what_to_import(db):
    result = runner.invoke(app, ["compliance", "--council", "Leeds", "--db", db])
    assert result.exit_code == 5
    assert "E08000035" in result.output and "import" in result.output


def test_the_market_and_users_take_the_same_names(db, tmp_path):
    templates = runner.invoke(app, ["market", "template", str(tmp_path / "t"), "--json"])
    csvs = [p for p in json.loads(templates.stdout)["written"] if p.endswith(".csv")]
    loaded = runner.invoke(app, ["market", "load", *csvs, "--council", "derbyshire", "--db", db, "--json"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.stdout)["council"] == DERBYSHIRE
    summary = runner.invoke(app, ["market", "summary", "--council", "830", "--db", db, "--json"])
    assert json.loads(summary.stdout)["council"] == DERBYSHIRE
    added = runner.invoke(app, ["users", "add", "pat@example.org", "--council", "Derbyshire",
                                "--password", "correct horse battery staple 9", "--db", db, "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["councils"] == [DERBYSHIRE]
