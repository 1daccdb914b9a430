"""One council's forecast as pages and reports show it: baseline, costs, backtest, PA caseload.

:func:`build_overview` fits the model, runs the baseline, prices it, backtests it and works out
the Personal Adviser caseload, once; the web app caches the result per council and data
version, the panel pack builds it for its section. :func:`compare` runs a scenario against a
built overview's baseline with the same random numbers. :func:`display` turns a projected or
observed number into what an audience may see (panel and public: 1 to 4 as ``x``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import altair as alt
import polars as pl

from carewise.disclosure import current
from carewise.errors import SettingError
from carewise.forecast.backtest import run_backtest
from carewise.forecast.checks import not_priced
from carewise.forecast.costs import CostSettings, spend_by_period
from carewise.forecast.model import (
    FittedModel,
    fit_model,
    months_before,
    project,
    summarise,
    summarise_difference,
)
from carewise.forecast.pa_caseload import PaAssumptions, pa_caseload
from carewise.forecast.scenarios import Scenario, resolve
from carewise.forecast.simulate import Projection, month_ends
from carewise.forecast.spells import category_counts
from carewise.forecast.states import CATEGORIES, CATEGORY_LABELS
from carewise.history import History


@dataclass
class Overview:
    """A council's baseline forecast and everything shown beside it."""

    model: FittedModel
    projection: Projection
    runs: int
    seed: int
    summary: pl.DataFrame
    """Total and per category: date, level, state, mean, median, p10, p90, p2_5, p97_5."""
    observed: pl.DataFrame
    """Children looked after at the month ends before the origin: date, state, count."""
    spend: pl.DataFrame
    """Per financial year: period, months, mean, median, p10, p90, p2_5, p97_5 (pounds)."""
    backtest: dict[str, Any] = field(default_factory=dict)
    """``mape_total_3m/6m/12m``, ``coverage_80``, ``coverage_95``, ``cuts``; or ``not_available``."""
    pa: pl.DataFrame | None = None
    pa_error: str | None = None
    costs: CostSettings = field(default_factory=CostSettings)
    seconds: float = 0.0

    @property
    def origin(self) -> date:
        return self.model.origin


def choose_runs(model: FittedModel, budget_seconds: float, most: int = 1000, fewest: int = 200,
                horizon_months: int = 36) -> int:
    """The most runs (in hundreds, ``fewest`` to ``most``) a projection can do within the budget,
    timed on a short trial of 50 runs."""
    t0 = time.perf_counter()
    project(model, horizon_months, 50, seed=0)
    per_run = (time.perf_counter() - t0) / 50
    fits = int(budget_seconds / per_run) // 100 * 100 if per_run > 0 else most
    return max(fewest, min(most, fits))


def _observed(model: FittedModel, months: int = 24) -> pl.DataFrame:
    """Children per category and in total at each of the ``months`` month ends up to the origin."""
    first = months_before(model.origin, months)
    days = [d for d in month_ends(date(first.year, first.month, 1), months) if d <= model.origin]
    if model.origin not in days:
        days.append(model.origin)
    counts = category_counts(model.spells, days).filter(pl.col("date") >= model.rates.window_start)
    total = counts.group_by("date").agg(pl.col("count").sum()).with_columns(pl.lit("total").alias("category"))
    return pl.concat([counts, total.select("date", "category", "count")]).rename({"category": "state"}).sort("date")


def build_overview(
    history: History,
    runs: int | None = 1000,
    seed: int = 0,
    horizon_months: int = 36,
    budget_seconds: float | None = None,
    backtest_runs: int = 200,
    costs: CostSettings | None = None,
    pa_assumptions: PaAssumptions | None = None,
    origin: date | None = None,
    returns: Any = None,
    council: str | None = None,
) -> Overview:
    """Fit, project ``runs`` futures (or as many as fit ``budget_seconds``), price, backtest, PA.

    ``origin`` (default: the end of the data) is where the forecast starts; the backtest uses
    the cut dates with 12 months of data after them up to the end of the data, each seeing only
    the ``returns`` (per collection year, as received) that had come in by then. With ``council``
    (ONS code) the rates borrow from its statistical neighbours (``model.borrowing``)."""
    t0 = time.perf_counter()
    costs = costs or CostSettings()
    model = fit_model(history, origin=origin, council=council)
    if budget_seconds is not None:
        runs = choose_runs(model, budget_seconds, most=runs or 1000, horizon_months=horizon_months)
    runs = runs or 1000
    proj = project(model, horizon_months, runs, seed)
    summary = summarise(proj, ("total", "category"))
    spend = _financial_years(proj, costs)
    if spend is None:  # months before the price index: the children are forecast, spend is not
        model.warnings.append(not_priced())
        spend = _NO_SPEND
    try:
        result = run_backtest(history, runs=backtest_runs, seed=seed, returns=returns, council=council)
        backtest: dict[str, Any] = {k: (round(v, 4) if isinstance(v, float) else v)
                                    for k, v in result.summary().items()}
        backtest["calibration"] = result.calibration().to_dicts()
    except SettingError as exc:
        backtest = {"not_available": str(exc)}
    try:
        pa, pa_error = pa_caseload(history, pa_assumptions, as_at=model.origin), None
    except SettingError as exc:
        pa, pa_error = None, str(exc)
    return Overview(model=model, projection=proj, runs=runs, seed=seed, summary=summary,
                    observed=_observed(model), spend=spend, backtest=backtest, pa=pa, pa_error=pa_error,
                    costs=costs, seconds=time.perf_counter() - t0)


