"""Sufficiency forecast pages: baseline, scenarios, Personal Adviser caseload (issue 6).

Aggregates only, so every role may see them; panel users see figures that round to 1-4 as
``x`` and no chart that would show one. A council's forecast (1,000 runs, or fewer when the
machine could not run 1,000 within ``RUN_BUDGET_SECONDS``) and its charts are worked out once
per data version and cached, so pages after the first are fast.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from carewise.errors import SettingError, UserFacingError
from carewise.forecast.overview import (
    Overview,
    build_overview,
    chart_suppressed,
    compare,
    display,
    fan,
    fan_facets,
    march_rows,
    money,
    state_label,
    svg,
)
from carewise.forecast.pa_caseload import ADVISERS, PaAssumptions
from carewise.forecast.prices import INDEX_NAME
from carewise.forecast.scenarios import Change, Scenario, list_saved, scenario_folder
from carewise.forecast.states import CATEGORIES, CATEGORY_LABELS
from carewise.store.accounts import User
from carewise.web.auth import current_user

router = APIRouter(include_in_schema=False)

RUNS = 1000
RUN_BUDGET_SECONDS = 2.0
"""Time the baseline projection may take (worked out in the background, so pages stay quick);
fewer runs (at least 200) if a trial shows 1,000 would take longer."""
WAIT_SECONDS = 1.5
"""How long a page waits for a forecast being worked out before showing "being worked out"."""
REFRESH_SECONDS = 3


class ForecastCache:
    """Forecasts and charts per (council, data version), worked out on one background thread.

    A page asks for a value and waits a little; if it is not ready the page says so and
    refreshes itself (HTML meta refresh, no script), so no request takes long however slow the
    first forecast of a large council is.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._futures: OrderedDict[Any, Future] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="carewise-forecast")

    def future(self, key: Any, make: Callable[[], Any]) -> Future:
        with self._lock:
            fut = self._futures.get(key)
            if fut is not None and not (fut.done() and fut.exception() is not None
                                        and not isinstance(fut.exception(), UserFacingError)):
                self._futures.move_to_end(key)
                return fut
            fut = self._pool.submit(make)
            self._futures[key] = fut
            while len(self._futures) > self.size:
                self._futures.popitem(last=False)
            return fut

    def get(self, key: Any, make: Callable[[], Any], wait: float | None = None) -> Any:
        """The value (waiting at most ``wait`` seconds; TimeoutError if still being made)."""
        return self.future(key, make).result(timeout=wait)


_LOCK = threading.Lock()


def _cache(request: Request) -> ForecastCache:
    state = request.app.state
    with _LOCK:
        if not hasattr(state, "forecasts"):
            state.forecasts = ForecastCache()
        return state.forecasts


def _audience(user: User) -> str:
    return "internal" if user.role.sees_children else "panel"


def _render(request: Request, name: str, status_code: int = 200, **context: Any):
    from carewise.web.rendering import render

    return render(request, name, status_code=status_code, **context)


def _key(request: Request, la_code: str, *parts: Any) -> tuple:
    return (la_code, request.app.state.data.version(la_code), *parts)


def _charts(ov: Overview) -> dict[str, str | None]:
    """Every chart the baseline page may show, for staff and for panel members."""
    out: dict[str, str | None] = {}
    for audience in ("internal", "panel"):
        hidden = chart_suppressed(ov.summary, ov.observed, "total", audience)
        out[f"total:{audience}"] = None if hidden else out.get("total:internal") or svg(
            fan(ov.summary, ov.observed, "total", "All children looked after"),
            "Fan chart: children looked after, observed and forecast")
        shown = [c for c in CATEGORIES if not chart_suppressed(ov.summary, ov.observed, c, audience)]
        same = audience == "panel" and shown == list(CATEGORIES)
        out[f"categories:{audience}"] = out["categories:internal"] if same else (svg(
            fan_facets(ov.summary, ov.observed, shown),
            "Fan charts: children in each placement category, observed and forecast") if shown else None)
    return out


