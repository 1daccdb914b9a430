"""Compliance pages: statutory compliance, worklists, care leavers, pledges and the action plan.

``/compliance`` (summary, teams, monthly trend), ``/compliance/leavers`` and
``/compliance/pledges`` show aggregates to every role; panel users see rates with fewer than 5
due dates, and counts under 5, as ``x``. ``/compliance/worklist`` (and its Excel download) lists
children, so only roles that may see children reach it, and every view is audited.
"""

from __future__ import annotations

import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

import carewise.reports.compliance  # noqa: F401 - registers the pack's compliance sections
from carewise.compliance import Assessment, assess, views
from carewise.compliance import leavers as lv
from carewise.compliance.storage import load_extracts
from carewise.disclosure import current
from carewise.errors import UserFacingError
from carewise.store import audit
from carewise.store.accounts import User
from carewise.web.auth import children_roles, current_user
from carewise.web.data import _LRU

router = APIRouter(include_in_schema=False)

REQUIREMENT_TITLES: dict[str, str] = {}
for _req, _title in views.SUMMARY_IDS.values():
    REQUIREMENT_TITLES.setdefault(_req, _title)


def _render(request: Request, name: str, **context: Any):
    from carewise.web.rendering import render

    return render(request, name, **context)


def _council(request: Request):
    council = getattr(request.state, "council", None)
    if council is None:
        return None
    return council


def _at(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, "The date must be written YYYY-MM-DD.") from None


_LOCK = threading.Lock()


def _cache(request: Request) -> _LRU:
    state = request.app.state
    with _LOCK:
        if not hasattr(state, "compliance"):
            state.compliance = _LRU(32)
        return state.compliance


def _data_version(request: Request, la_code: str) -> tuple:
    """What the compliance figures depend on: the 903 batches and the current extract loads."""
    from carewise.compliance.storage import extract_batches

    loads = tuple(b.id for b in extract_batches(request.app.state.store, la_code) if b.status == "current")
    return la_code, request.app.state.data.version(la_code), loads


def _assessment(request: Request, la_code: str, at: date | None) -> Assessment:
    """Worked out once per data version (903 batches and extract loads) and date, then cached."""
    data, store = request.app.state.data, request.app.state.store
    return _cache(request).get_or_make(
        ("assessment", *_data_version(request, la_code), at),
        lambda: assess(data.history(la_code), load_extracts(store, la_code), at))


def _leavers(request: Request, la_code: str, at: date | None) -> dict:
    """The care leavers' figures (``leavers.as_json``), cached per data version and date like the
    assessment they build on (working them out took 1.6 to 7.4 s on every visit)."""
    def make() -> dict:
        a = _assessment(request, la_code, at)
        history = request.app.state.data.history(la_code)
        extracts = load_extracts(request.app.state.store, la_code)
        result = lv.leavers(history, extracts, a.as_at,
                            lv.pathway_current(a.instances) if "pathway_plan" in a.assessed else None)
        return lv.as_json(result) | {"as_at": result.as_at}

    return _cache(request).get_or_make(("leavers", *_data_version(request, la_code), at), make)


def _internal(user: User) -> bool:
    return bool(user.role.sees_children)


def _rate(value: float | None, due: int, internal: bool) -> str:
    if value is None:
        return "–"
    if not internal and current().hides_share(due, "panel"):
        return "x"
    return f"{value:.1f}%"


def _count(n: int, internal: bool) -> str:
    return f"{n:,}" if internal else current().count(n, "panel")


@router.get("/compliance")
def compliance_page(request: Request, at: str | None = None, user: User = Depends(current_user)) -> Response:
    council = _council(request)
    if council is None:
        return _render(request, "no_data.html", title="No data yet")
    internal = _internal(user)
    try:
        when = _at(at)
        context = _cache(request).get_or_make(
            ("summary", *_data_version(request, council.la_code), when, internal),
            lambda: _summary_context(_assessment(request, council.la_code, when), internal))
    except UserFacingError as exc:
        return _render(request, "error.html", title="Compliance cannot be shown", message=str(exc))
    return _render(request, "compliance_summary.html", title="Statutory compliance", **context)


