"""The web app's pages: dashboard, explorer, stability, care leavers, imports, pack, children."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response

from carewise.disclosure import UnpublishedTableError
from carewise.errors import UserFacingError
from carewise.geo import la_code_for
from carewise.measures.period import BadPeriodError, parse_period
from carewise.store import audit
from carewise.store.accounts import User
from carewise.web.auth import check_csrf, children_roles, current_user, import_roles
from carewise.web.data import FILTERS

if TYPE_CHECKING:
    from fastapi import FastAPI

    from carewise.measures.model import MeasureResult

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

HEADLINE_IDS = (
    "cla_at_date",
    "cla_rate_per_10k",
    "started_in_period",
    "ceased_in_period",
    "uasc_at_date",
    "foster_in_house_share_mainstream",
    "stability_three_plus_placements",
    "care_leavers_in_touch",
)
POPULATION_IDS = ("cla_at_date", "placement_type_at_date", "started_in_period", "ceased_in_period")
SECTIONS = {
    "stability": ("Stability and permanence", ("stability", "permanence", "adoption")),
    "care-leavers": ("Care leavers", ("care leavers", "care_leavers", "leavers")),
    "health": ("Health", ("health",)),
}
COMPARABLE_AS = {
    "cla_at_date": "cla_rate_per_10k",
    "started_in_period": "started_rate_per_10k",
    "ceased_in_period": "ceased_rate_per_10k",
    "uasc_at_date": "uasc_share_at_date",
}
"""A count's comparable figure: DfE's England, regional and statistical neighbours' figures
compare rates and shares, never counts (a council's size is not a result), so a count's tile
shows the rate or share DfE publishes beside it."""


def render(request: Request, name: str, **context: Any) -> Response:
    from carewise.web.rendering import render as _render

    return _render(request, name, **context)


def audience_for(user: User) -> str:
    return "internal" if user.role.sees_children else "panel"


def _council_or_none(request: Request):
    return getattr(request.state, "council", None)


def _periods(request: Request, la_code: str) -> list[str]:
    history = request.app.state.data.history(la_code)
    labels = [y.label for y in history.years]
    return list(reversed(labels))


def _period(request: Request, la_code: str, asked: str | None) -> str:
    periods = _periods(request, la_code)
    if asked and (asked in periods or _is_period(asked)):
        return asked
    if not periods:
        raise HTTPException(404, "No data is stored yet.")
    return periods[0]


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except BadPeriodError:
        return False
    return True


def _previous_year(period: str) -> str | None:
    """The collection year before a collection year (None for other kinds of period)."""
    try:
        asked = parse_period(period)
    except BadPeriodError:
        return None
    return asked.collection_year.previous.label if asked.kind == "year" else None


def _no_data(request: Request):
    return render(request, "no_data.html", title="No data yet")


@router.get("/")
def dashboard(request: Request, period: str | None = None, user: User = Depends(current_user)) -> Response:
    council = _council_or_none(request)
    if council is None:
        return _no_data(request)
    data = request.app.state.data
    chosen = _period(request, council.la_code, period)
    audience = audience_for(user)
    try:
        results = data.measures(council.la_code, chosen, audience, HEADLINE_IDS)
    except UserFacingError as exc:
        return render(request, "error.html", title="That period cannot be shown", message=str(exc))
    related = _comparable(data, council.la_code, chosen, audience, results)
    before = _previous_year(chosen)
    previous = {}
    if before and before in _periods(request, council.la_code):
        previous = {r.id: r for r in data.measures(council.la_code, before, audience, HEADLINE_IDS)}
    trend = _trend(request, council.la_code, audience)
    from carewise.web.charts import line_chart

    chart = line_chart(trend, "period", "value", "Children looked after at 31 March") if trend else None
    return render(request, "dashboard.html", title="Dashboard", results=results, previous=previous,
                  period=chosen, periods=_periods(request, council.la_code), trend=trend, chart=chart,
                  previous_period=before, related=related)


def _comparable(data, la_code: str, period: str, audience: str, results) -> dict[str, Any]:
    """For each count among ``results``, its comparable rate or share (``COMPARABLE_AS``), which
    carries DfE's England, region and statistical neighbours' figures."""
    wanted = {r.id: COMPARABLE_AS[r.id] for r in results if r.id in COMPARABLE_AS}
    if not wanted:
        return {}
    found = {r.id: r for r in data.measures(la_code, period, audience, tuple(sorted(set(wanted.values()))))}
    return {rid: found[other] for rid, other in wanted.items() if other in found}


def _trend(request: Request, la_code: str, audience: str) -> list[dict[str, Any]]:
    data = request.app.state.data
    rows = []
    for label in reversed(_periods(request, la_code)):
        (result,) = data.measures(la_code, label, audience, ("cla_at_date",))
        rows.append({"period": label, "value": result.value, "display": result.display})
    return rows


@router.get("/population")
def population(request: Request, period: str | None = None, age_band: str = "", sex: str = "",
               ethnicity: str = "", legal_status: str = "", placement_type: str = "", uasc: str = "",
               user: User = Depends(current_user)) -> Response:
    council = _council_or_none(request)
    if council is None:
        return _no_data(request)
    chosen = _period(request, council.la_code, period)
    filters = _filters(age_band=age_band, sex=sex, ethnicity=ethnicity, legal_status=legal_status,
                       placement_type=placement_type, uasc=uasc)
    data = request.app.state.data
    errors: dict[str, str] = {}
    try:
        results = data.measures(council.la_code, chosen, audience_for(user), POPULATION_IDS,
                                tuple(sorted(filters.items())))
    except UnpublishedTableError as exc:  # e.g. two filters at once for a panel member
        errors[next(iter(filters), "period")] = str(exc)
        results = data.measures(council.la_code, chosen, audience_for(user), POPULATION_IDS, ())
    options = data.filter_options(council.la_code, chosen)
    charts = _population_charts(results)
    related = _comparable(data, council.la_code, chosen, audience_for(user), results)
    published_year, published = _published(council.la_code, chosen, filters)
    query = "&".join(f"{k}={v}" for k, v in {"period": chosen, **filters}.items())
    return render(request, "population.html", title="Population explorer", results=results, period=chosen,
                  periods=_periods(request, council.la_code), filters=filters, options=options,
                  filter_titles=FILTERS, charts=charts, query=query, errors=errors,
                  controlled=data.policy.protects(audience_for(user)), status_code=400 if errors else 200,
                  related=related, published=published, published_year=published_year)


def _published(la_code: str, period: str, filters: dict[str, str]) -> tuple[int | None, dict]:
    """DfE's published shares by characteristic at 31 March, to set beside an unfiltered year's
    children looked after (a filtered view, or a quarter, has no published counterpart)."""
    from carewise.web.data import published_shares

    asked = parse_period(period)
    if filters or asked.kind != "year":
        return None, {}
    return published_shares(la_code, asked.year_ending_march)


def _population_charts(results) -> dict[tuple[str, str], str]:
    """One bar chart per breakdown (suppressed groups left out: the table beside it shows x)."""
    from carewise.web.charts import bar_chart

    charts = {}
    for r in results:
        for name, rows in r.breakdowns.items():
            points = [{"category": row.category, "value": row.value} for row in rows
                      if not row.suppressed and row.value is not None]
            if points:
                by = r.breakdown_titles.get(name, name)
                charts[(r.id, name)] = bar_chart(points, "category", "value", f"{r.title} by {by.lower()}",
                                                 _unit(r).capitalize())
    return charts


def warm_up(app: FastAPI) -> None:
    """Work out, before anyone asks, what the dashboards show for each council's latest year.

    Runs in a background thread when the server starts: the first visitors after a restart then
    get cached figures instead of waiting for every measure to be computed. Requests arriving
    meanwhile wait for the same computation rather than repeating it.
    """
    data = app.state.data
    for council in app.state.store.councils():
        la_code = council.la_code
        try:
            periods = [y.label for y in reversed(data.history(la_code).years)]
            if not periods:
                continue
            latest, before = periods[0], _previous_year(periods[0])
            for audience in ("internal", "panel"):
                _comparable(data, la_code, latest, audience,
                            data.measures(la_code, latest, audience, HEADLINE_IDS))
                if before in periods:
                    data.measures(la_code, before, audience, HEADLINE_IDS)
                for label in periods:
                    data.measures(la_code, label, audience, ("cla_at_date",))
                _population_charts(data.measures(la_code, latest, audience, POPULATION_IDS, ()))
                data.measures(la_code, latest, audience)
            data.filter_options(la_code, latest)
        except Exception:  # a failure here must not stop the server; the page will show it
            log.exception("warming the caches failed for one council")


def _filters(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


@router.get("/population/download")
def population_download(request: Request, period: str | None = None, format: str = "csv", age_band: str = "",
                        sex: str = "", ethnicity: str = "", legal_status: str = "", placement_type: str = "",
                        uasc: str = "", user: User = Depends(current_user)) -> Response:
    council = _council_or_none(request)
    if council is None:
        raise HTTPException(404)
    chosen = _period(request, council.la_code, period)
    filters = _filters(age_band=age_band, sex=sex, ethnicity=ethnicity, legal_status=legal_status,
                       placement_type=placement_type, uasc=uasc)
    results = request.app.state.data.measures(council.la_code, chosen, audience_for(user), POPULATION_IDS,
                                              tuple(sorted(filters.items())))
    table = _results_table(results)
    audit.record(request.app.state.store, user.username, "export", council=council.la_code,
                 target="population", detail={"period": chosen, "format": format, "filters": filters})
    from carewise.reports.model import SYNTHETIC_NOTICE
    from carewise.web.rendering import frame_download

    about = [("Council", council.name), ("Period", chosen), ("Audience", audience_for(user)),
             ("Filters", "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in filters.items()) or "none"),
             ("Blank values", "hidden (a small number, or one that could reveal it) or not available: see note")]
    if council.synthetic:
        about.insert(0, ("Synthetic", SYNTHETIC_NOTICE))
    kind = "carewise-synthetic-population" if council.synthetic else "carewise-population"
    return frame_download(table, f"{kind}-{council.la_code}-{chosen}", format, "Population", about)


def _results_table(results) -> pl.DataFrame:
    rows = []
    for r in results:
        rows.append({"measure": r.title, "breakdown": "", "category": "All",
                     "value": None if r.suppressed else r.value, "unit": _unit(r),
                     "numerator": None if r.suppressed else r.numerator,
                     "denominator": None if r.suppressed else r.denominator, "note": _note(r)})
        for name, brows in r.breakdowns.items():
            for row in brows:
                rows.append({"measure": r.title, "breakdown": r.breakdown_titles.get(name, name),
                             "category": row.category, "value": None if row.suppressed else row.value,
                             "unit": _unit(r), "numerator": None if row.suppressed else row.numerator,
                             "denominator": None if row.suppressed else row.denominator, "note": _note(row)})
    return pl.DataFrame(rows, schema={"measure": pl.String, "breakdown": pl.String, "category": pl.String,
                                      "value": pl.Float64, "unit": pl.String, "numerator": pl.Float64,
                                      "denominator": pl.Float64, "note": pl.String})


def _unit(result) -> str:
    """What a download's value column counts, since a number has no % sign."""
    if result.kind == "proportion":
        return f"percent of {result.unit}"
    if result.kind == "rate":
        return f"{result.unit} per {result.per:,}"
    return f"mean ({result.unit})" if result.kind == "mean" else result.unit


def _note(row) -> str:
    """Why a download's value is blank: figures are numbers, so a hidden one is said in words."""
    if row.suppressed:
        return "hidden: a small number (below the disclosure threshold) or a figure that would reveal one"
    return "not available" if row.value is None else ""


@router.get("/stability")
def stability(request: Request, period: str | None = None, user: User = Depends(current_user)) -> Response:
    return _section_page(request, "stability", period, user)


@router.get("/care-leavers")
def care_leavers(request: Request, period: str | None = None, user: User = Depends(current_user)) -> Response:
    return _section_page(request, "care-leavers", period, user)


@router.get("/health")
def health(request: Request, period: str | None = None, user: User = Depends(current_user)) -> Response:
    return _section_page(request, "health", period, user)


def _section_page(request: Request, key: str, period: str | None, user: User):
    council = _council_or_none(request)
    if council is None:
        return _no_data(request)
    chosen = _period(request, council.la_code, period)
    title, words = SECTIONS[key]
    results = request.app.state.data.measures(council.la_code, chosen, audience_for(user))
    chosen_results = [r for r in results if any(w in r.section.lower() for w in words)]
    chart = section_chart(chosen_results, title)
    return render(request, "section.html", title=title, results=chosen_results, period=chosen,
                  periods=_periods(request, council.la_code), page=key, chart=chart)


OWN_FIGURE = "This council"


def section_chart(results: list[MeasureResult], title: str) -> dict[str, Any] | None:
    """A section's percentages as grouped bars, the council beside DfE's England, regional and
    statistical neighbours' figures (the council's own published figure is left out: beside
    synthetic data it is another council's), with the same figures as a table for the page.

    Only shares are drawn (one scale, 0 to 100%); counts and averages stay in the list. Hidden
    figures (``x``) are left out of the picture and shown as ``x`` in the table."""
    from carewise.web.charts import comparison_chart
    from carewise.web.rendering import OWN_PUBLISHED

    shares = [r for r in results if r.kind == "proportion" and r.available]
    if not shares:
        return None
    series = [OWN_FIGURE, *dict.fromkeys(c["label"] for r in shares for c in r.comparators
                                         if c["label"] != OWN_PUBLISHED)]
    rows, table = [], []
    for r in shares:
        values = {OWN_FIGURE: None if r.suppressed else r.value}
        values.update({c["label"]: c.get("value") for c in r.comparators if c["label"] != OWN_PUBLISHED})
        rows += [{"label": r.title, "series": name, "value": values.get(name)} for name in series]
        table.append({"title": r.title, "cells": [
            "x" if name == OWN_FIGURE and r.suppressed else
            ("–" if values.get(name) is None else f"{values[name]:.1f}%") for name in series]})
    units = {r.unit for r in shares}
    unit = units.pop() if len(units) == 1 else ""
    axis = ("Percent " + unit[2:] if unit.startswith("% ") else f"Percent of {unit}") if unit else "Percent"
    name = f"{title}: {axis.lower()}, this council" + (
        " beside " + ", ".join(series[1:]) if len(series) > 1 else " (carewise holds no DfE comparator for these)")
    return {"svg": comparison_chart(rows, name, axis), "title": name,
            "series": series, "table": table}


# -- imports ------------------------------------------------------------------------------------

@router.get("/imports")
def imports(request: Request, user: User = Depends(import_roles)) -> Response:
    council = _council_or_none(request)
    batches = request.app.state.store.batches(council.la_code) if council else []
    return render(request, "imports.html", title="Data imports", batches=list(reversed(batches)), errors={})


@router.post("/imports")
async def upload(request: Request, files: list[UploadFile] = File(default=[]), year: str = Form(""),
                 council_code: str = Form(""), csrf_token: str = Form(""), user: User = Depends(import_roles)) -> Response:
    check_csrf(request, csrf_token)
    council = _council_or_none(request)
    la_code = council.la_code if council else council_code.strip()
    errors: dict[str, str] = {}
    if not la_code:
        errors["council_code"] = "Enter the council's ONS code, DfE number or name, for example E06000056"
    elif council is None:
        try:  # the one council registry: ONS code, DfE number or name
            la_code = la_code_for(la_code)
        except UserFacingError as exc:
            errors["council_code"] = str(exc)
    if not errors and not user.may_see(la_code) and (
            council is not None or la_code in {c.la_code for c in request.app.state.store.councils()}):
        # a user with no council yet may start a new one, never write into another's data
        raise HTTPException(403, "You do not have access to that council's data.")
    real_files = [f for f in files if f.filename]
    if not real_files:
        errors["files"] = "Select the 903 CSV files (or the 903 XML file) to upload"
    if errors:
        batches = request.app.state.store.batches(council.la_code) if council else []
        return render(request, "imports.html", title="Data imports", batches=list(reversed(batches)), errors=errors)
    folder = Path(tempfile.mkdtemp(prefix="carewise-upload-"))
    try:
        for f in real_files:
            name = Path(f.filename or "").name  # real_files all have one
            with (folder / name).open("wb") as out:
                shutil.copyfileobj(f.file, out)
        from carewise.importing import import_paths

        store = request.app.state.store
        try:
            outcome = import_paths(store, [folder], la_code=la_code, year=year or None, imported_by=user.username)
        except UserFacingError as exc:
            return render(request, "imports.html", title="Data imports", errors={"files": str(exc)},
                          batches=list(reversed(store.batches(la_code))) if council else [])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    audit.record(store, user.username, "import", council=la_code,
                 detail={"stored": outcome.stored, "files": [Path(f.filename or "").name for f in real_files],
                         "years": sorted(str(y) for y in outcome.read.returns)})
    if outcome.stored:
        if user.all_councils is False and la_code not in user.councils and council is None:
            from carewise.store.accounts import update_user

            update_user(store, user.username, councils=[*user.councils, la_code])
        request.session["council"] = la_code
        request.app.state.data.invalidate()
    return render(request, "import_result.html", title="Import result", outcome=outcome)


@router.get("/imports/{batch_id}")
def import_detail(request: Request, batch_id: int, rule: str = Query("", max_length=20),
                  page: int = Query(1, ge=1, le=100_000), user: User = Depends(import_roles)) -> Response:
    """The rows behind an import's counts: problems reading its files (file, row, field, value,
    what to do) and the DfE rule errors (file, row, fields, values, rule), 50 a page.

    Rule errors are not stored with a batch (only counts: no child-level detail sits in the
    batch table), so they are worked out again from the stored return, once per import, for a
    batch that is still current; a replaced batch's rows are gone. Children's ids are shown only
    to roles that may see children; every view is audited like the child pages."""
    from carewise.web.rendering import paginate

    council = _council_or_none(request)
    store = request.app.state.store
    batch = next((b for b in store.batches(council.la_code) if b.id == batch_id), None) if council else None
    if batch is None:
        raise HTTPException(404)
    checked = batch.validation is not None and batch.status == "current"
    result = _stored_validation(request, council.la_code, batch.year) if checked else None
    errors = [e for e in result.errors if not rule or e.rule == rule] if result else []
    frame = pl.DataFrame({"i": list(range(len(errors)))}, schema={"i": pl.Int64})
    shown, page, pages = paginate(frame, page)
    sees_children = user.role.sees_children
    rows = [{"rule": e.rule, "where": result.where(e.table, e.row), "fields": ", ".join(e.fields),
             "value_text": e.values_text(), "message": e.message, "fix": e.fix,
             "child": e.child if sees_children else None,
             "ref": request.app.state.data.child_ref(council.la_code, e.child) if sees_children and e.child
             else None}
            for e in (errors[i] for i in shown["i"].to_list())] if result else []
    audit.record(store, user.username, "view-import-rows", council=council.la_code, target=str(batch_id),
                 detail={"rule": rule or None, "page": page, "rows": len(rows)})
    return render(request, "import_detail.html", title=f"Import {batch.year.label}: the rows behind the counts",
                  batch=batch, result=result, rows=rows, rule=rule, page=page, pages=pages, matched=len(errors),
                  sees_children=sees_children,
                  by_rule=result.counts_by_rule() if result else {}, rules=result.rules if result else {})


def _stored_validation(request: Request, la_code: str, year):
    """The DfE rules run again over a stored collection year (earlier stored years for look-back),
    once per import of the council's data."""
    from carewise.validate.runner import validate_returns

    store = request.app.state.store
    return request.app.state.data.cached(
        la_code, ("validation", year.label),
        lambda: validate_returns(store.load_returns(la_code), year, la_code=la_code))


# -- panel pack ---------------------------------------------------------------------------------

@router.get("/pack")
def pack_page(request: Request, user: User = Depends(current_user)) -> Response:
    council = _council_or_none(request)
    if council is None:
        return _no_data(request)
    return render(request, "pack.html", title="Panel pack", periods=_periods(request, council.la_code),
                  audiences=["panel", "public"] if not user.role.sees_children else ["internal", "panel", "public"])


PACK_FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _pack_request(request: Request, user: User, period: str | None, audience: str, format: str):
    """The council and period of a pack the user may have, or the HTTP error saying why not."""
    council = _council_or_none(request)
    if council is None:
        raise HTTPException(404)
    if not user.role.sees_children and audience == "internal":
        raise HTTPException(403, "Panel members can download the panel or public pack only.")
    if format not in PACK_FORMATS or audience not in ("internal", "panel", "public"):
        raise HTTPException(404)
    return council, _period(request, council.la_code, period)


def _pack_name(council, period: str, audience: str, format: str) -> str:
    kind = "carewise-synthetic-pack" if council.synthetic else "carewise-pack"
    return f"{kind}-{council.la_code}-{period}-{audience}.{format}"


def _build_pack(request: Request, council, period: str, audience: str, format: str):
    """The work of building one pack, with what it needs taken from the request now (the
    history is cached per import), to run here or in a background job."""
    from carewise.measures import Options
    from carewise.reports import build_pack

    history = request.app.state.data.history(council.la_code)
    store, policy = request.app.state.store, request.app.state.data.policy

    def work(folder: Path, step=None) -> Path:
        (path,) = build_pack(history, period, council.la_code, audience, [format], folder, store=store,
                             options=Options(disclosure=policy), step=step)
        return path

    return work


@router.get("/pack/download")
def pack_download(request: Request, period: str | None = None, audience: str = "panel", format: str = "pdf",
                  user: User = Depends(current_user)) -> Response:
    """The pack in one request (for scripts and the API); people use the background job below."""
    council, chosen = _pack_request(request, user, period, audience, format)
    with tempfile.TemporaryDirectory(prefix="carewise-pack-") as tmp:
        content = _build_pack(request, council, chosen, audience, format)(Path(tmp)).read_bytes()
    audit.record(request.app.state.store, user.username, "export", council=council.la_code, target="panel-pack",
                 detail={"period": chosen, "audience": audience, "format": format})
    name = _pack_name(council, chosen, audience, format)
    return Response(content, media_type=PACK_FORMATS[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/pack/jobs")
def pack_job_start(request: Request, period: str = Form(""), audience: str = Form("panel"),
                   format: str = Form("pdf"), csrf_token: str = Form(""), user: User = Depends(current_user)) -> Response:
    """Start building a pack in the background and go to its progress page (a pack takes 20 s or
    more: too long to keep a request waiting with nothing shown)."""
    from fastapi.responses import RedirectResponse

    from carewise.reports import steps_for

    check_csrf(request, csrf_token)
    council, chosen = _pack_request(request, user, period or None, audience, format)
    job_id = request.app.state.jobs.start(
        user.username, _pack_name(council, chosen, audience, format), steps_for([format]),
        _build_pack(request, council, chosen, audience, format),
        same_as={"council": council.la_code, "period": chosen, "audience": audience, "format": format})
    return RedirectResponse(f"/pack/jobs/{job_id}", status_code=303)


def _job(request: Request, user: User, job_id: str):
    job = request.app.state.jobs.get(user.username, job_id)
    if job is None:  # unknown, expired, or another user's: the same answer for all three
        raise HTTPException(404)
    return job


@router.get("/pack/jobs/{job_id}")
def pack_job_page(request: Request, job_id: str, user: User = Depends(current_user)) -> Response:
    job = _job(request, user, job_id)
    return render(request, "pack_job.html", title="Panel pack", job=job)


@router.get("/pack/jobs/{job_id}/status")
def pack_job_status(request: Request, job_id: str, user: User = Depends(current_user)) -> Response:
    """The job's progress as JSON, polled by the progress page's script."""
    from fastapi.responses import JSONResponse

    job = _job(request, user, job_id)
    answer = job.as_json() | {"download": f"/pack/jobs/{job.id}/download" if job.state == "done" else None}
    return JSONResponse(answer)


@router.get("/pack/jobs/{job_id}/download")
def pack_job_download(request: Request, job_id: str, user: User = Depends(current_user)) -> Response:
    from fastapi.responses import FileResponse

    job = _job(request, user, job_id)
    if job.state != "done" or job.file is None:
        raise HTTPException(404)
    council = _council_or_none(request)
    format = job.name.rsplit(".", 1)[-1]
    audit.record(request.app.state.store, user.username, "export", council=council.la_code if council else None,
                 target="panel-pack", detail={"job": job.id, "file": job.name})
    return FileResponse(job.file, media_type=PACK_FORMATS[format], filename=job.name)


# -- children (restricted) ----------------------------------------------------------------------

@router.get("/children")
def children(request: Request, period: str | None = None, q: str = Query("", max_length=40),
             page: int = Query(1, ge=1, le=100_000), user: User = Depends(children_roles)) -> Response:
    council = _council_or_none(request)
    if council is None:
        return _no_data(request)
    chosen = _period(request, council.la_code, period)
    data = request.app.state.data
    from carewise.measures.frames import looked_after_at
    from carewise.measures.period import parse_period

    at = looked_after_at(data.history(council.la_code), parse_period(chosen).end).sort("CHILD")
    total = at.height
    search = q.strip()
    if search:
        at = at.filter(pl.col("CHILD").cast(pl.String).str.to_lowercase().str.contains(search.lower(), literal=True))
    from carewise.web.rendering import paginate

    shown, page, pages = paginate(at, page)
    rows = [
        {"ref": data.child_ref(council.la_code, r["CHILD"]), "child": r["CHILD"], "age": r.get("age"),
         "sex": r.get("sex"), "legal_status": r.get("LS"), "placement": r.get("PLACE"), "since": r.get("DECOM")}
        for r in shown.iter_rows(named=True)
    ]
    audit.record(request.app.state.store, user.username, "view-child-list", council=council.la_code,
                 detail={"period": chosen, "children": len(rows), "page": page, "searched": bool(search)})
    return render(request, "children.html", title="Children looked after", rows=rows, period=chosen,
                  periods=_periods(request, council.la_code), total=total, matched=at.height, q=search,
                  page=page, pages=pages)


@router.get("/children/{ref}")
def child(request: Request, ref: str, user: User = Depends(children_roles)) -> Response:
    council = _council_or_none(request)
    if council is None or len(ref) != 24 or not all(c in "0123456789abcdef" for c in ref):
        raise HTTPException(404)
    data = request.app.state.data
    child_id = data.child_by_ref(council.la_code, ref)
    if child_id is None:
        raise HTTPException(404)
    history = data.history(council.la_code)
    audit.record(request.app.state.store, user.username, "view-child", council=council.la_code, target=ref)
    pick = pl.col("CHILD") == child_id
    header = history.header.filter(pick).to_dicts()
    return render(
        request, "child.html", title="Child's timeline", ref=ref, child_id=child_id,
        header=header[0] if header else {},
        episodes=history.episodes.filter(pick).sort("DECOM").to_dicts(),
        reviews=history.table("reviews").filter(pick).sort("REVIEW").to_dicts(),
        missing=history.table("missing").filter(pick).sort("MIS_START").to_dicts(),
    )
