"""Synthetic reviews are on time about as often as councils report (85-90%), not always."""

from __future__ import annotations

import polars as pl
import pytest

from carewise.compliance import assess
from carewise.compliance.storage import Extracts
from carewise.history import stitch
from carewise.synth import generate_council
from carewise.synth.extracts import extracts_for_council


@pytest.fixture(scope="module")
def assessed():
    council = generate_council("medium", "2021-22..2024-25", 1)
    return assess(stitch(council.returns), Extracts.from_frames(extracts_for_council(council)))


def test_reviews_on_time_like_a_real_council(assessed):
    reviews = assessed.summary["reviews_on_time"]
    assert reviews["denominator"] > 500
    assert 80 <= reviews["value"] <= 93
    assert reviews["late"] > 0 and reviews["missed"] > 0


def test_late_reviews_are_days_to_weeks_late_and_the_rate_moves_by_year(assessed):
    inst = assessed.instances.filter(
        (pl.col("requirement") == "reviews") & pl.col("assessed")
        & pl.col("status").is_in(["on_time", "late", "missed"])
    )
    late = inst.filter(pl.col("status") == "late").select((pl.col("met") - pl.col("due")).dt.total_days())
    assert late.height > 0
    assert late.to_series().median() <= 21 and late.to_series().max() <= 120
    by_year = inst.group_by(pl.col("due").dt.year().alias("year")).agg(
        (pl.col("status") == "on_time").mean().alias("rate"), pl.len()
    ).filter(pl.col("len") > 300)
    assert by_year.height >= 2
    assert by_year["rate"].is_between(0.78, 0.95).all()
    assert by_year["rate"].n_unique() > 1
