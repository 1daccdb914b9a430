"""The JSON API: the same figures as the pages, for the same signed-in user and role.

OpenAPI description at ``/api/openapi.json``. Child-level endpoints are for
admins, analysts and managers only and every call is audited, like the pages.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from carewise.errors import UserFacingError
from carewise.store import audit
from carewise.store.accounts import User
from carewise.web.auth import children_roles, current_user

router = APIRouter(prefix="/api/v1", tags=["carewise"])


class CouncilOut(BaseModel):
    la_code: str
    name: str
    synthetic: bool


class YearOut(BaseModel):
    children: int
    episodes: int
    tables: dict[str, int]


class StatusOut(BaseModel):
    council: CouncilOut
    years: dict[str, YearOut]


class MeasureOut(BaseModel):
    id: str
    title: str
    section: str
    kind: str
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    available: bool
    display: str
    breakdowns: dict[str, Any]
    comparators: list[dict[str, Any]]
    dfe_definition: str
    synthetic: bool = False
    """True when the council's data is synthetic (made up by carewise's generator)."""


class ChildOut(BaseModel):
    ref: str
    child: str
    age: int | None
    legal_status: str | None
    placement: str | None
    synthetic: bool = False
    """True when the council's data is synthetic (made up by carewise's generator)."""


def _council(request: Request):
    council = getattr(request.state, "council", None)
    if council is None:
        raise HTTPException(404, "no data is stored for your councils yet")
    return council


@router.get("/councils", response_model=list[CouncilOut])
def councils(request: Request, user: User = Depends(current_user)) -> list[CouncilOut]:
    """The councils whose data you may see."""
    return [CouncilOut(la_code=c.la_code, name=c.name, synthetic=c.synthetic) for c in request.state.councils]


@router.get("/status", response_model=StatusOut)
def status(request: Request, user: User = Depends(current_user)) -> StatusOut:
    """What is stored for your current council, per collection year."""
    council = _council(request)
    data = request.app.state.store.status(council.la_code)
    return StatusOut(
        council=CouncilOut(**data["council"]),
        years={k: YearOut(children=v["children"], episodes=v["episodes"], tables=v["tables"])
               for k, v in data["years"].items()},
    )


@router.get("/measures", response_model=list[MeasureOut])
def measures(
    request: Request,
    period: str | None = Query(None, max_length=40, description="2024-25, 2025-Q1, rolling-12m:2025-03-31 or "
                               "2025-03-31; panel users: collection years and quarters only"),
    user: User = Depends(current_user),
) -> list[MeasureOut]:
    """Every measure for a period; panel users get published periods only, with small counts and
    whatever would give them away hidden (docs/disclosure.md)."""
    council = _council(request)
    data = request.app.state.data
    history = data.history(council.la_code)
    chosen = period or (history.years[-1].label if history.years else None)
    if chosen is None:
        raise HTTPException(404, "no data is stored yet")
    audience = "internal" if user.role.sees_children else "panel"
    try:
        results = data.measures(council.la_code, chosen, audience)
    except UserFacingError as exc:
        raise HTTPException(422, str(exc)) from None
    out = []
    for r in results:
        d = r.as_dict()
        out.append(MeasureOut(**{k: d[k] for k in MeasureOut.model_fields if k != "synthetic"},
                              synthetic=council.synthetic))
    return out


@router.get("/children", response_model=list[ChildOut])
def children(request: Request, period: str | None = Query(None, max_length=40),
             user: User = Depends(children_roles)) -> list[ChildOut]:
    """Children looked after at the end of the period (restricted roles; audited)."""
    from carewise.measures.frames import looked_after_at
    from carewise.measures.period import parse_period

    council = _council(request)
    data = request.app.state.data
    history = data.history(council.la_code)
    chosen = period or (history.years[-1].label if history.years else None)
    if chosen is None:
        raise HTTPException(422, "no period given and no return imported")
    try:
        on = parse_period(chosen).end
    except UserFacingError:
        raise HTTPException(422, "the period is not valid") from None
    at = looked_after_at(history, on).sort("CHILD")
    audit.record(request.app.state.store, user.username, "view-child-list", council=council.la_code,
                 detail={"period": chosen, "via": "api", "children": at.height})
    return [
        ChildOut(ref=data.child_ref(council.la_code, r["CHILD"]), child=r["CHILD"], age=r.get("age"),
                 legal_status=r.get("LS"), placement=r.get("PLACE"), synthetic=council.synthetic)
        for r in at.iter_rows(named=True)
    ]


@router.get("/children/{ref}")
def child(request: Request, ref: str, user: User = Depends(children_roles)) -> dict[str, Any]:
    """One child's episodes, reviews and missing episodes (restricted roles; audited)."""
    council = _council(request)
    data = request.app.state.data
    child_id = data.child_by_ref(council.la_code, ref) if len(ref) == 24 else None
    if child_id is None:
        raise HTTPException(404, "no such child")
    history = data.history(council.la_code)
    audit.record(request.app.state.store, user.username, "view-child", council=council.la_code, target=ref,
                 detail={"via": "api"})
    pick = pl.col("CHILD") == child_id

    def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
        return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                for r in frame.filter(pick).to_dicts()]

    return {"ref": ref, "synthetic": council.synthetic, "episodes": rows(history.episodes), "reviews": rows(history.table("reviews")),
            "missing": rows(history.table("missing"))}
