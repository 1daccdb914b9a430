"""The council's pledges and its action plan, kept in the store.

A pledge ("we will see you at least every six weeks") is tied to the measure that shows whether
it is kept: a compliance summary id (``visits_on_time`` …) or a ``carewise.measures`` id
(``care_leavers_in_touch`` …), with a target. Its RAG on a date: green when the measure meets
the target, amber within ``amber_margin`` points of it, red otherwise (grey when the figure is
not available).

The action plan (like a post-Ofsted action plan, seed 002): each action has an owner, a due date
and a dated history of updates (status, RAG, note). Updates are only ever added, never edited or
deleted, so the plan's history is never overwritten; an action's current status is its latest
update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import insert, select, update

from carewise.compliance import schema as cs
from carewise.compliance.storage import council_id
from carewise.disclosure import current
from carewise.errors import BadInputError, NotFoundError, UserFacingError
from carewise.ingest.extracts import parse_date
from carewise.ingest.problems import Problem, error
from carewise.store.store import new_id

if TYPE_CHECKING:
    from carewise.store.store import Store

ACTION_STATUSES = ("not_started", "on_track", "off_track", "achieved")
RAGS = ("green", "amber", "red")
STATUS_RAG = {"achieved": "green", "on_track": "green", "off_track": "red", "not_started": "amber"}
"""Default RAG for a status (seed 002's key: achieved / on track / not yet on track)."""
AUDIENCES = ("children", "care_leavers")


class PledgeError(UserFacingError):
    exit_code = 2


@dataclass(frozen=True)
class Pledge:
    ref: str
    pledge: str
    audience: str
    measure: str
    target: float
    direction: str = "higher"
    amber_margin: float = 5.0
    active: bool = True


@dataclass(frozen=True)
class ActionUpdate:
    at: datetime
    by: str
    status: str
    rag: str
    due: date | None
    note: str


@dataclass(frozen=True)
class Action:
    ref: str
    area: str
    action: str
    owner: str
    due: date
    created_at: datetime
    created_by: str
    updates: tuple[ActionUpdate, ...]

    @property
    def status(self) -> str:
        return self.updates[-1].status if self.updates else "not_started"

    @property
    def rag(self) -> str:
        return self.updates[-1].rag if self.updates else "amber"

    @property
    def current_due(self) -> date:
        revised = [u.due for u in self.updates if u.due]
        return revised[-1] if revised else self.due

    def overdue(self, on: date) -> bool:
        return self.status != "achieved" and self.current_due < on

    def as_dict(self, on: date | None = None) -> dict[str, Any]:
        return {
            "ref": self.ref, "area": self.area, "action": self.action, "owner": self.owner,
            "due": self.current_due.isoformat(), "original_due": self.due.isoformat(),
            "status": self.status, "rag": self.rag,
            "overdue": self.overdue(on or date.today()),
            "updates": [{"at": u.at.isoformat(), "by": u.by, "status": u.status, "rag": u.rag,
                         "due": u.due.isoformat() if u.due else None, "note": u.note} for u in self.updates],
        }


def _who(by: str | None) -> str:
    from carewise.store.store import _default_user

    return by or _default_user()


def known_measures() -> set[str]:
    from carewise.compliance.views import SUMMARY_IDS
    from carewise.measures import MEASURES

    return set(SUMMARY_IDS) | set(MEASURES)


def _check_pledge(p: Pledge) -> None:
    if p.measure not in known_measures():
        raise PledgeError(f"pledge {p.ref}: '{p.measure}' is not a measure carewise knows; use a "
                          "compliance summary id (e.g. visits_on_time) or a measure id from "
                          "`carewise measures --json`")
    if p.audience not in AUDIENCES:
        raise PledgeError(f"pledge {p.ref}: audience is children or care_leavers, not '{p.audience}'")
    if p.direction not in ("higher", "lower"):
        raise PledgeError(f"pledge {p.ref}: direction is higher or lower (which way is better)")


# -- pledges --------------------------------------------------------------------------------------


def save_pledges(store: Store, la_code: str, pledges: list[Pledge], by: str | None = None) -> int:
    """Add or replace pledges by ref, all in one transaction."""
    for p in pledges:
        _check_pledge(p)
    cid = council_id(store, la_code)
    now = datetime.now(UTC)
    who = _who(by)
    with store.engine.begin() as conn:
        for p in pledges:
            values = dict(pledge=p.pledge, audience=p.audience, measure=p.measure, target=p.target,
                          direction=p.direction, amber_margin=p.amber_margin, active=p.active,
                          updated_at=now, updated_by=who)
            found = conn.execute(select(cs.pledge.c.id).where(cs.pledge.c.council_id == cid,
                                                              cs.pledge.c.ref == p.ref)).scalar()
            if found is None:
                conn.execute(insert(cs.pledge).values(council_id=cid, ref=p.ref, **values))
            else:
                conn.execute(update(cs.pledge).where(cs.pledge.c.id == found).values(**values))
    return len(pledges)


def list_pledges(store: Store, la_code: str, active_only: bool = True) -> list[Pledge]:
    cid = council_id(store, la_code)
    q = select(cs.pledge).where(cs.pledge.c.council_id == cid).order_by(cs.pledge.c.ref)
    if active_only:
        q = q.where(cs.pledge.c.active.is_(True))
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    return [Pledge(r.ref, r.pledge, r.audience, r.measure, r.target, r.direction, r.amber_margin, r.active)
            for r in rows]


def rag(value: float | None, target: float, direction: str = "higher", margin: float = 5.0) -> str:
    """Green at or beyond the target, amber within ``margin`` of it, red beyond; grey if no figure."""
    if value is None:
        return "grey"
    gap = (value - target) if direction == "higher" else (target - value)
    if gap >= 0:
        return "green"
    return "amber" if gap >= -margin else "red"


def pledge_results(pledges: list[Pledge], compliance: dict[str, dict[str, Any]],
                   measures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each pledge with its measure's value, target and RAG."""
    out = []
    for p in pledges:
        if p.measure in compliance:
            c = compliance[p.measure]
            value, title, display = c.get("value"), c.get("title"), c.get("value")
            suppressed = False
        else:
            m = measures.get(p.measure)
            value = None if m is None or m.suppressed else m.value
            title = m.title if m is not None else p.measure
            display = m.display if m is not None else None
            suppressed = bool(m.suppressed) if m is not None else False
        out.append({"ref": p.ref, "pledge": p.pledge, "audience": p.audience, "measure": p.measure,
                    "measure_title": title, "value": value, "display": display, "target": p.target,
                    "direction": p.direction, "suppressed": suppressed,
                    "rag": rag(value, p.target, p.direction, p.amber_margin)})
    return out


# -- actions --------------------------------------------------------------------------------------


def pledge_rows(store: Store, la_code: str, as_at: date | None = None, audience: str = "internal",
                history=None, extracts=None) -> tuple[date | None, list[dict[str, Any]]]:
    """The council's pledges with each one's figure on ``as_at``, target and RAG: compliance
    figures on the 12 months to ``as_at``, measures on the rolling 12 months, each hidden (None)
    where the audience may not see it (``carewise.disclosure``)."""
    from carewise.compliance.storage import load_extracts
    from carewise.compliance.views import assess
    from carewise.measures import MEASURES, evaluate

    pledges = list_pledges(store, la_code)
    if not pledges:
        return as_at, []
    history = history or store.load_history(la_code)
    extracts = extracts or load_extracts(store, la_code)
    at = as_at or history.last_date
    if at is None:
        return None, pledge_results(pledges, {}, {})
    a = assess(history, extracts, at)
    compliance = {k: dict(v) for k, v in a.summary.items()}
    if audience != "internal":
        for v in compliance.values():
            if current().hides_share(v["denominator"], audience):
                v["value"] = None
    wanted = [p.measure for p in pledges if p.measure in MEASURES]
    measures = {}
    if wanted:
        try:
            results = evaluate(history, f"rolling-12m:{at.isoformat()}", la_code, audience, ids=wanted,
                               with_comparators=False)
            measures = {r.id: r for r in results}
        except UserFacingError:  # a date the measures cannot cover: those pledges show no figure
            measures = {}
    rows = pledge_results(pledges, compliance, measures)
    for r in rows:
        if r["measure"] in compliance:
            r["display"] = "–" if r["value"] is None else f"{r['value']:.1f}%"
    return at, rows


RAG_WORDS = {"green": "Green: kept", "amber": "Amber: nearly", "red": "Red: not kept", "grey": "No figure"}
"""Each RAG in words, so a RAG is never told by colour alone."""


def add_action(store: Store, la_code: str, ref: str, area: str, action: str, owner: str, due: date,
               by: str | None = None, note: str = "Action added", status: str = "not_started",
               rag_: str | None = None) -> None:
    """A new action with its first update, in one transaction."""
    cid = council_id(store, la_code)
    with store.engine.begin() as conn:
        _add(conn, cid, ref, area, action, owner, due, _who(by), note, status, rag_)


def _add(conn, cid: int, ref: str, area: str, action: str, owner: str, due: date, who: str,
         note: str, status: str, rag_: str | None) -> None:
    _check_status(status, rag_)
    now = datetime.now(UTC)
    exists = conn.execute(select(cs.action.c.id).where(cs.action.c.council_id == cid,
                                                       cs.action.c.ref == ref)).scalar()
    if exists is not None:
        raise PledgeError(f"action {ref} already exists: use `carewise actions update {ref}` to "
                          "record progress")
    aid = new_id(conn.execute(insert(cs.action).values(council_id=cid, ref=ref, area=area, action=action,
                                                       owner=owner, due=due, created_at=now,
                                                       created_by=who)))
    conn.execute(insert(cs.action_update).values(action_id=aid, at=now, by=who, status=status,
                                                 rag=rag_ or STATUS_RAG[status], due=None, note=note))


def _check_status(status: str, rag_: str | None) -> None:
    if status not in ACTION_STATUSES:
        raise PledgeError(f"status is one of {', '.join(ACTION_STATUSES)}, not '{status}'")
    if rag_ is not None and rag_ not in RAGS:
        raise PledgeError(f"RAG is one of {', '.join(RAGS)}, not '{rag_}'")


def update_action(store: Store, la_code: str, ref: str, status: str, note: str, rag_: str | None = None,
                  due: date | None = None, by: str | None = None) -> None:
    """Append a dated update (never edits earlier ones)."""
    cid = council_id(store, la_code)
    with store.engine.begin() as conn:
        _update(conn, cid, ref, status, note, rag_, due, _who(by))


def _update(conn, cid: int, ref: str, status: str, note: str, rag_: str | None, due: date | None,
            who: str) -> None:
    _check_status(status, rag_)
    aid = conn.execute(select(cs.action.c.id).where(cs.action.c.council_id == cid,
                                                    cs.action.c.ref == ref)).scalar()
    if aid is None:
        raise NotFoundError(f"there is no action {ref}: see `carewise actions list`")
    conn.execute(insert(cs.action_update).values(action_id=aid, at=datetime.now(UTC), by=who,
                                                 status=status, rag=rag_ or STATUS_RAG[status],
                                                 due=due, note=note))


def list_actions(store: Store, la_code: str) -> list[Action]:
    cid = council_id(store, la_code)
    with store.engine.connect() as conn:
        acts = conn.execute(select(cs.action).where(cs.action.c.council_id == cid).order_by(cs.action.c.id)).all()
        ups = conn.execute(select(cs.action_update).where(cs.action_update.c.action_id.in_([a.id for a in acts]))
                           .order_by(cs.action_update.c.id)).all() if acts else []
    by_action: dict[int, list[ActionUpdate]] = {}
    for u in ups:
        by_action.setdefault(u.action_id, []).append(ActionUpdate(u.at, u.by, u.status, u.rag, u.due, u.note))
    return [Action(a.ref, a.area, a.action, a.owner, a.due, a.created_at, a.created_by,
                   tuple(by_action.get(a.id, []))) for a in acts]


# -- loading from CSV / Excel ---------------------------------------------------------------------

PLEDGE_COLUMNS = ("ref", "pledge", "audience", "measure", "target", "direction", "amber_margin")
ACTION_COLUMNS = ("ref", "area", "action", "owner", "due", "status", "rag", "note")


def _read(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise BadInputError(f"{path}: no such file; check the path")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = pl.read_excel(path, infer_schema_length=0)
    else:
        frame = pl.read_csv(path, infer_schema=False)
    return frame.rename({c: c.strip().lower() for c in frame.columns})


def _problems_error(problems: list[Problem]) -> BadInputError:
    lines = "\n".join(f"  - {p.describe()}" for p in problems[:20])
    return BadInputError(f"{len(problems)} problem(s); nothing was stored.\n{lines}")


def read_pledges(path: Path) -> list[Pledge]:
    """Pledges from CSV/Excel with columns ref, pledge, audience, measure, target[, direction,
    amber_margin]; every row is checked before any is stored."""
    frame = _read(path)
    problems: list[Problem] = []
    for col in PLEDGE_COLUMNS[:5]:
        if col not in frame.columns:
            problems.append(error(path.name, f"no column '{col}'", f"Add a '{col}' column; columns are "
                                  + ", ".join(PLEDGE_COLUMNS), column=col))
    if problems:
        raise _problems_error(problems)
    known = known_measures()
    out = []
    for i, row in enumerate(frame.iter_rows(named=True), start=1):
        try:
            target = float(row["target"])
        except (TypeError, ValueError):
            problems.append(error(path.name, "target is not a number", "Write the target as a "
                                  "percentage, e.g. 90", row=i, column="target", value=row["target"]))
            continue
        if row["measure"] not in known:
            problems.append(error(path.name, "measure is not one carewise knows", "Use a compliance "
                                  "summary id (visits_on_time …) or a measure id", row=i,
                                  column="measure", value=row["measure"]))
            continue
        if (row.get("audience") or "") not in AUDIENCES:
            problems.append(error(path.name, "audience is not children or care_leavers",
                                  "Write children or care_leavers", row=i, column="audience",
                                  value=row.get("audience")))
            continue
        out.append(Pledge(str(row["ref"]).strip(), str(row["pledge"]).strip(), row["audience"], row["measure"],
                          target, (row.get("direction") or "higher").strip(),
                          float(row.get("amber_margin") or 5.0)))
    if problems:
        raise _problems_error(problems)
    return out


def read_actions(path: Path) -> list[dict[str, Any]]:
    """Actions from CSV/Excel: ref, area, action, owner, due (YYYY-MM-DD or DD/MM/YYYY)[, status,
    rag, note]."""
    frame = _read(path)
    problems: list[Problem] = []
    for col in ACTION_COLUMNS[:5]:
        if col not in frame.columns:
            problems.append(error(path.name, f"no column '{col}'", "Add it; columns are "
                                  + ", ".join(ACTION_COLUMNS), column=col))
    if problems:
        raise _problems_error(problems)
    out = []
    for i, row in enumerate(frame.iter_rows(named=True), start=1):
        due = parse_date(row["due"])  # read as every local file's dates are
        status = (row.get("status") or "not_started").strip().lower().replace(" ", "_")
        rag_ = (row.get("rag") or "").strip().lower() or None
        if due is None:
            problems.append(error(path.name, "due is not a date", "Write YYYY-MM-DD or DD/MM/YYYY",
                                  row=i, column="due", value=row["due"]))
        elif status not in ACTION_STATUSES:
            problems.append(error(path.name, "status is not known", "Write one of "
                                  + ", ".join(ACTION_STATUSES), row=i, column="status", value=row.get("status")))
        elif rag_ is not None and rag_ not in RAGS:
            problems.append(error(path.name, "RAG is not known", "Write green, amber or red", row=i,
                                  column="rag", value=row.get("rag")))
        else:
            out.append({"ref": str(row["ref"]).strip(), "area": row["area"] or "", "action": row["action"] or "",
                        "owner": row["owner"] or "", "due": due, "status": status, "rag_": rag_,
                        "note": row.get("note") or "Loaded from the action plan"})
    if problems:
        raise _problems_error(problems)
    return out


def load_actions(store: Store, la_code: str, rows: list[dict[str, Any]], by: str | None = None) -> int:
    """New actions are added; existing ones get an update only when their status, RAG, note or
    due date changed (their history stays). All rows land in one transaction, or none do."""
    existing = {a.ref: a for a in list_actions(store, la_code)}
    cid, who = council_id(store, la_code), _who(by)
    with store.engine.begin() as conn:
        for r in rows:
            a = existing.get(r["ref"])
            if a is None:
                _add(conn, cid, r["ref"], r["area"], r["action"], r["owner"], r["due"], who, r["note"],
                     r["status"], r["rag_"])
            elif (a.status, a.rag, a.updates[-1].note if a.updates else "") != (
                    r["status"], r["rag_"] or STATUS_RAG[r["status"]], r["note"]) or a.current_due != r["due"]:
                _update(conn, cid, r["ref"], r["status"], r["note"], r["rag_"],
                        r["due"] if r["due"] != a.current_due else None, who)
    return len(rows)