_NO_SPEND = pl.DataFrame(schema={"period": pl.String, "months": pl.Int64, "mean": pl.Float64, "median": pl.Float64,
                                 "p10": pl.Float64, "p90": pl.Float64, "p2_5": pl.Float64, "p97_5": pl.Float64,
                                 "price_base": pl.String})


def _financial_years(proj: Projection, costs: CostSettings, other: Projection | None = None) -> pl.DataFrame | None:
    """Spend per financial year (:func:`costs.spend_by_period`), or None when the forecast's months
    fall before the price index (``checks.not_priced``)."""
    try:
        return spend_by_period(proj, costs, other=other).filter(pl.col("period_type") == "financial_year").drop("period_type")
    except SettingError:
        return None


@dataclass
class Comparison:
    scenario: Scenario
    difference: pl.DataFrame
    """Scenario minus baseline, run by run: date, level, state, mean, median, p10, p90, p2_5, p97_5."""
    spend_difference: pl.DataFrame
    """Per financial year, scenario minus baseline spend (pounds; negative is a saving)."""
    summary: pl.DataFrame


def compare(overview: Overview, scenario: Scenario) -> Comparison:
    """Run ``scenario`` with the baseline's runs and seed (common random numbers) and subtract."""
    horizon = len(overview.projection.dates) - 1
    dates = month_ends(overview.origin, horizon)
    effects = resolve(scenario, overview.model, dates)
    proj = project(overview.model, horizon, overview.runs, overview.seed, effects=effects)
    spend = _financial_years(overview.projection, overview.costs, other=proj)
    return Comparison(
        scenario=scenario,
        difference=summarise_difference(overview.projection, proj),
        spend_difference=_NO_SPEND if spend is None else spend,
        summary=summarise(proj, ("total", "category")),
    )


# ---- what pages and packs show -----------------------------------------------------------


