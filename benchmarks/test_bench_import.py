"""Import speed: reading and storing 903 returns (goal: a large council's 5 years in under 2 s).

Run with ``pytest benchmarks/test_bench_import.py --benchmark-only``; the national-size run is
marked ``slow`` (``-m slow``) and reports its peak memory.
"""

from __future__ import annotations

import resource
import time

import pytest

from carewise.ingest import read_returns
from carewise.store import Store


def _import(folder, db_path):
    if db_path.exists():
        db_path.unlink()
    store = Store(f"sqlite:///{db_path}")
    read = read_returns([folder])
    assert not read.errors
    store.import_returns("E06000056", read.returns.values())
    return read


def test_read_large_council_five_years(benchmark, large_council_dir):
    read = benchmark(read_returns, [large_council_dir])
    assert len(read.returns) == 5 and not read.errors


def test_import_large_council_five_years(benchmark, large_council_dir, tmp_path):
    """Read and store (one transaction per import) on the embedded SQLite store."""
    Store(f"sqlite:///{tmp_path / 'warm.db'}")  # migrations and imports warmed outside the timing
    read = benchmark.pedantic(_import, args=(large_council_dir, tmp_path / "b.db"), rounds=3, iterations=1)
    rows = sum(sum(r.counts().values()) for r in read.returns.values())
    benchmark.extra_info["rows"] = rows
    benchmark.extra_info["children"] = sum(r.children for r in read.returns.values())


def test_load_history_large_council(benchmark, large_council_dir, tmp_path):
    _import(large_council_dir, tmp_path / "h.db")
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    history = benchmark(store.load_history, "E06000056")
    assert history.episodes.height > 0


@pytest.mark.slow
def test_national_synth_and_import(benchmark, tmp_path):
    """~80,000 children looked after at a time, 153 councils, 5 years: synth, then import each council."""
    from carewise.returns.years import year_range
    from carewise.synth import generate_national

    def run():
        out = tmp_path / "national"
        started = time.perf_counter()
        councils = list(generate_national(year_range("2021-22..2025-26"), seed=1, out_dir=out))
        synth_seconds = time.perf_counter() - started
        store = Store(f"sqlite:///{tmp_path / 'national.db'}")
        started = time.perf_counter()
        rows = 0
        for council in councils:
            read = read_returns([out / council.la_code])
            rows += sum(sum(r.counts().values()) for r in read.returns.values())
            store.import_returns(council.la_code, read.returns.values(), synthetic=True)
        return synth_seconds, time.perf_counter() - started, rows, len(councils)

    synth_s, import_s, rows, n = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(
        synth_seconds=round(synth_s, 1), import_seconds=round(import_s, 1), rows=rows, councils=n,
        peak_memory_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
