"""carewise match --all --with-forecast: open plus expected referrals, end to end."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from carewise.cli import app

runner = CliRunner()


@pytest.fixture
def world(tmp_path, monkeypatch):
    from carewise.importing import import_paths
    from carewise.settings import get_settings
    from carewise.store import Store
    from carewise.synth import generate_council, write_council
    from carewise.synth.market import generate_market, write_market

    monkeypatch.setenv("CAREWISE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CAREWISE_COUNCIL", raising=False)
    get_settings.cache_clear()
    council = generate_council(120, "2022-23..2024-25", seed=12)
    url = f"sqlite:///{tmp_path / 'carewise.db'}"
    outcome = import_paths(Store(url), [write_council(council, tmp_path / "synth")],
                           la_code=council.la_code, council_name=council.la_name,
                           synthetic=True, validate=False)
    assert outcome.stored
    extracts = write_market(generate_market(council.la_code, seed=5, size=15,
                                            as_at=date.today()), tmp_path / "extracts")
    loaded = runner.invoke(app, ["market", "load", *map(str, extracts), "--council",
                                 council.la_code, "--db", url, "--json"])
    assert loaded.exit_code == 0, loaded.output
    yield url, council.la_code
    get_settings.cache_clear()


def test_match_all_with_forecast_splits_unmet_need(world):
    url, la_code = world
    result = runner.invoke(app, ["match", "--all", "--with-forecast", "6", "--percentile", "90",
                                 "--seed", "4", "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    f, split = out["forecast"], out["unmet_split"]
    assert f["months"] == 6 and f["percentile"] == 90 and f["needs_from"] == "open_referrals"
    assert split["open_today"]["referrals"] == 15
    assert split["expected"]["referrals"] == f["referrals"] > 0
    assert abs(f["referrals"] - f["expected_referrals"]) <= 1
    assert out["summary"]["referrals"] == 15 + f["referrals"]
    assert out["summary"]["unmet"] == split["open_today"]["unmet"] + split["expected"]["unmet"]
    assert sum(m["referrals"] for m in f["by_month"]) == f["referrals"]
    assert sum(m["unmet"] for m in f["by_month"]) == split["expected"]["unmet"]
    statuses = {a["status"] for a in out["assignments"]}
    assert statuses == {"open", "forecast"}
    assert all(a["expected_month"] for a in out["assignments"] if a["status"] == "forecast")
    for p in out["suggestions"]:
        assert p["unmet_before"] == out["summary"]["unmet"]
        assert p["unmet_after"] <= p["unmet_before"]
    # today's children come first: expected referrals never take their places
    today = json.loads(runner.invoke(app, ["match", "--all", "--db", url, "--json"]).stdout)
    assert split["open_today"]["met"] == today["summary"]["met"]

    again = runner.invoke(app, ["match", "--all", "--with-forecast", "6", "--percentile", "90",
                                "--seed", "4", "--db", url, "--json"])
    assert json.loads(again.stdout)["forecast"] == f  # same seed, same stream

    text = runner.invoke(app, ["match", "--all", "--with-forecast", "6", "--db", url])
    assert text.exit_code == 0, text.output
    assert "not met, expected" in text.stdout


def test_with_forecast_needs_903_returns_and_all(world, tmp_path):
    url, la_code = world
    one = runner.invoke(app, ["match", "R0001", "--with-forecast", "6", "--db", url])
    assert one.exit_code != 0 and "--all" in one.output
    empty = f"sqlite:///{tmp_path / 'empty.db'}"  # a market, but no 903 returns
    extracts = sorted(map(str, (tmp_path / "extracts").glob("*.csv")))
    assert runner.invoke(app, ["market", "load", *extracts, "--council", la_code, "--db", empty]).exit_code == 0
    none = runner.invoke(app, ["match", "--all", "--with-forecast", "6", "--db", empty])
    assert none.exit_code != 0 and "903" in none.output
