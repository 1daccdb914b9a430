"""Speed of the synthetic generator: a large council over 5 years, and the national set.

The national set is marked slow; run it alone:
``.venv/bin/pytest benchmarks/test_bench_synth.py -k national -m slow``.
Peak memory (``ru_maxrss``) is recorded in ``extra_info``; it includes the English postcodes
(loaded once per process, from a parquet cache after the first run).
"""

from __future__ import annotations

import resource

import pytest

from carewise.synth import generate_council, generate_national, write_council
from carewise.synth.places import postcodes


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def test_bench_large_council_five_years(benchmark, tmp_path):
    postcodes()  # once per process, shared by every council

    def run():
        council = generate_council("large", "2021-22..2025-26", seed=1)
        write_council(council, tmp_path)
        return council

    council = benchmark.pedantic(run, rounds=3, iterations=1)
    children = {c for r in council.returns.values() for c in r.raw["header"]["CHILD"].to_list()}
    rows = sum(f.height for r in council.returns.values() for f in r.raw.values())
    benchmark.extra_info.update(children=len(children), rows=rows, peak_rss_mb=_peak_mb())
    assert rows <= 100_000


@pytest.mark.slow
def test_bench_national(benchmark, tmp_path):
    def run() -> int:
        return sum(1 for _ in generate_national("2021-22..2025-26", seed=1, out_dir=tmp_path))

    made = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(councils=made, peak_rss_mb=_peak_mb())
    assert made >= 150
