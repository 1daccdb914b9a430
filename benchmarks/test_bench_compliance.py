"""Compliance for every child of a large council over 5 years: under a second.

A large synthetic council (about 1,000 children looked after at a time, 2021-22 to 2025-26,
some 7,800 episodes) with its synthetic local extracts (about 54,000 visits, 17,000 PA contacts
…): every requirement's due dates for every child, per-child status, summary rates and worker
attribution, i.e. ``carewise.compliance.assess``.

    .venv/bin/pytest benchmarks/test_bench_compliance.py -s --benchmark-only
"""

from __future__ import annotations

import pytest

from carewise.compliance import assess
from carewise.compliance.storage import Extracts
from carewise.history import stitch
from carewise.synth.extracts import generate_extracts

BUDGET_SECONDS = 1.0


@pytest.fixture(scope="module")
def large():
    from carewise.synth import generate_council

    council = generate_council("large", "2021-22..2025-26", seed=1)
    history = stitch(council.returns)
    extracts = Extracts.from_frames(generate_extracts(history, seed=1))
    assess(history, extracts)  # warm: bank holiday calendar, polars' first run
    return history, extracts


def test_compliance_large_council_five_years(benchmark, large):
    history, extracts = large
    result = benchmark.pedantic(assess, args=(history, extracts), rounds=5, iterations=1)
    assert result.instances.height > 50_000
    assert result.summary["visits_on_time"]["denominator"] > 5_000
    assert benchmark.stats.stats.mean < BUDGET_SECONDS, f"{benchmark.stats.stats.mean:.2f} s"