def _build(data: Any, la_code: str) -> tuple[Overview, dict[str, str | None]]:
    ov = build_overview(data.history(la_code), runs=RUNS, budget_seconds=RUN_BUDGET_SECONDS,
                        returns=data.store.load_returns(la_code), council=la_code)
    return ov, _charts(ov)


def overview_for(request: Request, la_code: str, wait: float | None = None) -> tuple[Overview, dict[str, str | None]]:
    """The council's baseline forecast and its charts for its current data, built once per data
    version (TimeoutError when still being worked out after ``wait`` seconds)."""
    data = request.app.state.data
    return _cache(request).get(_key(request, la_code, "overview"), lambda: _build(data, la_code), wait)


def _start(request: Request):
    """(council, overview, charts, None) or (…, a page to show instead)."""
    council = getattr(request.state, "council", None)
    if council is None:
        return None, None, None, _render(request, "no_data.html", title="No data yet")
    try:
        ov, charts = overview_for(request, council.la_code, wait=WAIT_SECONDS)
        return council, ov, charts, None
    except FutureTimeout:
        return council, None, None, _working(request)
    except UserFacingError as exc:
        return council, None, None, _render(request, "error.html", title="The forecast cannot be worked out",
                                            message=str(exc))


def _working(request: Request):
    return _render(request, "forecast_working.html", title="Working out the forecast", refresh=REFRESH_SECONDS)


def _trust(ov: Overview) -> dict[str, Any]:
    bt = ov.backtest
    if "not_available" in bt:
        return {"available": False, "reason": bt["not_available"]}

    def pct(v: float | None, scale: float = 1.0) -> str:
        return "–" if v is None else f"{v * scale:.1f}%"

    return {
        "available": True,
        "cuts": bt.get("cuts"),
        "mape": {h: pct(bt.get(f"mape_total_{h}m")) for h in (3, 6, 12)},
        "coverage_80": pct(bt.get("coverage_total_80_12m"), 100),
        "coverage_95": pct(bt.get("coverage_total_95_12m"), 100),
        "calibration": [
            {"state": state_label(r["state"]), "horizon": r["horizon_months"], "cuts": r["cuts"],
             "mape": pct(r["mape"]), "bias": "–" if r["bias"] is None else f"{r['bias']:+.1f}%",
             "coverage_80": pct(r["coverage_80"], 100), "coverage_95": pct(r["coverage_95"], 100)}
            for r in bt.get("calibration", [])
        ],
    }


def _spend_rows(frame, signed: bool = False) -> list[dict[str, Any]]:
    def fmt(v: float) -> str:
        text = money(v)
        return f"+{text}" if signed and not text.startswith("−") and v != 0 else text

    return [
        {"period": r["period"], "part": r["months"] < 12, "months": r["months"], "median": fmt(r["median"]),
         "p10": fmt(r["p10"]), "p90": fmt(r["p90"]), "p2_5": fmt(r["p2_5"]), "p97_5": fmt(r["p97_5"])}
        for r in frame.iter_rows(named=True)
    ]


@router.get("/forecast")
def forecast_page(request: Request, user: User = Depends(current_user)) -> Response:
    council, ov, charts, page = _start(request)
    if page is not None:
        return page
    audience = _audience(user)
    total_chart = charts[f"total:{audience}"]
    category_chart = charts[f"categories:{audience}"]
    hidden = [state_label(c) for c in CATEGORIES if chart_suppressed(ov.summary, ov.observed, c, audience)]
    dates, rows = march_rows(ov.summary, audience, start=True)
    monthly = [
        {"date": r["date"], "median": display(r["median"], audience), "p10": display(r["p10"], audience),
         "p90": display(r["p90"], audience)}
        for r in ov.summary.filter(ov.summary["state"] == "total").sort("date").iter_rows(named=True)
    ]
    return _render(
        request, "forecast_baseline.html", title="Sufficiency forecast", ov=ov, trust=_trust(ov),
        total_chart=total_chart, category_chart=category_chart, hidden_categories=hidden,
        dates=dates, rows=rows, monthly=monthly, spend=_spend_rows(ov.spend), panel=audience != "internal",
        labels=CATEGORY_LABELS, starting=display(ov.model.start.size, audience), entries=display(ov.model.rates.entry_rate * 365.25, audience),
        index_name=INDEX_NAME, warnings=_warnings(ov, audience),
    )


