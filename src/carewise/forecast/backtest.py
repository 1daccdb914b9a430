"""Backtest: fit with the data known at a cut date, forecast forward, compare with what happened.

For each cut date the model sees only episodes started by then (episodes ending later are
open), fits rates on the reference window ending at the cut and projects. The children looked
after 3, 6 and 12 months later (from all the data) are compared with the forecast: absolute
percentage error of the median, and whether they fell inside the 80% and 95% intervals. Shown
beside every forecast so users know how far to trust it — the peer model has no backtest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from carewise.errors import SettingError
from carewise.forecast.model import (
    DEFAULT_REFERENCE_MONTHS,
    fit_model,
    months_before,
    project,
    summarise,
)
from carewise.forecast.spells import category_counts, spells
from carewise.history import History

HORIZONS = (3, 6, 12)


@dataclass
class Backtest:
    rows: pl.DataFrame
    """One row per cut date, horizon and state: predicted quantiles, observed, ape, inside_80/95."""

    def summary(self) -> dict[str, float | int | None]:
        """``mape_total_3m/6m/12m`` (percent), ``coverage_80``/``coverage_95`` (share of state-dates
        inside the interval, all horizons), ``cuts``."""
        out: dict[str, float | int | None] = {"cuts": int(self.rows["cut"].n_unique()) if self.rows.height else 0}
        for h in HORIZONS:
            sel = self.rows.filter((pl.col("state") == "total") & (pl.col("horizon_months") == h))
            out[f"mape_total_{h}m"] = float(sel["ape"].mean() * 100) if sel.height else None
        scored = self.rows.filter(pl.col("observed") > 0)
        out["coverage_80"] = float(scored["inside_80"].mean()) if scored.height else None
        out["coverage_95"] = float(scored["inside_95"].mean()) if scored.height else None
        return out

    def by_state(self) -> pl.DataFrame:
        """MAPE (percent) and coverage per state and horizon, over the cut dates."""
        return (
            self.rows.group_by(["state", "horizon_months"])
            .agg(
                (pl.col("ape").mean() * 100).alias("mape"),
                pl.col("inside_80").mean().alias("coverage_80"),
                pl.col("inside_95").mean().alias("coverage_95"),
                pl.len().alias("cuts"),
            )
            .sort(["state", "horizon_months"])
        )


def default_cuts(history: History, reference_months: int = DEFAULT_REFERENCE_MONTHS, max_horizon: int = 12) -> list[date]:
    """Every 31 March and 30 September with a full reference window before and 12 months after."""
    first, last = history.first_date, history.last_date
    if first is None or last is None:
        return []
    cuts = []
    for y in range(first.year, last.year + 1):
        for d in (date(y, 3, 31), date(y, 9, 30)):
            if months_before(d, reference_months) >= first and _add_months(d, max_horizon) <= last:
                cuts.append(d)
    return cuts


def _add_months(day: date, months: int) -> date:
    import calendar

    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def run_backtest(
    history: History,
    cuts: list[date] | None = None,
    reference_months: int = DEFAULT_REFERENCE_MONTHS,
    runs: int = 500,
    seed: int = 0,
    horizons: tuple[int, ...] = HORIZONS,
) -> Backtest:
    """Forecast from each cut date and score against the children actually looked after."""
    cuts = cuts if cuts is not None else default_cuts(history, reference_months, max(horizons))
    if not cuts:
        raise SettingError(
            f"Not enough data to backtest: a cut date needs {reference_months} months before it and "
            f"{max(horizons)} months after it. Import more years or shorten --reference-months."
        )
    truth = spells(history.episodes, history.header, as_at=history.last_date)
    frames = []
    for cut in cuts:
        model = fit_model(history, origin=cut, reference_months=reference_months)
        proj = project(model, horizon_months=max(horizons), runs=runs, seed=seed)
        summ = summarise(proj, levels=("total", "category"))
        targets = [_add_months(cut, h) for h in horizons]
        observed = category_counts(truth, targets)
        observed = pl.concat(
            [
                observed.rename({"category": "state"}),
                observed.group_by("date").agg(pl.col("count").sum()).with_columns(pl.lit("total").alias("state")).select("date", "state", "count"),
            ]
        )
        month_end = {t: max(d for d in proj.dates if d <= t) for t in targets}
        pred = summ.filter(pl.col("date").is_in(list(month_end.values())))
        lookup = pl.DataFrame(
            {"date": list(month_end.values()), "target": targets, "horizon_months": list(horizons)}
        )
        joined = (
            pred.join(lookup, on="date")
            .join(observed.rename({"date": "target", "count": "observed"}), on=["target", "state"])
            .with_columns(
                pl.lit(cut).alias("cut"),
                ((pl.col("median") - pl.col("observed")).abs() / pl.col("observed")).alias("ape"),
                ((pl.col("observed") >= pl.col("p10")) & (pl.col("observed") <= pl.col("p90"))).alias("inside_80"),
                ((pl.col("observed") >= pl.col("p2_5")) & (pl.col("observed") <= pl.col("p97_5"))).alias("inside_95"),
            )
        )
        frames.append(
            joined.select(
                "cut", "horizon_months", "target", "state", "observed", "mean", "median", "p10", "p90", "p2_5", "p97_5",
                pl.when(pl.col("observed") > 0).then(pl.col("ape")).otherwise(None).alias("ape"),
                "inside_80", "inside_95",
            )
        )
    return Backtest(rows=pl.concat(frames).sort(["cut", "horizon_months", "state"]))
