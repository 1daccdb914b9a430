"""Backtest: forecast with only what was known at a cut date, compare with what happened.

A backtest that can see the future flatters the model, so each cut date sees only the returns
received by then (:func:`known_at`: the collection years that ended on or before the cut, each
as it was submitted — a later correction, such as a provider recoded, is not visible). The
forecast starts where that data ends (31 March of the last year received) and the outcome is
scored at 3, 6 and 12 months after the cut against the children looked after then according to
all the data (the truth as now known).

Cut dates roll: every quarter end with two years of data known before it and 12 months of
outcomes after it (:func:`default_cuts`; each fit uses up to the reference window's months of the
data known then). Error and coverage are reported separately for the
total and for each placement category (:meth:`Backtest.calibration`) — pooling categories with
the total hides a total that misses. Shown beside every forecast; the peer models have none.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from carewise.errors import SettingError
from carewise.forecast.checks import ForecastWarning, ends_early, unbroken_years
from carewise.forecast.model import (
    DEFAULT_REFERENCE_MONTHS,
    fit_model,
    months_before,
    project,
    summarise,
)
from carewise.forecast.spells import category_counts, spells
from carewise.forecast.states import CATEGORIES
from carewise.history import History, stitch
from carewise.returns.frames import as_float
from carewise.returns.model import Return
from carewise.returns.years import CollectionYear

HORIZONS = (3, 6, 12)
HISTORY_MONTHS = 24
"""A rolling cut needs two years of returns received before it (issue 14); each fit then uses
up to its reference window of them (:data:`model.DEFAULT_REFERENCE_MONTHS`, clipped to the data)."""
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))

Returns = Mapping[CollectionYear, Return] | Iterable[Return]
"""A council's returns as received, one per collection year."""


def known_at(returns: Returns, cut: date) -> History:
    """The council's history as it could be known at ``cut``: the returns received by then
    (``stitch(known_at=)``: a collection year once it has ended, a correction once it was
    imported), stitched."""
    history = stitch(returns, known_at=cut)
    if not history.years:
        raise SettingError(f"No return had been received by {cut}: choose a later cut date.")
    return history


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


_add_months = add_months  # kept for callers of the old private name


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass
class Backtest:
    rows: pl.DataFrame
    """One row per cut, horizon and state: data_end (where the forecast started), predicted
    quantiles, observed, ape, inside_80, inside_95."""
    as_received: bool = True
    """False when only a stitched history was given: later corrections may leak into the fit."""
    warnings: list[ForecastWarning] = field(default_factory=list)
    """What was set aside (``gap_in_years``: the years before a missing one; ``data_end_early``:
    the months after the returns stop, where no outcome is scored)."""

    def summary(self) -> dict[str, float | int | bool | None]:
        """``cuts``; ``mape_total_3m/6m/12m`` (percent); ``coverage_total_80_12m`` /
        ``coverage_total_95_12m`` (share of cuts whose 12-month total fell inside the range);
        ``coverage_80`` / ``coverage_95`` (pooled over the total and categories and all horizons,
        kept for older readers); ``as_received``."""
        out: dict[str, float | int | bool | None] = {
            "cuts": int(self.rows["cut"].n_unique()) if self.rows.height else 0,
            "as_received": self.as_received,
        }
        total = self.rows.filter(pl.col("state") == "total")
        for h in HORIZONS:
            sel = total.filter(pl.col("horizon_months") == h)
            out[f"mape_total_{h}m"] = as_float(sel["ape"].mean()) * 100 if sel.height else None
            for level in (80, 95):
                out[f"coverage_total_{level}_{h}m"] = as_float(sel[f"inside_{level}"].mean()) if sel.height else None
        scored = self.rows.filter(pl.col("observed") > 0)
        out["coverage_80"] = as_float(scored["inside_80"].mean()) if scored.height else None
        out["coverage_95"] = as_float(scored["inside_95"].mean()) if scored.height else None
        return out

    def calibration(self) -> pl.DataFrame:
        """Per state (total first, then categories) and horizon: cuts, MAPE and mean signed
        error (percent), and the share of cuts inside the 80% and 95% ranges."""
        order = {s: i for i, s in enumerate(["total", *CATEGORIES])}
        return (
            self.rows.group_by(["state", "horizon_months"])
            .agg(
                pl.len().alias("cuts"),
                (pl.col("ape").mean() * 100).alias("mape"),
                ((pl.col("median") - pl.col("observed")) / pl.col("observed")).filter(pl.col("observed") > 0)
                .mean().mul(100).alias("bias"),
                pl.col("inside_80").mean().alias("coverage_80"),
                pl.col("inside_95").mean().alias("coverage_95"),
            )
            .with_columns(pl.col("state").replace_strict(order, default=len(order)).alias("_o"))
            .sort(["_o", "horizon_months"])
            .drop("_o")
        )

    def by_state(self) -> pl.DataFrame:
        """The calibration table (older name)."""
        return self.calibration()


