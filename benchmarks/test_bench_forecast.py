"""Forecast speed and accuracy against the peer models (cs-demand-model 0.5.1 from PyPI and its
regional successor from GitHub).

Speed: carewise's 1,000-run stochastic projection over 3 years of a large synthetic council
(about 1,200 children looked after, 2020-21 to 2025-26) vs the PyPI peer's single deterministic
run. Accuracy: ``benchmarks/peer/compare_forecasts.py`` (same data as received at each cut,
same cuts, same truth) on two councils, one of them growing. The peers live in their own venvs
(``bash benchmarks/peer/setup_peer.sh`` (.peer/demand-venv) and
``bash benchmarks/peer/setup_regional_peer.sh``); without them their columns say "absent".

    .venv/bin/pytest benchmarks/test_bench_forecast.py -s   (not --benchmark-only: it skips the peer)
"""

from __future__ import annotations

import contextlib
import json
import resource
import sys
import time
from pathlib import Path

import pytest

from carewise.forecast import fit_model, project
from carewise.forecast.model import months_before
from carewise.history import stitch

sys.path.insert(0, str(Path(__file__).parent / "peer"))
import compare_forecasts as peers  # noqa: E402

RESULTS: dict[str, float] = {}


@pytest.fixture(scope="module")
def council():
    from carewise.synth import generate_council

    return generate_council(1200, "2020-21..2025-26", seed=11)


@pytest.fixture(scope="module")
def history(council):
    return stitch(council.returns)


def test_carewise_1000_runs_3_years(benchmark, history):
    """The per-child simulation: 1,000 runs x 36 months (wall and CPU seconds, peak memory)."""
    model = fit_model(history)
    cpu: list[float] = []

    def run():
        started = time.process_time()
        out = project(model, 36, 1000, 0)
        cpu.append(time.process_time() - started)
        return out

    proj = benchmark.pedantic(run, rounds=3, iterations=1)
    RESULTS["carewise_seconds"] = benchmark.stats.stats.mean
    RESULTS["carewise_cpu_seconds"] = min(cpu)
    RESULTS["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    RESULTS["children_at_start"] = model.start.size
    assert proj.counts.shape[1] == 1000


def test_peer_single_run_3_years(council, history, tmp_path):
    if not peers.PYPI_PYTHON.exists():
        pytest.skip("peer venv absent: run `bash benchmarks/peer/setup_peer.sh` to compare with cs-demand-model")
    end = history.last_date
    folder = peers.write_pypi_folder(council.returns, tmp_path / "pypi")
    t0 = time.perf_counter()
    res = peers.run_pypi(folder, months_before(end, 24), end, [end.replace(year=end.year + 3)])
    RESULTS["peer_wall_seconds"] = time.perf_counter() - t0
    assert "totals" in res, res
    RESULTS["peer_predict_seconds"] = res["predict_seconds"]
    if "carewise_seconds" in RESULTS:
        RESULTS["speedup_vs_peer_predict"] = res["predict_seconds"] / RESULTS["carewise_seconds"]
    print("\nforecast speed:", json.dumps(RESULTS, indent=1))


def test_backtest_error_vs_peers(tmp_path):
    """Error of the total at 3, 6 and 12 months, per case and on average, both peers."""
    rows = []
    for case in peers.QUICK:
        rows.extend(peers.compare_council(case, tmp_path, runs=1000))
    print("\nbacktest vs peers:\n" + peers.report(rows))
    assert all(r["carewise"] is not None for r in rows)


class _PeakMemory:
    """Peak resident memory of this process and its children (the Dask workers), sampled."""

    def __init__(self, every: float = 0.25) -> None:
        import threading

        self.peak = 0
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self._every)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.slow
def test_national_sweep_on_local_cluster(benchmark, tmp_path):
    """Every synthetic council (national sizes, 2022-23..2024-25), baseline + 1 scenario, 1,000 runs,
    on the default local cluster (2 worker processes, 1 thread each): seconds and peak memory."""
    from carewise.forecast.scenarios import Change, Scenario
    from carewise.forecast.sweep import folder_tasks, sweep
    from carewise.returns.years import year_range
    from carewise.synth import generate_national

    out = tmp_path / "national"
    started = time.perf_counter()
    n = sum(1 for _ in generate_national(year_range("2022-23..2024-25"), seed=1, out_dir=out))
    synth_seconds = time.perf_counter() - started
    scenario = Scenario("fewer_residential", "", [Change("residential_entries", change=-0.25)])

    def run():
        with _PeakMemory() as mem:
            result = sweep(folder_tasks(out), [scenario], runs=1000, seed=0)
        return result, mem.peak

    result, peak = benchmark.pedantic(run, rounds=1, iterations=1)
    assert result.table["la_code"].n_unique() + len(result.failed) == n
    benchmark.extra_info.update(
        councils=n, failed=len(result.failed), synth_seconds=round(synth_seconds, 1),
        sweep_seconds=round(benchmark.stats.stats.mean, 1),
        peak_memory_mb_all_processes=round(peak / 2**20),
        peak_memory_mb_main=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    print(f"\nnational sweep: {n} councils, {benchmark.stats.stats.mean:.1f} s, "
          f"peak {peak / 2**20:.0f} MB (main + workers), failed {result.failed}")