def _summary_context(a: Assessment, internal: bool) -> dict[str, Any]:
    """What /compliance shows, worked out once per data version, date and audience (the team and
    monthly tables took most of the page's time under load)."""
    summary = [
        {"id": sid, "title": s["title"], "assessed": s["assessed"], "basis": s.get("basis", "window"),
         "rate": _rate(s["value"], s["denominator"], internal),
         "due": _count(s["denominator"], internal)}
        for sid, s in a.summary.items()
    ]
    teams = [
        {**r, "rate": _rate(r["pct_on_time"], r["due"], internal), "due_text": _count(r["due"], internal),
         "title": REQUIREMENT_TITLES.get(r["requirement"], r["requirement"])}
        for r in views.by_group(a, "team").to_dicts()
    ]
    trend = views.trend(a, None)
    months = sorted(trend["month"].unique().to_list()) if trend.height else []
    trend_rows = []
    for req in trend["requirement"].unique().sort().to_list() if trend.height else []:
        cells = {r["month"]: _rate(r["pct_on_time"], r["due"], internal)
                 for r in trend.filter(pl.col("requirement") == req).to_dicts()}
        trend_rows.append({"title": REQUIREMENT_TITLES.get(req, req), "cells": [cells.get(m, "–") for m in months]})
    statuses = views.as_json(a, children=False)["statuses"]
    return dict(a=a, summary=summary, teams=teams, months=months, trend_rows=trend_rows,
                statuses={k: _count(v, internal) for k, v in statuses.items()}, internal=internal,
                team_chart=_team_chart(a, internal))


def _team_chart(a: Assessment, internal: bool) -> dict[str, Any] | None:
    """Due dates met on time in the 12 months, by team, every requirement together: one bar a
    team (in name order, unallocated last), from 0 to 100%, with the same figures as a table.
    A team's rate hidden from the panel (too few due dates) is left out of the picture."""
    from carewise.web.charts import comparison_chart

    by_team = views.by_group(a, "team")
    if not by_team.height:
        return None
    totals = by_team.group_by("team").agg(pl.col("due").sum(), pl.col("on_time").sum()).sort(
        [pl.col("team") == "(unallocated)", "team"])
    title = f"Due dates met on time in the 12 months to {a.as_at.strftime('%d %B %Y')}, by team (all requirements)"
    series = "On time"
    rows, table = [], []
    for r in totals.iter_rows(named=True):
        value = round(100 * r["on_time"] / r["due"], 1) if r["due"] else None
        shown = _rate(value, r["due"], internal)
        rows.append({"label": r["team"], "series": series,
                     "value": value if shown not in ("x", "–") else None})
        table.append({"title": r["team"], "cells": [shown, _count(r["due"], internal)]})
    return {"svg": comparison_chart(rows, title, "Percent of due dates met on time"), "title": title,
            "series": [series, "Due"], "table": table, "first_column": "Team"}


@router.get("/compliance/worklist")
def worklist_page(request: Request, team: str = "", worker: str = "", at: str | None = None,
                  q: str = Query("", max_length=40), requirement: str = Query("", max_length=60),
                  page: int = Query(1, ge=1, le=100_000), user: User = Depends(children_roles)) -> Response:
    """The worklist 50 rows a page, searched by child reference, team and what is due."""
    from carewise.web.rendering import paginate

    council = _council(request)
    if council is None:
        return _render(request, "no_data.html", title="No data yet")
    a = _assessment(request, council.la_code, _at(at))
    everything = views.worklist(a, team or None, worker or None)
    search = q.strip()
    rows = views.search_worklist(everything, requirement or None, search or None)
    shown, page, pages = paginate(rows, page)
    data = request.app.state.data
    items = [{**r, "ref": data.child_ref(council.la_code, r["CHILD"]),
              "title": REQUIREMENT_TITLES.get(r["requirement"], r["requirement"])} for r in shown.to_dicts()]
    audit.record(request.app.state.store, user.username, "view-child-list", council=council.la_code,
                 target="compliance-worklist", detail={"team": team or None, "worker": worker or None,
                                                       "requirement": requirement or None, "searched": bool(search),
                                                       "page": page, "children": shown["CHILD"].n_unique()})
    teams = sorted(t for t in a.current["team"].drop_nulls().unique().to_list())
    due = sorted(everything["requirement"].unique().to_list(), key=lambda r: REQUIREMENT_TITLES.get(r, r))
    return _render(request, "compliance_worklist.html", title="Compliance worklist", items=items, a=a,
                   teams=teams, team=team, worker=worker, q=search, requirement=requirement,
                   requirements=[(r, REQUIREMENT_TITLES.get(r, r)) for r in due], matched=rows.height,
                   total=everything.height, page=page, pages=pages)