def _warnings(ov: Overview, audience: str) -> list[str]:
    """What in the data makes the forecast less trustworthy (``forecast.checks``): staff see what
    was found and what to do; panel members the headline, which holds no counts of children."""
    return [w.message if audience == "internal" else w.headline for w in ov.model.warnings]


# -- scenarios -------------------------------------------------------------------------------------


def _number(form: dict[str, str], name: str, errors: dict[str, str], low: float, high: float,
            message: str) -> float | None:
    text = (form.get(name) or "").strip().replace("%", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[name] = message
        return None
    if not low <= value <= high:
        errors[name] = message
        return None
    return value


def scenario_from_form(form: dict[str, str], march_ends: list[date]) -> tuple[Scenario | None, dict[str, str]]:
    """A scenario from the page's form (percentages as people write them), or the errors."""
    errors: dict[str, str] = {}
    changes: list[Change] = []
    entry = _number(form, "entry_change", errors, -100, 100,
                    "Enter the change in children entering care as a percentage from -100 to 100, like -10")
    if entry:
        changes.append(Change("entry_rate", change=entry / 100))
    target = _number(form, "in_house_target", errors, 1, 100,
                     "Enter the share of fostered children in-house as a percentage from 1 to 100, like 70")
    if target is not None:
        by = form.get("in_house_by") or ""
        if by not in {d.isoformat() for d in march_ends}:
            errors["in_house_by"] = "Choose the 31 March by which the in-house share should be reached"
        else:
            changes.append(Change("in_house_share", target=target / 100, by=date.fromisoformat(by)))
    fewer = _number(form, "residential_fewer", errors, 0, 100,
                    "Enter how many fewer new residential placements as a percentage from 0 to 100, like 25")
    if fewer:
        changes.append(Change("residential_entries", change=-fewer / 100, to="fostering_agency"))
    step = _number(form, "step_down", errors, 0, 500,
                   "Enter the number of children a year stepped down from residential care, from 0 to 500")
    if step:
        changes.append(Change("step_down", per_year=step, to="fostering_in_house"))
    limit = _number(form, "in_house_limit", errors, 0, 100_000,
                    "Enter the most children in-house foster carers can look after, as a whole number of places")
    if limit is not None:
        changes.append(Change("in_house_limit", places=limit, source="given"))
    if errors:
        return None, errors
    if not changes:
        return None, {"entry_change": "Enter at least one change, or choose a saved scenario"}
    return Scenario("This scenario", "Built on the forecast page", changes), {}


def _compare(ov: Overview, scenario: Scenario):
    result = compare(ov, scenario)
    chart = svg(fan(result.difference, None, "total", f"{scenario.name} minus baseline",
                    y_title="Difference in children looked after"),
                "Fan chart: difference in children looked after, scenario minus baseline")
    return result, chart


def _describe(sc: Scenario) -> list[str]:
    words = []
    for ch in sc.changes:
        if ch.kind == "entry_rate":
            words.append(f"{ch.change:+.0%} children entering care")
        elif ch.kind == "in_house_share" and ch.target is not None:
            words.append(f"{ch.target:.0%} of fostered children in-house by {ch.by:%d %B %Y}")
        elif ch.kind == "in_house_share":
            words.append(f"{ch.share:.0%} of new agency foster placements made in-house")
        elif ch.kind == "residential_entries":
            assert ch.change is not None  # Change requires it for this kind
            words.append(f"{-ch.change:.0%} fewer new residential placements (to {state_label(ch.to or 'fostering_agency').lower()})")
        elif ch.kind == "in_house_capacity":
            words.append(f"{ch.places:g} more in-house foster places")
        elif ch.kind == "step_down":
            words.append(f"{ch.per_year:g} children a year stepped down from residential")
        elif ch.kind == "in_house_limit":
            words.append(f"at most {ch.places:g} children with in-house foster carers")
    return words


@router.get("/forecast/scenarios")
def scenarios_page(request: Request, saved: str = "", entry_change: str = "", in_house_target: str = "",
                   in_house_by: str = "", residential_fewer: str = "", step_down: str = "",
                   in_house_limit: str = "", user: User = Depends(current_user)) -> Response:
    council, ov, _, page = _start(request)
    if page is not None:
        return page
    audience = _audience(user)
    folder = scenario_folder(request.app.state.settings.data_dir)
    try:
        saved_list = list_saved(folder)
    except UserFacingError:
        saved_list = []
    form = {"entry_change": entry_change, "in_house_target": in_house_target, "in_house_by": in_house_by,
            "residential_fewer": residential_fewer, "step_down": step_down, "in_house_limit": in_house_limit}
    march_ends = [d for d in ov.projection.dates[1:] if d.month == 3 and d.day == 31]
    errors: dict[str, str] = {}
    scenario = None
    if saved:
        scenario = next((s for s in saved_list if s.name == saved), None)
        if scenario is None:
            errors["saved"] = "Choose one of the saved scenarios"
    elif any(v.strip() for v in form.values()):
        scenario, errors = scenario_from_form(form, march_ends)
    context: dict[str, Any] = {}
    if scenario is not None:
        key = _key(request, council.la_code, "scenario", json.dumps(scenario.to_dict(), sort_keys=True))
        try:
            result, chart_internal = _cache(request).get(key, lambda: _compare(ov, scenario), wait=WAIT_SECONDS)
        except FutureTimeout:
            return _working(request)
        except SettingError as exc:
            field = "in_house_target" if "in-house" in str(exc) or "'by'" in str(exc) else "entry_change"
            errors[field] = str(exc)
            result = None
        if result is not None:
            dates, rows = march_rows(result.difference, audience, signed=True)
            chart = chart_internal  # differences are not counts of children: nothing to hide
            _, with_rows = march_rows(result.summary, audience)
            context = {"result": result, "dates": dates, "rows": rows, "with_rows": with_rows, "chart": chart,
                       "spend": _spend_rows(result.spend_difference, signed=True), "described": _describe(scenario)}
    return _render(request, "forecast_scenarios.html", status_code=400 if errors else 200,
                   title="Forecast scenarios", ov=ov, saved_list=saved_list,
                   saved=saved, form=form, errors=errors, march_ends=march_ends, scenario=scenario,
                   panel=audience != "internal", describe=_describe, prices=ov.costs.describe(), **context)


# -- Personal Adviser caseload -----------------------------------------------------------------------


@router.get("/forecast/pa-caseload")
def pa_page(request: Request, user: User = Depends(current_user)) -> Response:
    council, ov, _, page = _start(request)
    if page is not None:
        return page
    audience = _audience(user)
    rows = []
    if ov.pa is not None:
        for r in ov.pa.iter_rows(named=True):
            needing = display(r["requiring_pa"], audience)
            rows.append({
                "date": r["date"],
                "joint": display(r["joint_working"], audience),
                "under_21": display(r["leavers_under_21"], audience),
                "over_21": display(r["leavers_21_plus"], audience),
                "requiring": needing,
                "caseloads": ["x" if needing == "x" else f"{r[f'caseload_{n}']:.1f}" for n in ADVISERS],
                "costs": [f"£{r[f'cost_{n}']:,.0f}" for n in ADVISERS],
            })
    return _render(request, "forecast_pa.html", title="Personal Adviser caseload", ov=ov, rows=rows,
                   advisers=ADVISERS, panel=audience != "internal", assumptions=PaAssumptions())