def default_cuts(history: History, reference_months: int = HISTORY_MONTHS, max_horizon: int = 12,
                 data_end: date | None = None) -> list[date]:
    """Every quarter end with ``reference_months`` of data known before it and ``max_horizon``
    months of outcomes after it, within the data (to ``data_end``, default the last year's end)."""
    first, last = history.first_date, data_end or history.last_date
    if first is None or last is None:
        return []
    cuts = []
    for y in range(first.year, last.year + 1):
        for m, d in QUARTER_ENDS:
            cut = date(y, m, d)
            known = _known_end(history, cut)
            if known is None or months_before(known, reference_months) < first:
                continue
            if add_months(cut, max_horizon) <= last:
                cuts.append(cut)
    return cuts


def _known_end(history: History, cut: date) -> date | None:
    """The last day of the latest collection year that ended on or before ``cut``."""
    ends = [y.end for y in history.years if y.end <= cut]
    return max(ends) if ends else None


def run_backtest(
    history: History,
    cuts: list[date] | None = None,
    reference_months: int = DEFAULT_REFERENCE_MONTHS,
    runs: int = 500,
    seed: int = 0,
    horizons: tuple[int, ...] = HORIZONS,
    returns: Returns | None = None,
    council: str | None = None,
) -> Backtest:
    """Forecast from each cut with the data known then and score against what happened.

    With ``returns`` (the council's returns per collection year, as received) each cut sees
    only :func:`known_at` the cut. Without them the stitched ``history`` is cut at the date
    (episodes starting later dropped, later ends left open), which cannot undo corrections made
    in later returns; the result says so (``as_received`` False). With ``council``, each fit
    borrows from the statistical neighbours' figures published by its origin (:mod:`neighbours`).
    Only the unbroken run of collection years ending with the latest is used
    (:func:`checks.unbroken_years`).
    """
    gap = None
    if history.last_date is not None:  # across a missing year the truth would count children who left in it
        history, gap = unbroken_years(history, history.last_date)
        if returns is not None:
            items = returns.values() if isinstance(returns, Mapping) else returns
            returns = [r for r in items if r.year in history.years]
    early = ends_early(history, history.last_date) if history.last_date is not None else None
    history_months = min(reference_months, HISTORY_MONTHS)  # outcomes only where the returns have data:
    cuts = cuts if cuts is not None else default_cuts(history, history_months, max(horizons),
                                                      data_end=early[0] if early else None)
    if not cuts:
        raise SettingError(
            f"Not enough data to backtest: a cut date needs {history_months} months of returns before it "
            f"and {max(horizons)} months after it. Import more years or shorten --reference-months."
            + (f" {gap.message}" if gap else "")
        )
    truth = spells(history, as_at=history.last_date)
    by_origin: dict[date, list[date]] = {}
    for cut in cuts:
        origin = _known_end(history, cut) if returns is not None else cut
        if origin is None:
            raise SettingError(f"No return had been received by {cut}: choose a later cut date.")
        by_origin.setdefault(origin, []).append(cut)
    frames = []
    for origin, its_cuts in sorted(by_origin.items()):
        known = known_at(returns, origin) if returns is not None else history
        model = fit_model(known, origin=origin, reference_months=reference_months, council=council)
        targets = {(cut, h): add_months(cut, h) for cut in its_cuts for h in horizons}
        months = max(_months_between(origin, t) for t in targets.values())
        proj = project(model, horizon_months=max(months, 1), runs=runs, seed=seed)
        summ = summarise(proj, levels=("total", "category"))
        frames.append(_score(summ, proj.dates, truth, targets, origin))
    return Backtest(rows=pl.concat(frames).sort(["cut", "horizon_months", "state"]), as_received=returns is not None,
                    warnings=[w for w in (gap, early[1] if early else None) if w])


def _score(summ: pl.DataFrame, dates: list[date], truth: pl.DataFrame,
           targets: dict[tuple[date, int], date], origin: date) -> pl.DataFrame:
    """Join the forecast at each target's month end with the children observed on the target."""
    days = sorted(set(targets.values()))
    observed = category_counts(truth, days)
    observed = pl.concat([
        observed.rename({"category": "state"}),
        observed.group_by("date").agg(pl.col("count").sum()).with_columns(pl.lit("total").alias("state"))
        .select("date", "state", "count"),
    ]).rename({"date": "target", "count": "observed"})
    lookup = pl.DataFrame(
        {
            "cut": [c for c, _ in targets],
            "horizon_months": [h for _, h in targets],
            "target": list(targets.values()),
            "date": [max(d for d in dates if d <= t) for t in targets.values()],
        }
    )
    return (
        lookup.join(summ, on="date")
        .join(observed, on=["target", "state"])
        .with_columns(
            pl.lit(origin).alias("data_end"),
            pl.when(pl.col("observed") > 0)
            .then((pl.col("median") - pl.col("observed")).abs() / pl.col("observed"))
            .otherwise(None).alias("ape"),
            ((pl.col("observed") >= pl.col("p10")) & (pl.col("observed") <= pl.col("p90"))).alias("inside_80"),
            ((pl.col("observed") >= pl.col("p2_5")) & (pl.col("observed") <= pl.col("p97_5"))).alias("inside_95"),
        )
        .select("cut", "data_end", "horizon_months", "target", "state", "observed", "mean", "median",
                "p10", "p90", "p2_5", "p97_5", "ape", "inside_80", "inside_95")
    )
