"""Matching speed: one referral against 5,000 options (< 100 ms) and 500 referrals × 5,000
options batch assignment (< 5 s), with the greedy baseline run on the same pairs and the
quality gain reported in ``extra_info``. Markets are random but shaped like the synthetic one
(ages, needs, kinds, locations in a 60 km box around Leeds): no real data."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from carewise.matching import assign, load_settings, prepare
from carewise.matching.batch import greedy_assignment
from carewise.matching.market import OPTION_SCHEMA
from carewise.matching.schema import NEEDS, OPTION_KINDS
from carewise.matching.shortlist import shortlist_arrays

CFG = load_settings()
DAY0 = date(2026, 11, 20)
E0, N0 = 429_317.0, 433_507.0


def _lists(rng, n, tokens, p):
    draws = rng.random((n, len(tokens))) < p
    return [[t for t, d in zip(tokens, row, strict=True) if d] for row in draws]


def random_options(n: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    kind = rng.choice(OPTION_KINDS, n, p=[0.45, 0.3, 0.18, 0.05, 0.02])
    lo = rng.choice([0, 5, 8, 11, 16], n)
    price = np.where(kind == "childrens_home", rng.normal(5200, 900, n),
                     np.where(kind == "in_house_fostering", rng.normal(420, 50, n),
                              rng.normal(850, 80, n)))
    return pl.DataFrame({
        "option_id": [f"O{i:05d}" for i in range(n)], "kind": kind, "urn": None,
        "places_free": rng.choice([0, 1, 2, 3], n, p=[0.3, 0.45, 0.2, 0.05]),
        "min_age": lo, "max_age": np.maximum(lo, rng.choice([10, 15, 17], n)),
        "sex_accepted": rng.choice(["any", "M", "F"], n, p=[0.85, 0.075, 0.075]),
        "sibling_group_max": rng.choice([1, 2, 3], n), "current_children": rng.choice([0, 1, 2], n),
        "fostering_limit_exemption": rng.random(n) < 0.03, "short_term": rng.random(n) < 0.8,
        "long_term": rng.random(n) < 0.7, "respite": rng.random(n) < 0.4,
        "parent_and_child": rng.random(n) < 0.03,
        "skills": _lists(rng, n, [*NEEDS, "uasc", "therapeutic"], 0.15),
        "languages": [[]] * n, "faiths": [[]] * n,
        "categories": _lists(rng, n, ["emotional_behavioural", "disability"], 0.5),
        "cannot_accept": _lists(rng, n, ["offending"], 0.1), "active": rng.random(n) < 0.98,
        "ofsted_grade": np.where(kind == "in_house_fostering", None, rng.choice(
            ["outstanding", "good", "requires_improvement", "inadequate"], n,
            p=[0.098, 0.698, 0.153, 0.051])),
        "contract": "framework", "price_standard": price, "price_complex": price * 1.15,
        "price_specialist": price * 1.4,
        "available_from": [DAY0 + timedelta(days=int(d)) for d in rng.integers(0, 20, n)],
        "available_to": None, "easting": E0 + rng.normal(0, 30_000, n),
        "northing": N0 + rng.normal(0, 30_000, n), "la_code": "E08000035", "resolution": "full",
    }, schema=OPTION_SCHEMA)


def random_referrals(n: int, seed: int = 2) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 18, n)
    size = np.where(rng.random(n) < 0.12, 2, 1)
    return pl.DataFrame({
        "referral_id": [f"R{i:04d}" for i in range(n)], "age": age,
        "sex": rng.choice(["M", "F"], n), **{f"need_{k}": rng.random(n) < 0.2 for k in NEEDS},
        "uasc": rng.random(n) < 0.05, "language": None, "faith_culture": None,
        "sibling_group_size": size, "siblings_together_required": size > 1,
        "placement_types": [["in_house_fostering", "agency_fostering"]
                            + (["childrens_home"] if a >= 11 else [])
                            + (["supported_accommodation"] if a >= 16 else []) for a in age],
        "duration": rng.choice(["short_term", "long_term"], n),
        "budget_weekly": np.where(age >= 11, 5500.0, 900.0),
        "max_distance_miles": np.where(rng.random(n) < 0.5, 20.0, np.nan),
        "date_needed": [DAY0 + timedelta(days=int(d)) for d in rng.integers(0, 28, n)],
        "home_easting": E0 + rng.normal(0, 8_000, n), "home_northing": N0 + rng.normal(0, 8_000, n),
        "school_easting": E0 + rng.normal(0, 8_000, n),
        "school_northing": N0 + rng.normal(0, 8_000, n), "keep_school": rng.random(n) < 0.4,
        "urgency": rng.choice(["today", "within_5_days", "over_5_days"], n),
        "previous_carers": [[]] * n, "excluded": [[]] * n,
    }, schema_overrides={"language": pl.String, "faith_culture": pl.String,
                         "previous_carers": pl.List(pl.String), "excluded": pl.List(pl.String)}
    ).with_columns(pl.col("max_distance_miles").fill_nan(None))


@pytest.fixture(scope="module")
def market_5000():
    return random_options(5000), random_referrals(500)


def test_bench_shortlist_one_referral_5000_options(benchmark, market_5000):
    options, referrals = market_5000
    o, r = prepare(options, referrals.head(1), CFG)
    result = benchmark(shortlist_arrays, r, o, CFG, "E08000035", None, 20)
    benchmark.extra_info["candidates"] = len(result.candidates)
    assert benchmark.stats.stats.median < 0.1


def test_bench_batch_500_referrals_5000_options(benchmark, market_5000):
    options, referrals = market_5000
    o, r = prepare(options, referrals, CFG)
    result = benchmark.pedantic(assign, args=(r, o, CFG), rounds=3, iterations=1)
    s = result.summary
    greedy = greedy_assignment(result.pairs, r, o, CFG)
    assert len(greedy) == s["greedy_met"]
    benchmark.extra_info.update({k: s[k] for k in (
        "met", "greedy_met", "total_score", "greedy_total_score", "extra_met_vs_greedy",
        "score_gain_vs_greedy", "candidate_pairs", "solve_seconds", "scoring_seconds")})
    assert s["met"] >= s["greedy_met"]
    assert benchmark.stats.stats.median < 5.0
