"""``carewise forecast sweep`` end to end on a real Dask LocalCluster (2 worker processes).

Three small synthetic councils written as ``carewise synth --national --out`` writes them
(DIR/<la_code>/<year>/*.csv), a baseline and two scenarios (one saved by name, one a file).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from carewise.cli import app
from carewise.synth import generate_council, write_council

runner = CliRunner()
COUNCILS = ["E06000056", "E08000016", "E09000002"]  # Central Bedfordshire, Barnsley, Barking & Dagenham
RUNS, SEED, HORIZON = 200, 5, 24


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    root = tmp_path_factory.mktemp("national")
    for i, la in enumerate(COUNCILS):
        write_council(generate_council(60 + 20 * i, "2022-23..2024-25", seed=3, la_code=la), root / la)
    return root


@pytest.fixture(scope="module")
def sweep_json(national, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    env = {"CAREWISE_DATA_DIR": str(data_dir)}
    made = runner.invoke(app, ["scenario", "create", "fewer", "--entry-rate", "-0.4"], env=env)
    assert made.exit_code == 0, made.output
    more = data_dir / "more.toml"
    made = runner.invoke(app, ["scenario", "create", "more", "--entry-rate", "0.4", "--path", str(more)], env=env)
    assert made.exit_code == 0, made.output
    result = runner.invoke(
        app,
        ["forecast", "sweep", "--from", str(national), "--scenario", "fewer", "--scenario", str(more),
         "--runs", str(RUNS), "--seed", str(SEED), "--horizon-months", str(HORIZON), "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sweep_shape(sweep_json):
    data = sweep_json
    assert data["councils"] == COUNCILS and data["scenarios"] == ["fewer", "more"] and data["failed"] == []
    rows = data["results"]
    # 31 March 2025 (the start) and the two 31 Marches of a 24-month horizon, per council × scenario
    assert len(rows) == len(COUNCILS) * 3 * 3
    assert {(r["la_code"], r["scenario"]) for r in rows} == {
        (la, s) for la in COUNCILS for s in ("baseline", "fewer", "more")
    }
    assert {r["date"] for r in rows} == {"2025-03-31", "2026-03-31", "2027-03-31"}
    for r in rows:
        assert r["children_p10"] <= r["children_median"] <= r["children_p90"]
        if r["date"] != "2025-03-31":
            assert r["financial_year"] in ("2025-26", "2026-27") and r["spend_months"] == 12
            assert 0 < r["spend_p10"] <= r["spend_median"] <= r["spend_p90"]
        if r["scenario"] == "baseline":
            assert r.get("children_difference_median") is None


def test_baseline_equals_direct_forecast(sweep_json, national):
    """Same seed, same figures: the distributed run is deterministic."""
    for la in COUNCILS:
        direct = runner.invoke(
            app,
            ["forecast", "--from", str(national / la), "--runs", str(RUNS), "--seed", str(SEED),
             "--horizon-months", str(HORIZON), "--no-backtest", "--json"],
        )
        assert direct.exit_code == 0, direct.output
        expected = {
            r["date"]: (r["median"], r["p10"], r["p90"])
            for r in json.loads(direct.stdout)["forecast"]
            if r["state"] == "total" and r["date"].endswith("-03-31")
        }
        got = {
            r["date"]: (r["children_median"], r["children_p10"], r["children_p90"])
            for r in sweep_json["results"] if r["la_code"] == la and r["scenario"] == "baseline"
        }
        assert got == expected


def test_scenario_differences_have_the_expected_sign(sweep_json):
    last = [r for r in sweep_json["results"] if r["date"] == "2027-03-31" and r["scenario"] != "baseline"]
    assert len(last) == 2 * len(COUNCILS)
    for r in last:
        sign = -1 if r["scenario"] == "fewer" else 1
        assert sign * r["children_difference_median"] > 0, r
        assert sign * r["spend_difference_median"] > 0, r
        assert sign * r["children_difference_p10"] >= 0 or sign * r["children_difference_p90"] >= 0


def test_unknown_council_and_region_are_user_errors(national):
    bad = runner.invoke(app, ["forecast", "sweep", "--from", str(national), "--council", "E06000001"])
    assert bad.exit_code >= 2 and "E06000001" in bad.output
    nowhere = runner.invoke(app, ["forecast", "sweep", "--from", str(national), "--region", "Atlantis"])
    assert nowhere.exit_code >= 2 and "region" in nowhere.output
