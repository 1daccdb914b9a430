"""Extract reader, settings and market store."""

from __future__ import annotations

import polars as pl
import pytest

from carewise.errors import SettingError
from carewise.ingest.problems import Severity
from carewise.matching import (
    ExtractError,
    Market,
    StoreMarkets,
    check_extracts,
    load_settings,
    read_extracts,
    write_templates,
)


@pytest.fixture
def templates(tmp_path):
    return write_templates(tmp_path / "t")


def _edit(path, column, value, row=0):
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value))
                               .otherwise(pl.col(column)).alias(column))
    frame.write_csv(path)


def test_every_bad_value_is_reported_with_row_column_value_and_fix(templates):
    carers = templates[0]
    _edit(carers, "sex_accepted", "girls")
    _edit(carers, "skills", "emotional_behavioural;juggling")
    frames, problems = read_extracts([carers])
    errors = [p for p in problems if p.severity == Severity.ERROR]
    got = {(p.row, p.column, p.value) for p in errors}
    assert got == {(1, "sex_accepted", "girls"), (1, "skills", "juggling")}
    assert all(p.fix for p in errors)
    assert "carers" not in frames


def test_missing_required_column_and_unknown_postcode(templates, tmp_path):
    frame = pl.read_csv(templates[0], infer_schema=False).drop("vacancies")
    path = tmp_path / "carers.csv"
    frame.write_csv(path)
    _, problems = read_extracts([path])
    assert any(p.column == "vacancies" and "no column" in p.message for p in problems)
    _edit(templates[1], "postcode", "ZZ99 9ZZ")
    _, problems = read_extracts([templates[1]])
    assert any(p.column == "postcode" and p.severity == Severity.ERROR for p in problems)


def test_vacancy_for_unknown_provider_and_more_vacancies_than_places(templates):
    _edit(templates[2], "urn", "SC999999")
    _edit(templates[0], "vacancies", "5")
    with pytest.raises(ExtractError) as err:
        check_extracts(templates[:3])
    messages = " ".join(p.message for p in err.value.problems)
    assert "not in the providers extract" in messages and "more vacancies" in messages


def test_sector_postcode_is_resolved_and_labelled(templates):
    frames, _ = read_extracts([templates[3]])
    ref = frames["referrals"]
    assert ref["home_resolution"][0] == "sector" and ref["home_la_code"][0] == "E08000035"


def test_settings_override_and_unknown_key(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text("[weights]\ncost = 4\n")
    s = load_settings(path)
    assert s.weights["cost"] == 4.0 and s.version != load_settings().version
    path.write_text("[weights]\nluck = 1\n")
    with pytest.raises(SettingError):
        load_settings(path)


def test_store_versions_and_carry_forward(tmp_path, templates):
    frames, _ = check_extracts(templates[:4])
    from carewise.store import Store

    store = StoreMarkets(Store(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    first = Market("E08000035").with_tables(frames)
    assert store.save(first, actor="test", sources=templates[:4]) == "v0001"
    loaded = store.load("E08000035")
    assert loaded.version == "v0001" and loaded.carers.height == 1
    only_refs = loaded.with_tables({"referrals": frames["referrals"].head(0)})
    assert store.save(only_refs, actor="test", sources=[templates[3]]) == "v0002"
    again = store.load("E08000035")
    assert again.carers.height == 1 and again.referrals.height == 0
    assert [v["version"] for v in store.versions("E08000035")] == ["v0001", "v0002"]
    assert store.load("E08000035", "v0001").referrals.height == 1


def test_batch_with_referrals_but_no_options_reports_every_referral_unmet(tmp_path):
    from carewise.matching.report import batch_report
    from carewise.synth.market import generate_market, write_market

    paths = write_market(generate_market("E06000056", seed=1, size=6), tmp_path / "m")
    typed, _ = read_extracts([p for p in paths if "referral" in p.name])
    market = Market("E06000056").with_tables(typed)
    report = batch_report(market, load_settings())
    assert report["summary"]["met"] == 0
    assert report["summary"]["unmet"] == market.open_referrals().height > 0
