"""carewise forecast / backtest / scenario / pa-caseload end to end through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from carewise.cli import app
from carewise.forecast.known_rates import example_rates, known_council

runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("council")
    known = example_rates()
    known.entries_per_year = 120
    for ret in known_council(known, first_year=2020, last_year=2024, seed=7):
        d = root / ret.year.label
        d.mkdir()
        for name, frame in ret.raw.items():
            frame.drop("_row").write_csv(d / f"{name}.csv")
    return root


def _json(args, env=None):
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_forecast_json(folder):
    data = _json(["forecast", "--from", str(folder), "--runs", "100", "--horizon-months", "12", "--json"])
    assert data["origin"] == "2025-03-31"
    assert 0 <= data["entry_trend_weight"] <= 1  # how far entries follow a trend (EntryModel)
    total = [r for r in data["forecast"] if r["state"] == "total"]
    assert len(total) == 13
    assert set(total[0]) >= {"date", "median", "mean", "p10", "p90", "p2_5", "p97_5"}
    assert {"mape_total_12m", "coverage_80", "coverage_total_95_12m", "as_received"} <= set(data["backtest"])
    assert data["backtest"]["as_received"] is True
    assert data["price_base"] == "2025-26" and data["prices"]["index"].startswith("ONS CPIH")
    assert {r["price_base"] for r in data["spend"]} == {"2025-26"}


def test_backtest_json(folder):
    data = _json(["backtest", "--from", str(folder), "--runs", "100", "--json"])
    assert data["cuts"] >= 1 and data["mape_total_12m"] >= 0 and 0 <= data["coverage_80"] <= 1
    assert data["calibration"][0]["state"] == "total"
    assert all(r["data_end"] <= r["cut"] for r in data["rows"])


def test_in_house_limit_scenario_reports_mainstream_share(folder, tmp_path):
    path = tmp_path / "limit.json"
    made = _json(["scenario", "create", "capped", "--in-house-share", "1", "--in-house-limit", "40",
                  "--path", str(path), "--json"])
    assert made["changes"][1] == {"kind": "in_house_limit", "places": 40.0, "source": "given"}
    data = _json(["scenario", "compare", str(path), "--from", str(folder), "--runs", "50",
                  "--horizon-months", "24", "--json"])
    shares = data["scenarios"][0]["in_house_share_of_mainstream_fostering"]
    assert [r["date"] for r in shares] == ["2025-03-31", "2026-03-31", "2027-03-31"]  # the start, then each year
    assert all(0 <= r["scenario"] <= 1 for r in shares)


def test_scenarios_create_list_show_compare(folder, tmp_path):
    env = {"CAREWISE_DATA_DIR": str(tmp_path)}
    from carewise.settings import get_settings

    get_settings.cache_clear()
    try:
        _json(["scenario", "create", "fewer", "--entry-rate", "-0.2", "--json"], env)
        assert [s["name"] for s in _json(["scenario", "list", "--json"], env)["scenarios"]] == ["fewer"]
        assert _json(["scenario", "show", "fewer", "--json"], env)["changes"][0]["kind"] == "entry_rate"
        data = _json(["scenario", "compare", "fewer", "--from", str(folder), "--runs", "100",
                      "--horizon-months", "12", "--json"], env)
        last = [r for r in data["scenarios"][0]["difference"] if r["state"] == "total"][-1]
        assert last["median"] < 0
        bad = runner.invoke(app, ["scenario", "show", "nothing"], env=env)
        assert bad.exit_code == 5
    finally:
        get_settings.cache_clear()


def test_pa_caseload_json(folder):
    data = _json(["pa-caseload", "--from", str(folder), "--json"])
    assert len(data["rows"]) == 3 and {"requiring_pa", "caseload_7", "caseload_11"} <= set(data["rows"][0])


def test_pa_caseload_from_the_councils_own_table():
    from pathlib import Path

    example = Path(__file__).parents[2] / "docs" / "examples" / "pa-table-seed-002.toml"
    data = _json(["pa-caseload", "--table", str(example), "--json"])
    assert data["mode"] == "table" and data["advisers"] == [7, 8, 9, 10, 11]
    assert [round(r["caseload_7"]) for r in data["rows"]] == [37, 36, 37]
    assert any("254 / 9 = 28.2" in n for n in data["disagreements"])


def test_scenario_dates_are_read_from_their_options(tmp_path):
    path = tmp_path / "target.json"
    made = _json(["scenario", "create", "target", "--in-house-target", "0.7", "--by", "2027-03-31",
                  "--from-date", "2025-04-01", "--full-by", "2026-03-31", "--path", str(path), "--json"])
    change = made["changes"][0]
    assert (change["by"], change["start"], change["full_by"]) == ("2027-03-31", "2025-04-01", "2026-03-31")
    for option in ("--by", "--from-date", "--full-by"):
        dates = {"--by": "2027-03-31", "--from-date": "2025-04-01", "--full-by": "2026-03-31", option: "31/03/2027"}
        bad = runner.invoke(app, ["scenario", "create", "bad", "--in-house-target", "0.7",
                                  *[x for pair in dates.items() for x in pair], "--path", str(path)])
        assert bad.exit_code != 0 and option in bad.output and "YYYY-MM-DD" in bad.output


def test_forecast_json_says_how_much_was_borrowed(folder):
    """With a council code the rates borrow from its statistical neighbours, and the JSON says how
    much; the exit profile by time in care is always there."""
    data = _json(["forecast", "--from", str(folder), "--council", "E06000056", "--runs", "50",
                  "--horizon-months", "12", "--no-backtest", "--json"])
    borrowed = data["borrowed"]
    assert borrowed["council"] == "E06000056" and len(borrowed["neighbours"]) == 10
    assert max(borrowed["published_years"]) == 2024  # the year to March 2025 is published in November 2025
    for rate in ("entries_per_10000", "exits_per_child_year"):
        assert 0 <= borrowed[rate]["borrowed"] <= 1
        low, high = sorted([borrowed[rate]["own"], borrowed[rate]["neighbours"]])
        assert low - 1e-3 <= borrowed[rate]["used"] <= high + 1e-3
    assert borrowed["text"].startswith("Borrowed ")
    bands = {r["time_in_care"] for r in data["exit_by_time_in_care"]}
    assert bands == {"under 1 month", "1 month to 3 months", "3 months to 6 months", "6 months to 1 year",
                     "1 year to 2 years", "2 years or more"}
    assert _json(["forecast", "--from", str(folder), "--runs", "20", "--horizon-months", "3", "--no-backtest",
                  "--json"])["borrowed"] is None  # files alone: no council, nothing borrowed
