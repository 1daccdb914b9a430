"""Speed of the synthetic generator: a large council over 5 years, and the national set.

Run alone: ``.venv/bin/pytest benchmarks/test_bench_synth.py -k national``.
"""

from __future__ import annotations

import resource

import pytest

from carewise.synth import generate_council, generate_national, write_council


def test_bench_large_council_five_years(benchmark, tmp_path):
    council = benchmark.pedantic(
        lambda: generate_council("large", "2021-22..2025-26", seed=1), rounds=1, iterations=1)
    write_council(council, tmp_path)
    children = {c for r in council.returns.values() for c in r.raw["header"]["CHILD"].to_list()}
    rows = sum(f.height for r in council.returns.values() for f in r.raw.values())
    benchmark.extra_info.update(children=len(children), rows=rows)
    assert rows <= 100_000


@pytest.mark.slow
def test_bench_national(benchmark, tmp_path):
    def run() -> int:
        return sum(1 for _ in generate_national("2021-22..2025-26", seed=1, out_dir=tmp_path))

    made = benchmark.pedantic(run, rounds=1, iterations=1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    benchmark.extra_info.update(councils=made, peak_rss_mb=round(peak_mb))
    assert made >= 150
