"""Forecast speed and accuracy against the peer model (cs-demand-model 0.5.1, PyPI).

Same run, same large synthetic council (about 1,200 children looked after, 2020-21 to
2025-26): carewise's 1,000-run stochastic projection over 3 years vs the peer's single
deterministic run, and backtest error (MAPE of the total at 3, 6 and 12 months) of both on the
same cut dates and reference windows. The peer lives in its own venv (it pins pandas<2 and
numpy<2): create it with ``bash benchmarks/peer/setup_peer.sh``; without it the peer tests skip.

    .venv/bin/pytest benchmarks/test_bench_forecast.py -s   (not --benchmark-only: it skips the peer)
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carewise.forecast import fit_model, project
from carewise.forecast.backtest import _add_months, run_backtest
from carewise.forecast.spells import category_counts, spells
from carewise.history import stitch

PEER_PYTHON = Path("/tmp/peer-venv/bin/python")
RUNNER = Path(__file__).parent / "peer" / "run_peer.py"
CUTS = [date(2024, 3, 31), date(2024, 9, 30), date(2025, 3, 31)]
RESULTS: dict[str, float] = {}


@pytest.fixture(scope="module")
def council():
    from carewise.synth import generate_council

    return generate_council(1200, "2020-21..2025-26", seed=11)


@pytest.fixture(scope="module")
def history(council):
    return stitch(council.returns)


@pytest.fixture(scope="module")
def peer_folder(council, tmp_path_factory) -> Path:
    """The council's episodes and header in the peer's layout: END_YEAR/episodes.csv (dd/mm/YYYY),
    without short breaks (LS V3/V4), which both models then leave out as DfE does."""
    root = tmp_path_factory.mktemp("peer")
    for year, ret in council.returns.items():
        if ret.episodes == 0:
            continue
        folder = root / str(year.start_year + 1)
        folder.mkdir()
        for name in ("episodes", "header"):
            frame = ret.table(name).drop("_row")
            if name == "episodes":  # short breaks are not in DfE's figures; the peer cannot tell
                frame = frame.filter(pl.col("LS").is_null() | ~pl.col("LS").is_in(["V3", "V4"]))
            frame = frame.with_columns(
                [pl.col(c).dt.strftime("%d/%m/%Y") for c, t in frame.schema.items() if t == pl.Date]
            )
            frame.write_csv(folder / f"{name}.csv")
    return root


def _peer(folder: Path, ref_start: date, ref_end: date, days: int, checks: list[date]) -> dict:
    if not PEER_PYTHON.exists():
        pytest.skip("peer venv absent: run `bash benchmarks/peer/setup_peer.sh` to compare with cs-demand-model")
    proc = subprocess.run(
        [str(PEER_PYTHON), str(RUNNER), str(folder), ref_start.isoformat(), ref_end.isoformat(), str(days),
         *[c.isoformat() for c in checks]],
        capture_output=True, text=True, timeout=900, check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"peer model failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_carewise_1000_runs_3_years(benchmark, history):
    model = fit_model(history)
    proj = benchmark.pedantic(lambda: project(model, 36, 1000, 0), rounds=3, iterations=1)
    RESULTS["carewise_seconds"] = benchmark.stats.stats.mean
    RESULTS["children_at_start"] = model.start.size
    assert proj.counts.shape[1] == 1000


def test_peer_single_run_3_years(history, peer_folder):
    end = history.last_date
    start = date(end.year - 2, end.month, end.day)
    t0 = time.perf_counter()
    res = _peer(peer_folder, start, end, 3 * 365, [])
    RESULTS["peer_wall_seconds"] = time.perf_counter() - t0
    RESULTS["peer_predict_seconds"] = res["predict_seconds"]
    if "carewise_seconds" in RESULTS:
        RESULTS["speedup_vs_peer_predict"] = res["predict_seconds"] / RESULTS["carewise_seconds"]
    print("\nforecast speed:", json.dumps(RESULTS, indent=1))


def test_backtest_error_vs_peer(history, peer_folder):
    """MAPE of the total children looked after at 3, 6, 12 months, same cuts and windows."""
    ours = run_backtest(history, cuts=CUTS, reference_months=24, runs=1000)
    truth = spells(history.episodes, history.header, as_at=history.last_date)
    peer_ape: dict[int, list[float]] = {3: [], 6: [], 12: []}
    for cut in CUTS:
        checks = [_add_months(cut, h) for h in (3, 6, 12)]
        res = _peer(peer_folder, _add_months(cut, -24), cut, 370, checks)
        observed = category_counts(truth, checks).group_by("date").agg(pl.col("count").sum())
        for h, d in zip((3, 6, 12), checks, strict=True):
            obs = observed.filter(pl.col("date") == d)["count"].item()
            peer_ape[h].append(abs(res["totals"][d.isoformat()] - obs) / obs * 100)
    summary = ours.summary()
    report = {
        **{f"carewise_mape_total_{h}m": round(summary[f"mape_total_{h}m"], 2) for h in (3, 6, 12)},
        **{f"peer_mape_total_{h}m": round(sum(v) / len(v), 2) for h, v in peer_ape.items()},
        "carewise_coverage_80": round(summary["coverage_80"], 3),
        "carewise_coverage_95": round(summary["coverage_95"], 3),
    }
    print("\nbacktest vs peer:", json.dumps(report, indent=1))
    assert summary["mape_total_12m"] is not None


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