def display(value: float | None, audience: str = "internal", count: bool = True) -> str:
    """A number as shown: whole children with thousands separators; ``x`` for panel and public
    audiences when it rounds to 1-4 (zero is shown, as DfE shows it)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    shown = round(value)
    if count and current().protects(audience) and current().small(shown):
        return "x"
    return f"{shown:,.0f}" if shown >= 0 else f"−{abs(shown):,.0f}"


def money(value: float | None) -> str:
    """Pounds, to the nearest £1,000 below £10m and to £0.1m above."""
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    v = abs(value)
    return f"{sign}£{v / 1e6:,.1f}m" if v >= 10e6 else f"{sign}£{round(v, -3):,.0f}"


def state_label(state: str) -> str:
    return "All children looked after" if state == "total" else CATEGORY_LABELS.get(state, state)


def march_rows(summary: pl.DataFrame, audience: str = "internal", signed: bool = False,
               start: bool = False) -> tuple[list[date], list[dict[str, Any]]]:
    """Per state (total first, then categories), median and 80% interval at each 31 March ahead
    (and the forecast's last date if it is not a 31 March); with ``start``, the children looked
    after at the start first. ``signed`` figures are differences, shown with + or − and, not
    being counts of children, never hidden."""
    origin = summary["date"].min()
    dates = sorted({d for d in summary["date"].to_list() if d.month == 3 and d.day == 31} - {origin})
    last = summary["date"].max()
    if last not in dates:
        dates.append(last)
    if start:
        dates.insert(0, origin)
    rows = []
    for state in ["total", *CATEGORIES]:
        sel = summary.filter((pl.col("state") == state) & pl.col("date").is_in(dates)).sort("date")
        if not sel.height:
            continue
        cells = []
        for r in sel.iter_rows(named=True):
            fmt = (lambda v: _signed(v, audience)) if signed else (lambda v: display(v, audience))
            cells.append({"date": r["date"], "median": fmt(r["median"]), "p10": fmt(r["p10"]), "p90": fmt(r["p90"])})
        rows.append({"state": state, "label": state_label(state), "cells": cells})
    return dates, rows


def _signed(value: float, audience: str) -> str:
    text = display(value, audience, count=False)
    return f"+{text}" if text not in ("x", "–", "0") and not text.startswith("−") else text


def chart_suppressed(summary: pl.DataFrame, observed: pl.DataFrame | None, state: str, audience: str) -> bool:
    """Whether a state's chart would show a figure the audience may not see (1 to 4)."""
    if audience == "internal":
        return False
    rows = summary.filter(pl.col("state") == state)
    values = rows.select("median", "p10", "p90", "p2_5", "p97_5").to_numpy().round()
    below = current().threshold
    small = bool(((values >= 1) & (values < below)).any())
    if observed is not None:
        obs = observed.filter(pl.col("state") == state)["count"]
        small = small or bool(((obs >= 1) & (obs < below)).any())
    return bool(small)


def fan(summary: pl.DataFrame, observed: pl.DataFrame | None, state: str, title: str,
        y_title: str = "Children looked after") -> alt.LayerChart:
    """Median line, 80% and 95% bands, observed children as points before the origin."""
    rows = summary.filter(pl.col("state") == state).select("date", "median", "p10", "p90", "p2_5", "p97_5")
    if observed is not None:
        obs = observed.filter(pl.col("state") == state).select("date", pl.col("count").alias("observed"))
        rows = rows.join(obs, on="date", how="full", coalesce=True)
    rows = rows.sort("date").with_columns(pl.col("date").cast(pl.String))
    data = alt.Data(values=rows.to_dicts())
    base = alt.Chart(data).encode(x=alt.X("date:T", title=None))
    layers = [
        base.mark_area(opacity=0.2, color="#1d70b8").encode(y=alt.Y("p2_5:Q", title=y_title), y2="p97_5:Q"),
        base.mark_area(opacity=0.35, color="#1d70b8").encode(y="p10:Q", y2="p90:Q"),
        base.mark_line(color="#0b0c0c").encode(y="median:Q"),
    ]
    if observed is not None:
        layers.append(base.mark_point(color="#0b0c0c", filled=True, size=16).encode(y="observed:Q"))
    return alt.LayerChart(layer=layers).properties(title=title, width=520, height=220)


def svg(chart: alt.TopLevelMixin, label: str) -> str:
    """The chart as inline SVG (offline, no script), named for screen readers."""
    import vl_convert as vlc

    spec = chart.configure_axis(labelFont="Arial", titleFont="Arial").configure_title(font="Arial") \
        .configure_view(stroke=None).to_json()
    text = vlc.vegalite_to_svg(spec)
    safe = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return text.replace("<svg ", f'<svg role="img" aria-label="{safe}" ', 1)


def fan_facets(summary: pl.DataFrame, observed: pl.DataFrame | None, states: list[str]) -> alt.FacetChart:
    """Small multiples: one fan per placement category, each with its own scale."""
    frames = []
    for state in states:
        rows = summary.filter(pl.col("state") == state).select("date", "median", "p10", "p90", "p2_5", "p97_5")
        if observed is not None:
            obs = observed.filter(pl.col("state") == state).select("date", pl.col("count").cast(pl.Float64).alias("observed"))
            rows = rows.join(obs, on="date", how="full", coalesce=True)
        frames.append(rows.with_columns(pl.lit(state_label(state)).alias("category")))
    data = pl.concat(frames, how="diagonal_relaxed").with_columns(pl.col("date").cast(pl.String))
    base = alt.Chart().encode(x=alt.X("date:T", title=None))
    layers = [
        base.mark_area(opacity=0.2, color="#1d70b8").encode(y=alt.Y("p2_5:Q", title="Children"), y2="p97_5:Q"),
        base.mark_area(opacity=0.35, color="#1d70b8").encode(y="p10:Q", y2="p90:Q"),
        base.mark_line(color="#0b0c0c").encode(y="median:Q"),
    ]
    if observed is not None:
        layers.append(base.mark_point(color="#0b0c0c", filled=True, size=10).encode(y="observed:Q"))
    header = alt.Header(labelFont="Arial", labelFontSize=13, labelFontWeight="bold", labelOrient="top",
                        labelAnchor="start")
    return (
        alt.layer(*layers)
        .properties(width=240, height=130)
        .facet(data=alt.Data(values=data.to_dicts()),
               facet=alt.Facet("category:N", title=None, header=header, sort=[state_label(s) for s in states]),
               columns=2)
        .resolve_scale(y="independent")
    )
