"""carewise market / match end to end through the CLI, on a synthetic Leeds market."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from carewise.cli import app
from carewise.synth.market import generate_market, write_market

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    from carewise.settings import get_settings

    monkeypatch.setenv("CAREWISE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CAREWISE_COUNCIL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def extracts(tmp_path):
    frames = generate_market("E08000035", seed=7, size=30, as_at=date(2026, 11, 20))
    return write_market(frames, tmp_path / "extracts")


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_load_summary_match_and_audit(data_dir, extracts):
    loaded = _json(runner.invoke(app, ["market", "load", *map(str, extracts), "--council",
                                       "Leeds", "--json"]))
    assert loaded["stored"] and loaded["version"] == "v0001"
    assert loaded["loaded"]["referrals"] == 30

    summary = _json(runner.invoke(app, ["market", "summary", "--json"]))
    assert summary["council"] == "E08000035" and summary["referrals"]["open"] == 30
    assert {r["kind"] for r in summary["options_by_kind"]} >= {"in_house_fostering",
                                                               "childrens_home"}

    one = _json(runner.invoke(app, ["match", "R0001", "--json", "--limit", "3"]))
    assert one["referral_id"] == "R0001" and len(one["candidates"]) <= 3
    assert one["candidates_count"] + one["excluded_count"] == one["options_considered"]
    if one["candidates"]:
        first = one["candidates"][0]
        assert {"score", "criteria", "locality", "distance_home_miles"} <= set(first)
        assert abs(sum(c["contribution"] for c in first["criteria"]) - first["score"]) < 0.1

    from carewise.store import Store
    from carewise.store.audit import events

    shown = events(Store(), action="shortlist")
    assert shown and shown[0].target == "referral:R0001"
    assert "child_id" not in shown[0].detail


def test_match_all_and_what_if(data_dir, extracts):
    runner.invoke(app, ["market", "load", *map(str, extracts), "--council", "E08000035"])
    batch = _json(runner.invoke(app, ["match", "--all", "--json"]))
    s = batch["summary"]
    assert s["met"] + s["unmet"] == 30 and s["met"] >= s["greedy_met"]
    assert len(batch["assignments"]) == 30
    more = _json(runner.invoke(app, [
        "market", "what-if", "--json", "--add",
        "kind=in_house_fostering,count=10,places=2,min_age=0,max_age=17,"
        "skills=emotional_behavioural;missing;disability;exploitation"]))
    assert more["after"]["met"] >= more["before"]["met"]
    assert more["met_gain"] == more["after"]["met"] - more["before"]["met"]


def test_load_with_errors_stores_nothing_and_names_row_and_column(data_dir, extracts, tmp_path):
    bad = tmp_path / "carers.csv"
    text = extracts[0].read_text().splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index("min_age")] = "twelve"
    bad.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n")
    result = runner.invoke(app, ["market", "load", str(bad), "--council", "Leeds", "--json"])
    assert result.exit_code == 3
    body = json.loads(result.stdout)
    assert body["stored"] is False
    problem = body["problems"][0]
    assert (problem["row"], problem["column"], problem["value"]) == (1, "min_age", "twelve")
    assert not (data_dir / "data" / "market" / "E08000035").exists() or not list(
        (data_dir / "data" / "market" / "E08000035").glob("v*"))


def test_template_round_trips(data_dir, tmp_path):
    out = _json(runner.invoke(app, ["market", "template", str(tmp_path / "t"), "--json"]))
    book = next(p for p in out["written"] if p.endswith(".xlsx"))
    loaded = _json(runner.invoke(app, ["market", "load", book, "--council", "Leeds", "--json"]))
    assert loaded["loaded"] == {"carers": 1, "providers": 1, "vacancies": 1, "referrals": 1}


def test_unknown_referral_is_a_plain_error(data_dir, extracts):
    runner.invoke(app, ["market", "load", *map(str, extracts), "--council", "Leeds"])
    result = runner.invoke(app, ["match", "NOPE"])
    assert result.exit_code == 5
    assert "No referral 'NOPE'" in result.output


def test_markets_kept_as_parquet_by_earlier_versions_move_into_the_database(data_dir, extracts,
                                                                           tmp_path):
    """The folder layout earlier carewise wrote: <LA>/v0001/<extract>.parquet and manifest.json."""
    from carewise.matching import check_extracts

    frames, _ = check_extracts(extracts)
    old = tmp_path / "old-market" / "E08000035"
    for number, referrals in ((1, frames["referrals"]), (2, frames["referrals"].head(3))):
        version = old / f"v{number:04d}"
        version.mkdir(parents=True)
        for name, frame in {**frames, "referrals": referrals}.items():
            frame.write_parquet(version / f"{name}.parquet")
        (version / "manifest.json").write_text(json.dumps({
            "version": version.name, "la_code": "E08000035", "actor": "old analyst",
            "sources": [{"file": "referrals.csv", "sha256": "ab" * 32}]}))
    (old / "v0003").mkdir()  # a load that never finished: no manifest
    moved = _json(runner.invoke(app, ["market", "import-parquet", str(old.parent), "--json"]))
    assert moved == {"imported": {"E08000035": 2}}
    summary = _json(runner.invoke(app, ["market", "summary", "--council", "Leeds", "--json"]))
    assert summary["version"] == "v0002" and summary["referrals"]["open"] == 3
    assert [v["actor"] for v in summary["versions"]] == ["old analyst", "old analyst"]
    again = _json(runner.invoke(app, ["market", "import-parquet", str(old.parent), "--json"]))
    assert again == {"imported": {}}


def test_match_text_gives_reasons_and_exclusions_only_when_asked(data_dir, extracts):
    _json(runner.invoke(app, ["market", "load", *map(str, extracts), "--council", "Leeds",
                              "--json"]))
    summary = _json(runner.invoke(app, ["match", "R0001", "--json", "--limit", "2"]))
    assert summary["excluded"] == [] and summary["excluded_listed"] == 0
    listed = _json(runner.invoke(app, ["match", "R0001", "--json", "--limit", "2",
                                       "--show-excluded"]))
    assert len(listed["excluded"]) == listed["excluded_count"] == summary["excluded_count"]
    text = runner.invoke(app, ["match", "R0001", "--limit", "2"])
    assert text.exit_code == 0, text.output
    assert "options pass every hard constraint" in text.stdout
    if summary["candidates"]:
        assert "why:" in text.stdout
    assert "Excluded by each hard constraint:" in text.stdout
    batch = runner.invoke(app, ["match", "--all"])
    assert batch.exit_code == 0, batch.output
    assert "children placed" in batch.stdout and "mainstream fostering" in batch.stdout
