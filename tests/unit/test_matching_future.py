"""Forecast stream of future referrals: deterministic, tracks the forecast, loads as an extract."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from carewise.history import stitch
from carewise.matching import check_extracts
from carewise.matching.extracts import read_extracts
from carewise.matching.future import (
    MARKET_TYPES,
    expected_flows,
    referral_stream,
    write_extract,
)
from carewise.synth import generate_council
from carewise.synth.market import generate_market, write_market

AS_AT = date(2025, 6, 15)


@pytest.fixture(scope="module")
def history():
    return stitch(generate_council(200, "2022-23..2024-25", seed=8).returns)


@pytest.fixture(scope="module")
def flows(history):
    return expected_flows(history, months=12, seed=2, as_at=AS_AT, runs=300)


def test_same_seed_same_stream_and_another_seed_differs(history, flows):
    a = referral_stream(history, 12, seed=5, as_at=AS_AT, flows=flows)
    b = referral_stream(history, 12, seed=5, as_at=AS_AT, flows=flows)
    c = referral_stream(history, 12, seed=6, as_at=AS_AT, flows=flows)
    assert a.height > 20
    assert a.equals(b)
    assert not a.equals(c)
    assert set(a["status"]) == {"forecast"}


def test_months_are_the_whole_months_after_as_at(flows):
    assert len(flows.months) == 12
    assert flows.starts[0] == date(2025, 7, 1) and flows.months[-1] == date(2026, 6, 30)


def test_entrant_referrals_track_the_forecast_entrants(history, flows):
    rates = flows.model.rates
    days = sum((m - s).days + 1 for s, m in zip(flows.starts, flows.months, strict=True))
    expected_entrants = rates.entry_rate * days
    # the projection's median entrants per month add up to about the fitted rate x days
    assert abs(flows.entrants_total() - expected_entrants) < 4 * np.sqrt(expected_entrants) + 12
    stream = referral_stream(history, 12, seed=1, as_at=AS_AT, flows=flows)
    in_market = sum(flows.expected[:, :, :, _cat(c)].sum() for c in MARKET_TYPES)
    assert abs(stream.height - in_market) <= 1  # systematic rounding: within one
    entrants = stream.filter(pl.col("forecast_source") == "entrant").height
    expected_in_market = sum(flows.expected[:, 0, :, _cat(c)].sum() for c in MARKET_TYPES)
    assert abs(entrants - expected_in_market) < 4 * np.sqrt(expected_in_market) + 2
    by_month = stream.group_by("expected_month").len()
    assert by_month.height >= 10


def _cat(name: str) -> int:
    from carewise.forecast import CATEGORIES

    return CATEGORIES.index(name)


def test_stream_loads_through_the_extract_checker(history, flows, tmp_path):
    stream = referral_stream(history, 12, seed=3, as_at=AS_AT, flows=flows)
    path = tmp_path / "referrals.csv"
    write_extract(stream, path)
    frames, problems = check_extracts([path])
    assert not [p for p in problems if p.severity.name == "ERROR"]
    loaded = frames["referrals"]
    assert loaded.height == stream.height
    assert set(loaded["status"]) == {"forecast"}
    assert loaded["age"].is_between(0, 17).all()
    assert (loaded["home_resolution"] != "unknown").mean() > 0.5


def test_needs_come_from_open_referrals_when_loaded(history, flows, tmp_path):
    frames = generate_market("E08000035", seed=4, size=30, as_at=AS_AT)
    typed, _ = read_extracts(write_market({"referrals": frames["referrals"]}, tmp_path))
    opened = typed["referrals"].with_columns(pl.lit(True).alias("need_exploitation"),
                                             pl.lit("today").alias("urgency"))
    stream = referral_stream(history, 12, seed=3, as_at=AS_AT, flows=flows,
                             open_referrals=opened)
    # the 903 never records exploitation: it can only come from the open referrals
    assert stream["need_exploitation"].all()
    assert set(stream["urgency"]) == {"today"}
    without = referral_stream(history, 12, seed=3, as_at=AS_AT, flows=flows)
    assert not without["need_exploitation"].any()
    assert set(without["urgency"]) <= {"within_5_days", "over_5_days"}


def test_a_higher_percentile_expects_more(history):
    mid = expected_flows(history, months=6, percentile=50, seed=2, as_at=AS_AT, runs=300)
    high = expected_flows(history, months=6, percentile=90, seed=2, as_at=AS_AT, runs=300)
    assert high.expected.sum() > mid.expected.sum()
