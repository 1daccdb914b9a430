"""Speed of the measures: every measure for a large council over 5 years (target < 5 s), and for
every council of the national-size synthetic set (target < 60 s).

Run alone: ``.venv/bin/pytest benchmarks/test_bench_measures.py -k large`` (the national one is
marked slow: generating the set takes several minutes before the timed part).

Measured November 2026 on the shared 2-core machine (load 4-17): large council 0.23-0.34 s per
round; national set (152 councils) 22 s once the postcode directory is loaded (82 s before
frames, tables and comparators were cached per history / per DfE column).
"""

from __future__ import annotations

import pytest

from carewise.history import stitch
from carewise.measures import MEASURES, evaluate
from carewise.measures.frames import cache_for


@pytest.fixture(scope="module")
def large():
    from carewise.synth import generate_council

    council = generate_council("large", "2020-21..2024-25", seed=1)
    return council.la_code, council.returns


def test_bench_large_council_all_measures(benchmark, large):
    la_code, returns = large

    def run():
        history = stitch(returns)  # a fresh history each round: nothing cached from the last
        return evaluate(history, "2024-25", la_code, "internal")

    results = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info.update(measures=len(results))
    assert len(results) == len(MEASURES)
    assert benchmark.stats.stats.mean < 5


def test_bench_large_council_panel_family(benchmark, large):
    """Panel figures: the year's whole table family (the year, its 4 quarters and the explorer's
    one-filter views) computed and suppressed together (carewise.measures.family), once per
    import; every later panel request for that year is a slice of it. Target < 10 s.

    Measured December 2026 on the shared 2-core machine: 1.3-2.1 s (mean 1.7 s; internal 0.4 s)."""
    la_code, returns = large

    def run():
        history = stitch(returns)
        return evaluate(history, "2024-25", la_code, "panel")

    results = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    assert len(results) == len(MEASURES)
    assert benchmark.stats.stats.mean < 10


@pytest.mark.slow
def test_bench_national_all_measures(benchmark):
    from carewise.synth import generate_national

    histories = [(c.la_code, stitch(c.returns)) for c in generate_national("2020-21..2024-25", seed=1)]

    def run():
        total = 0
        for la_code, history in histories:
            cache_for(history).clear()
            total += len(evaluate(history, "2024-25", la_code, "panel"))
        return total

    total = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(councils=len(histories), results=total)
    assert benchmark.stats.stats.mean < 60
