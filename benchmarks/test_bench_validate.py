"""Validation speed: every DfE rule over one year of a large synthetic council.

Goal: well under a second per year (the open-source peer validator takes ~20 s per year of a
large council on this machine, so carewise must stay at least 20 times faster). Run with
``pytest benchmarks/test_bench_validate.py --benchmark-only``.
"""

from __future__ import annotations

import pytest

from carewise.ingest import read_returns
from carewise.validate import validate_paths, validate_returns

PEER_SECONDS_PER_YEAR = 20.0


@pytest.fixture(scope="module")
def large_returns(large_council_dir):
    read = read_returns([large_council_dir])
    assert not read.errors
    return read.returns


def test_validate_one_year_of_a_large_council(benchmark, large_returns):
    latest = max(large_returns)
    validate_returns(large_returns, latest, la_code="E06000056")  # warm the postcode cache once
    result = benchmark.pedantic(
        validate_returns, args=(large_returns, latest), kwargs={"la_code": "E06000056"}, rounds=5
    )
    assert not result.internal_errors
    benchmark.extra_info["rules_run"] = result.rules_run
    benchmark.extra_info["errors"] = len(result.errors)
    benchmark.extra_info["children"] = large_returns[latest].children
    assert benchmark.stats.stats.median < PEER_SECONDS_PER_YEAR / 20


def test_read_and_validate_a_year_folder(benchmark, large_council_dir):
    """What `carewise validate FOLDER` does: read the CSV files, then run every rule."""
    folder = sorted(p for p in large_council_dir.iterdir() if p.is_dir())[-1]
    result = benchmark.pedantic(validate_paths, args=(folder,), rounds=3)
    assert result.readable
