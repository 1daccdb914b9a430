"""Many scenarios × many councils on Dask: a regional or national sweep (issue 6 §7).

Each task loads one council's history *on the worker* (from the store, or from a folder of 903
files), fits it, runs the baseline and every scenario with common random numbers and returns a
small table: per scenario and 31 March, the children looked after and the spend in the financial
year ending that day (median and 80% interval) and the difference from the baseline. Only these
summaries cross the network. The cluster is the one at ``address`` (or the
``CAREWISE_DASK_ADDRESS`` setting); otherwise a local cluster of 2 single-threaded worker
processes is started for the sweep and closed after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from carewise.errors import BadInputError, SettingError, UserFacingError
from carewise.forecast.costs import CostSettings, spend_by_period
from carewise.forecast.model import fit_model, project, summarise, summarise_difference
from carewise.forecast.scenarios import Scenario, resolve
from carewise.forecast.simulate import month_ends
from carewise.history import History

BASELINE = "baseline"
FIGURES = ("median", "p10", "p90")
"""What the sweep reports of each measure: the median and the 80% interval."""
MEASURES = ("children", "spend", "children_difference", "spend_difference")

HistorySource = History | Callable[[], History]


@dataclass
class SweepResult:
    """The sweep's table and the councils that could not be forecast (and why)."""

    table: pl.DataFrame
    failed: list[dict[str, str]] = field(default_factory=list)
    address: str = ""


# ---- where a council's history comes from (run on the worker) ------------------------------


def store_history(url: str | None, la_code: str) -> History:
    """One stored council's stitched history (the worker opens the store itself)."""
    from carewise.store import Store

    return Store(url).load_history(la_code)


def folder_history(path: str | Path) -> History:
    """One council's stitched history from its folder of 903 files (one sub-folder per year)."""
    from carewise.history import stitch
    from carewise.ingest import read_returns

    result = read_returns([Path(path)])
    if not result.returns:
        raise BadInputError(f"No 903 return could be read from {path}: give a folder of 903 CSV/XML files.")
    return stitch(result.returns)


