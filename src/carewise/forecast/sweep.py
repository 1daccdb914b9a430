"""Many scenarios × many councils on Dask: a regional or national sweep.

Each task fits one council, runs the baseline and every scenario with common random numbers
and returns small summary frames (children at each horizon year end, spend per financial year
and the difference from the baseline), so only summaries cross the network. The default is a
local cluster of 2 worker processes; give ``address`` (``tcp://host:8786``) to use a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from carewise.forecast.costs import CostSettings, spend_by_period
from carewise.forecast.model import fit_model, project, summarise, summarise_difference
from carewise.forecast.scenarios import Scenario, resolve
from carewise.forecast.simulate import month_ends
from carewise.history import History


def council_task(
    la_code: str,
    history: History | Callable[[], History],
    scenarios: list[Scenario],
    horizon_months: int = 36,
    runs: int = 1000,
    seed: int = 0,
    costs: CostSettings | None = None,
) -> pl.DataFrame:
    """One council: per scenario (and "baseline"), total children and spend at each March end."""
    hist = history() if callable(history) else history
    costs = costs or CostSettings()
    model = fit_model(hist)
    dates = month_ends(model.origin, horizon_months)
    base = project(model, horizon_months, runs, seed)
    frames = [_rows(la_code, "baseline", summarise(base, ("total",)), spend_by_period(base, costs), None, None)]
    for sc in scenarios:
        proj = project(model, horizon_months, runs, seed, effects=resolve(sc, model, dates))
        frames.append(
            _rows(la_code, sc.name, summarise(proj, ("total",)), spend_by_period(proj, costs),
                  summarise_difference(base, proj), spend_by_period(base, costs, other=proj))
        )
    return pl.concat(frames, how="diagonal_relaxed")


def _rows(la: str, name: str, summ: pl.DataFrame, spend: pl.DataFrame, diff: pl.DataFrame | None,
          spend_diff: pl.DataFrame | None) -> pl.DataFrame:
    march = summ.filter((pl.col("date").dt.month() == 3) & (pl.col("date").dt.day() == 31)).select(
        pl.col("date").cast(pl.String).alias("period"), pl.lit("children").alias("measure"),
        "mean", "median", "p10", "p90",
    )
    money = spend.filter(pl.col("period_type") == "financial_year").select(
        "period", pl.lit("spend").alias("measure"), "mean", "median", "p10", "p90"
    )
    out = [march, money]
    if diff is not None and spend_diff is not None:
        out.append(
            diff.filter((pl.col("state") == "total") & (pl.col("date").dt.month() == 3) & (pl.col("date").dt.day() == 31))
            .select(pl.col("date").cast(pl.String).alias("period"), pl.lit("children_difference").alias("measure"),
                    "mean", "median", "p10", "p90")
        )
        out.append(
            spend_diff.filter(pl.col("period_type") == "financial_year").select(
                "period", pl.lit("spend_difference").alias("measure"), "mean", "median", "p10", "p90"
            )
        )
    return pl.concat(out).with_columns(pl.lit(la).alias("la_code"), pl.lit(name).alias("scenario"))


def sweep(
    councils: Iterable[tuple[str, History | Callable[[], History]]],
    scenarios: list[Scenario],
    address: str | None = None,
    n_workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> pl.DataFrame:
    """Run :func:`council_task` for every council on Dask; one long frame back."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(council_task, la, hist, scenarios, pure=False, **options) for la, hist in councils]
        results = []
        for i, fut in enumerate(as_completed(futures), start=1):
            results.append(fut.result())
            if progress:
                progress(i, len(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return pl.concat(results, how="diagonal_relaxed").sort(["la_code", "scenario", "measure", "period"])