@router.get("/compliance/worklist.xlsx")
def worklist_download(request: Request, team: str = "", worker: str = "", at: str | None = None,
                      q: str = Query("", max_length=40), requirement: str = Query("", max_length=60),
                      user: User = Depends(children_roles)) -> Response:
    """The worklist for Excel: the rows the page shows for the same filters and search, with an
    About sheet (council, date, filters; synthetic data said so, as on every download)."""
    from carewise.reports.model import SYNTHETIC_NOTICE

    council = _council(request)
    if council is None:
        raise HTTPException(404, "No data is stored yet.")
    a = _assessment(request, council.la_code, _at(at))
    search = q.strip()
    filters = {"team": team, "worker": worker, "what is due": REQUIREMENT_TITLES.get(requirement, requirement),
               "child reference contains": search}
    about = [("Council", council.name), ("Compliance at", a.as_at.strftime("%d/%m/%Y")),
             ("Filters", "; ".join(f"{k}: {v}" for k, v in filters.items() if v) or "none")]
    if council.synthetic:
        about.insert(0, ("Synthetic", SYNTHETIC_NOTICE))
    with tempfile.TemporaryDirectory() as tmp:
        path = views.to_excel(a, Path(tmp) / "worklist.xlsx", team or None, worker or None,
                              requirement=requirement or None, child=search or None, about=about)
        content = path.read_bytes()
    audit.record(request.app.state.store, user.username, "export", council=council.la_code,
                 target="compliance-worklist.xlsx", detail={"team": team or None, "worker": worker or None,
                                                            "requirement": requirement or None,
                                                            "searched": bool(search)})
    kind = "compliance-worklist-synthetic" if council.synthetic else "compliance-worklist"
    name = f"{kind}-{council.la_code}-{a.as_at.isoformat()}.xlsx"
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/compliance/leavers")
def leavers_page(request: Request, at: str | None = None, user: User = Depends(current_user)) -> Response:
    council = _council(request)
    if council is None:
        return _render(request, "no_data.html", title="No data yet")
    internal = _internal(user)
    try:
        data = _leavers(request, council.la_code, _at(at))
    except UserFacingError as exc:
        return _render(request, "error.html", title="Care leavers cannot be shown", message=str(exc))

    def share(s: dict) -> str:
        if s["pct"] is None:
            return "–"
        if not internal and (current().hides_share(s["known"], "panel") or current().small(s["count"])):
            return "x"
        return f"{s['pct']:.0f}%"

    rows = [{"status": k.replace("_", " ").replace("21 25", "21–25"), "count": _count(v["count"], internal),
             "in_touch": share(v["in_touch"]), "eet": share(v["eet"]),
             "accommodation": share(v["suitable_accommodation"]), "pa": share(v["pa_allocated"]),
             "pathway": share(v["pathway_plan_current"]), "staying_put": share(v["staying_put"])}
            for k, v in data["by_status"].items()]
    caseloads = [{"adviser": c["adviser"], "caseload": _count(c["caseload"], internal)} for c in data["caseloads"]]
    return _render(request, "compliance_leavers.html", title="Care leavers", rows=rows, caseloads=caseloads,
                   forecast=data["forecast"] or [], average=data["average_caseload"], as_at=data["as_at"],
                   total=_count(data["total"], internal))


@router.get("/compliance/pledges")
def pledges_page(request: Request, user: User = Depends(current_user)) -> Response:
    council = _council(request)
    if council is None:
        return _render(request, "no_data.html", title="No data yet")
    from carewise.compliance.pledges import RAG_WORDS, list_actions, list_pledges, pledge_rows

    store = request.app.state.store
    audience = "internal" if _internal(user) else "panel"
    # each pledge's figure (a compliance assessment and measures: seconds of work) once per data
    # version and the pledges as stored, like the other compliance pages
    at, pledges = _cache(request).get_or_make(
        ("pledges", *_data_version(request, council.la_code), repr(list_pledges(store, council.la_code)),
         audience),
        lambda: pledge_rows(store, council.la_code, None, audience,
                            history=request.app.state.data.history(council.la_code),
                            extracts=load_extracts(store, council.la_code)))
    actions = list_actions(store, council.la_code)
    today = date.today()
    return _render(request, "compliance_pledges.html", title="Pledges and action plan", pledges=pledges,
                   rag_words=RAG_WORDS, actions=actions, as_at=at, today=today)