def council_folders(root: str | Path) -> list[tuple[str, Path]]:
    """(la_code, folder) for each sub-folder of ``root``: the layout ``carewise synth --national`` writes."""
    base = Path(root)
    if not base.is_dir():
        raise BadInputError(f"{base} is not a folder: give the folder holding one sub-folder per council.")
    found = [(p.name, p) for p in sorted(base.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    if not found:
        raise BadInputError(
            f"{base} has no council sub-folders: expected {base}/<la_code>/<year>/*.csv "
            "(as `carewise synth --national --out` writes)."
        )
    return found


def region_names(la_code: str) -> set[str]:
    """Every name the council's region goes by: the DfE region (name and ONS code, from the
    published benchmarks) and the geography table's region (which splits Inner/Outer London)."""
    from carewise.benchmarks import region_of
    from carewise.geo.authorities import authorities

    names: set[str] = set()
    dfe = region_of(la_code)
    if dfe:
        names.update(dfe)
    geo = authorities().filter(pl.col("la_code") == la_code)["region_name"].to_list()
    names.update(n for n in geo if n)
    return {n.lower() for n in names}


def in_region(codes: Iterable[str], region: str) -> list[str]:
    """The councils among ``codes`` in ``region`` (a DfE region name or code, e.g. "London")."""
    wanted = region.strip().lower()
    chosen = [c for c in codes if wanted in region_names(c)]
    if not chosen:
        raise SettingError(
            f"No council here is in the region '{region}': give a DfE region such as "
            "'North West', 'London' or 'South East' (or its ONS code, e.g. E12000002)."
        )
    return chosen


# ---- one council ---------------------------------------------------------------------------


def council_task(
    la_code: str,
    history: HistorySource,
    scenarios: list[Scenario],
    horizon_months: int = 36,
    runs: int = 1000,
    seed: int = 0,
    costs: CostSettings | None = None,
) -> pl.DataFrame:
    """One council: per scenario (and the baseline) and 31 March, children, spend and differences.

    The same seed as ``carewise forecast`` gives the same baseline, and every scenario shares the
    baseline's random numbers, so its difference is the scenario's effect, not noise.
    """
    hist = history() if callable(history) else history
    costs = costs or CostSettings()
    model = fit_model(hist)
    dates = month_ends(model.origin, horizon_months)
    base = project(model, horizon_months, runs, seed)
    frames = [_rows(summarise(base, ("total",)), spend_by_period(base, costs), None, None).with_columns(
        pl.lit(BASELINE).alias("scenario"))]
    for sc in scenarios:
        proj = project(model, horizon_months, runs, seed, effects=resolve(sc, model, dates))
        frames.append(
            _rows(summarise(proj, ("total",)), spend_by_period(proj, costs), summarise_difference(base, proj),
                  spend_by_period(base, costs, other=proj)).with_columns(pl.lit(sc.name).alias("scenario"))
        )
    return pl.concat(frames, how="diagonal_relaxed").with_columns(pl.lit(la_code).alias("la_code"))


def _at_march_ends(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Total children on each 31 March, as ``prefix_median`` … columns."""
    return frame.filter(
        (pl.col("state") == "total") & (pl.col("date").dt.month() == 3) & (pl.col("date").dt.day() == 31)
    ).select("date", *(pl.col(f).alias(f"{prefix}_{f}") for f in FIGURES))


def _by_year_end(spend: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Spend per financial year, keyed by the 31 March it ends on (2025-26 → 2026-03-31)."""
    fy = spend.filter(pl.col("period_type") == "financial_year")
    end = pl.date(pl.col("period").str.slice(0, 4).cast(pl.Int32) + 1, 3, 31)
    cols = [pl.col(f).alias(f"{prefix}_{f}") for f in FIGURES]
    if prefix == "spend":
        cols = [pl.col("period").alias("financial_year"), pl.col("months").alias("spend_months"), *cols,
                pl.col("price_base")]
    return fy.select(end.alias("date"), *cols)


def _rows(summ: pl.DataFrame, spend: pl.DataFrame, diff: pl.DataFrame | None,
          spend_diff: pl.DataFrame | None) -> pl.DataFrame:
    out = _at_march_ends(summ, "children").join(_by_year_end(spend, "spend"), on="date", how="left")
    if diff is not None and spend_diff is not None:
        out = out.join(_at_march_ends(diff, "children_difference"), on="date", how="left").join(
            _by_year_end(spend_diff, "spend_difference"), on="date", how="left")
    return out


def _safe_task(la_code: str, history: HistorySource, scenarios: list[Scenario], **options: Any
               ) -> tuple[str, pl.DataFrame | None, str | None]:
    """A council whose data cannot be forecast is reported, not fatal to the whole sweep."""
    try:
        return la_code, council_task(la_code, history, scenarios, **options), None
    except UserFacingError as exc:
        return la_code, None, str(exc)


# ---- the sweep -----------------------------------------------------------------------------


def sweep(
    councils: Iterable[tuple[str, HistorySource]],
    scenarios: list[Scenario],
    address: str | None = None,
    n_workers: int = 2,
    processes: bool = True,
    progress: Callable[[int, int], None] | None = None,
    connect_timeout: str = "20s",
    **options: Any,
) -> SweepResult:
    """Run :func:`council_task` for every council on Dask; one table back (see module doc).

    ``address`` is a running scheduler, e.g. ``tcp://10.0.0.5:8786`` (the command line gives
    ``--address`` or the ``CAREWISE_DASK_ADDRESS`` setting); without one a ``LocalCluster`` of ``n_workers`` processes
    (one thread each) is started. Histories given as callables (``partial(folder_history,
    path)``) are loaded on the workers, which must then see the same files or database.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    tasks = list(councils)
    if not tasks:
        raise SettingError("There are no councils to sweep: import some, or give --from a folder of councils.")
    target = address or None
    cluster = None
    try:
        if target:
            client = Client(target, timeout=connect_timeout)
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                                   dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise SettingError(
            f"Cannot reach the Dask scheduler at {target} ({exc}): start it (`dask scheduler`), "
            "or unset CAREWISE_DASK_ADDRESS / --address to use a local cluster."
        ) from None
    scheduler = client.scheduler
    # a Client started synchronously is connected to its scheduler (or raised above)
    assert scheduler is not None and scheduler.address is not None
    used = scheduler.address
    try:
        futures = [client.submit(_safe_task, la, hist, scenarios, pure=False, **options) for la, hist in tasks]
        frames, failed = [], []
        for i, fut in enumerate(as_completed(futures), start=1):
            la, frame, problem = fut.result()
            if frame is not None:
                frames.append(frame)
            else:
                failed.append({"la_code": la, "reason": problem or ""})
            if progress:
                progress(i, len(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    table = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    if frames:
        order = {BASELINE: 0, **{s.name: i + 1 for i, s in enumerate(scenarios)}}
        table = (
            table.with_columns(pl.col("scenario").replace_strict(order, return_dtype=pl.Int32).alias("_order"))
            .sort(["la_code", "_order", "date"]).drop("_order")
            .select("la_code", "scenario", "date", pl.exclude("la_code", "scenario", "date"))
        )
    return SweepResult(table=table, failed=sorted(failed, key=lambda r: r["la_code"]), address=used)


def folder_tasks(root: str | Path) -> list[tuple[str, HistorySource]]:
    """Sweep tasks for every council folder under ``root`` (loaded on the workers)."""
    return [(la, partial(folder_history, str(path))) for la, path in council_folders(root)]


def store_tasks(url: str | None, codes: Iterable[str]) -> list[tuple[str, HistorySource]]:
    """Sweep tasks for stored councils (each worker reads its council from the store)."""
    return [(la, partial(store_history, url, la)) for la in codes]
