"""Compliance views: per child, summary rates, per team and worker with monthly trend, worklists.

Rates count the due dates that fell in the 12 months up to the date asked (``as_at``) and could be
judged (the clock was not assumed, see ``schedule``): on time / (on time + late + missed +
overdue). ``pathway_plans_current`` is a snapshot: of care leavers and eligible children whose
pathway plan clock is running on ``as_at``, the share whose plan is not overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from carewise.compliance import cohort, schedule
from carewise.compliance.rules import in_force
from carewise.compliance.storage import Extracts
from carewise.history import History
from carewise.returns.years import age_expr

SUMMARY_IDS: dict[str, tuple[str, str]] = {
    "visits_on_time": ("visits", "Statutory visits on time"),
    "visits_seen_alone": ("visits", "Statutory visits where the child was seen alone"),
    "adoption_visits_on_time": ("adoption_visits",
                                "Visits while placed for adoption (within a week, then weekly to the first review)"),
    "reviews_on_time": ("reviews", "Reviews on time"),
    "authorised_reviews_on_time": ("authorised_reviews",
                                   "Reviews while authorised to place for adoption, not yet placed (3 months, 6-monthly)"),
    "adoption_reviews_on_time": ("adoption_reviews", "Reviews while placed for adoption (4 weeks, 3 months, 6-monthly)"),
    "iha_on_time": ("iha", "Initial health assessments within 20 working days"),
    "rha_on_time": ("rha", "Review health assessments on time"),
    "dental_on_time": ("dental", "Dental checks on time"),
    "pep_first_on_time": ("pep_first", "First PEPs within 20 school days of coming into care"),
    "pep_on_time": ("pep", "PEPs held in term"),
    "rhi_within_72h": ("rhi", "Return home interviews offered within 72 hours"),
    "pa_contact_on_time": ("pa_contact", "Personal Adviser contact at least every 2 months"),
    "pathway_plans_on_time": ("pathway_plan", "Pathway plans reviewed on time (at least every 6 months)"),
    "pathway_plans_current": ("pathway_plan", "Young people whose pathway plan is up to date on the day"),
}
"""Summary id -> (requirement, title). The ids are a stable contract (docs/cli-json.md)."""

SNAPSHOTS = ("pathway_plans_current",)
"""Summary ids counted on the day asked, not over the window: shown apart from the window's
rates, under their own date, so a headline is never read on another basis than its breakdown
(the team and trend breakdowns are all over the window)."""


def basis(sid: str, as_at: date, months: int = 12) -> dict[str, str]:
    """What a summary figure counts over: ``window`` (due dates in the months to the date) or
    ``snapshot`` (the day itself), with the words to show beside it."""
    if sid in SNAPSHOTS:
        return {"basis": "snapshot", "period": f"on {as_at.day} {as_at:%B %Y}"}
    return {"basis": "window", "period": f"{months} months to {as_at.day} {as_at:%B %Y}"}

CHILD_STATUSES = ("overdue", "due_soon", "done_on_time", "done_late", "not_yet_due")
BAD = ("late", "missed", "overdue")


@dataclass
class Assessment:
    """Compliance for one council on one date."""

    as_at: date
    instances: pl.DataFrame
    current: pl.DataFrame
    summary: dict[str, dict[str, Any]]
    assessed: list[str]
    allocations: pl.DataFrame = field(default_factory=pl.DataFrame)
    notes: list[str] = field(default_factory=list)


def assess(history: History, extracts: Extracts, as_at: date | None = None, window_months: int = 12
           ) -> Assessment:
    """Compliance for every child and requirement on ``as_at`` (default: the last date held)."""
    from carewise.errors import NotFoundError

    at = as_at or history.last_date
    if at is None:
        raise NotFoundError("no 903 data is stored for this council: run `carewise import` first")
    inst = schedule.instances(history, extracts, at)
    alloc = extracts.get("allocations")
    inst = attribute(inst, _staff(extracts), at)
    current = child_status(inst, at)
    result = summary(inst, at, window_months)
    result["visits_seen_alone"] = seen_alone(extracts, at, window_months)
    result["pa_contact_on_time"]["by_age"] = pa_contact_by_age(inst, history, at, window_months)
    assessed = schedule.assessed_requirements(extracts)
    for sid, item in result.items():
        item["assessed"] = item["requirement"] in assessed
        item.update(basis(sid, at, window_months))
    return Assessment(at, inst, current, result, assessed, alloc, coverage_notes(extracts, at))


PA_CONTACT_AGES: tuple[tuple[int, int, str, str], ...] = (
    (16, 17, "Relevant children (16-17)",
     "The Personal Adviser visits within 7 days of a move to new accommodation, then at least every "
     "2 months (Care Leavers (England) Regulations 2010, visits to relevant children)."),
    (18, 20, "Former relevant (18-20)",
     "The council must keep in touch (Children Act 1989 s23C(2)); how often is set in the pathway "
     "plan, so carewise checks the 16-17 rule (within 7 days of leaving care, then every 2 months)."),
    (21, 24, "Former relevant (21-24), Personal Adviser on request",
     "A Personal Adviser on request to 25 (Children Act 1989 s23CZB, Children and Social Work Act "
     "2017 s3): checked only for young people with a Personal Adviser allocated after 21, against "
     "the same 2-month rule."),
)
"""Personal Adviser contact by age at the due date, each with the rule that applies at that age
and what carewise checks (one schedule: 7 days, then 2 months; ``timescales.toml``)."""


def pa_contact_by_age(inst: pl.DataFrame, history: History, as_at: date, months: int = 12
                      ) -> list[dict[str, Any]]:
    """PA contact on time in the window, by the young person's age on each due date, each band
    labelled with its rule."""
    dob = cohort.periods(history, as_at).select("CHILD", "DOB").unique("CHILD")
    win = _window(inst.filter(pl.col("requirement") == "pa_contact"), as_at, months).join(
        dob, on="CHILD", how="left").with_columns(age_expr(pl.col("DOB"), pl.col("due")).alias("_age"))
    out = []
    for lo, hi, label, rule in PA_CONTACT_AGES:
        band = win.filter(pl.col("_age").is_between(lo, hi))
        num, den = int((band["status"] == "on_time").sum()), band.height
        out.append({"ages": f"{lo}-{hi}", "label": label, "rule": rule, "numerator": num,
                    "denominator": den, "value": round(100 * num / den, 1) if den else None})
    return out


def seen_alone(extracts: Extracts, as_at: date, months: int = 12) -> dict[str, Any]:
    """Of statutory visits in the window, the share where the child was seen alone (reg 29:
    the social worker must see the child alone unless the child, being of sufficient age and
    understanding, refuses). Babies are counted too, so compare with care."""
    title = "Statutory visits where the child was seen alone"
    v = extracts.get("visits").filter(
        (pl.col("date") > pl.lit(as_at).dt.offset_by(f"-{months}mo")) & (pl.col("date") <= as_at))
    n, alone = v.height, int(v["seen_alone"].fill_null(False).sum())
    return {"title": title, "requirement": "visits", "unit": "%",
            "value": round(100 * alone / n, 1) if n else None, "numerator": alone, "denominator": n,
            "assessed": extracts.loaded("visits")}


def coverage_notes(extracts: Extracts, as_at: date) -> list[str]:
    """Warn when an extract stops before the date asked: due dates after it look overdue."""
    from carewise.compliance.extracts import EXTRACTS

    notes = []
    for kind in EXTRACTS:
        _, to = extracts.covers.get(kind, (None, None))
        if extracts.loaded(kind) and to is not None and (as_at - to).days > 31:
            notes.append(f"The {kind} extract's last date is {to:%d %B %Y}, over a month before "
                         f"{as_at:%d %B %Y}: anything due after it looks overdue. Load a newer extract "
                         "or choose an earlier --at date.")
    return notes


LEAVING_CARE_TEAM = "Personal Advisers"
LEAVER_REQUIREMENTS = ("pathway_plan", "pa_contact")


def _staff(extracts: Extracts) -> pl.DataFrame:
    """Social workers from the allocations extract; Personal Advisers (as a team of their own)
    for pathway plans and PA contact, which they lead once a young person has one."""
    sw = extracts.get("allocations").select("child", "worker", "team", "start", "end",
                                             pl.lit(False).alias("_pa"))
    pa = extracts.get("pa_allocations").select("child", pl.col("adviser").alias("worker"),
                                                pl.lit(LEAVING_CARE_TEAM).alias("team"), "start", "end",
                                                pl.lit(True).alias("_pa"))
    return pl.concat([sw, pa])


def attribute(inst: pl.DataFrame, alloc: pl.DataFrame, as_at: date) -> pl.DataFrame:
    """Add the worker and team allocated to the child on each due date (or today, if later):
    the Personal Adviser for pathway plans and PA contact when one is allocated, else the social
    worker."""
    if "_pa" not in alloc.columns:
        alloc = alloc.with_columns(pl.lit(False).alias("_pa"))
    sw = _attribute(inst, alloc.filter(~pl.col("_pa")), as_at)
    pa = _attribute(inst, alloc.filter(pl.col("_pa")), as_at)
    leaver = pl.col("requirement").is_in(LEAVER_REQUIREMENTS) & pl.lit(pa["worker"].is_not_null())
    return sw.with_columns(
        pl.when(leaver).then(pa["worker"]).otherwise(pl.col("worker")).alias("worker"),
        pl.when(leaver).then(pa["team"]).otherwise(pl.col("team")).alias("team"),
    )


def _attribute(inst: pl.DataFrame, alloc: pl.DataFrame, as_at: date) -> pl.DataFrame:
    on = pl.min_horizontal(pl.col("due"), pl.lit(as_at))
    probe = inst.with_row_index("_i").with_columns(on.alias("_on"))
    if alloc.height == 0:
        return inst.with_columns(pl.lit(None, dtype=pl.String).alias("worker"),
                                 pl.lit(None, dtype=pl.String).alias("team"))
    a = alloc.select(pl.col("child").alias("CHILD"), pl.col("start").alias("_on"), "worker", "team",
                     pl.col("end").alias("_end")).sort("_on").unique(["CHILD", "_on"], keep="last", maintain_order=True)
    got = probe.sort("_on").join_asof(a, on="_on", by="CHILD", strategy="backward", check_sortedness=False)
    got = got.with_columns(
        pl.when(pl.col("_end").is_null() | (pl.col("_end") >= pl.col("_on"))).then(pl.col(c)).alias(c)
        for c in ("worker", "team")
    )
    return got.sort("_i").drop("_i", "_on", "_end")


def child_status(inst: pl.DataFrame, as_at: date) -> pl.DataFrame:
    """Per child and requirement with a clock running: last event, next due date and status."""
    soon = in_force(as_at).due_soon_days
    last = inst.filter(pl.col("met").is_not_null()).sort("met").group_by("CHILD", "requirement").agg(
        pl.col("met").last().alias("last_event"), pl.col("status").last().alias("_last_status"))
    open_ = inst.filter(pl.col("status").is_in(["pending", "overdue"])).sort("due").group_by(
        "CHILD", "requirement").agg(pl.col("due").first().alias("next_due"),
                                    pl.col("status").first().alias("_open"),
                                    pl.col("worker").first(), pl.col("team").first())
    out = open_.join(last, on=["CHILD", "requirement"], how="left")
    status = (
        pl.when(pl.col("_open") == "overdue").then(pl.lit("overdue"))
        .when(pl.col("next_due") <= pl.lit(as_at).dt.offset_by(f"{soon}d")).then(pl.lit("due_soon"))
        .when(pl.col("_last_status") == "on_time").then(pl.lit("done_on_time"))
        .when(pl.col("_last_status") == "late").then(pl.lit("done_late"))
        .otherwise(pl.lit("not_yet_due"))
    )
    return out.with_columns(
        status.alias("status"),
        pl.when(pl.col("_open") == "overdue").then((pl.lit(as_at) - pl.col("next_due")).dt.total_days())
        .otherwise(0).alias("days_overdue"),
    ).drop("_open", "_last_status").sort(["CHILD", "requirement"])


def _window(inst: pl.DataFrame, as_at: date, months: int) -> pl.DataFrame:
    start = pl.lit(as_at).dt.offset_by(f"-{months}mo")
    return inst.filter(pl.col("assessed") & (pl.col("due") > start) & (pl.col("due") <= as_at)
                       & (pl.col("status") != "pending"))


def _rate_columns() -> list[pl.Expr]:
    return [
        pl.len().alias("due"),
        (pl.col("status") == "on_time").sum().alias("on_time"),
        (pl.col("status") == "late").sum().alias("late"),
        (pl.col("status") == "missed").sum().alias("missed"),
        (pl.col("status") == "overdue").sum().alias("overdue"),
    ]


def _pct(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("due") > 0).then((100 * pl.col("on_time") / pl.col("due")).round(1)).alias("pct_on_time"))


def summary(inst: pl.DataFrame, as_at: date, months: int = 12) -> dict[str, dict[str, Any]]:
    """The summary ids (``SUMMARY_IDS``): value (%), numerator, denominator and counts."""
    win = _pct(_window(inst, as_at, months).group_by("requirement").agg(_rate_columns()))
    by_req = {r["requirement"]: r for r in win.iter_rows(named=True)}
    present = set(inst["requirement"].unique().to_list())
    out: dict[str, dict[str, Any]] = {}
    for sid, (req, title) in SUMMARY_IDS.items():
        if sid == "visits_seen_alone":
            continue  # from the extract itself: see seen_alone()
        if sid == "pathway_plans_current":
            running = inst.filter((pl.col("requirement") == req) & pl.col("status").is_in(["pending", "overdue"]))
            kids = running.group_by("CHILD").agg((pl.col("status") == "overdue").any().alias("od"))
            den, num = kids.height, int((~kids["od"]).sum()) if kids.height else 0
            out[sid] = {"title": title, "requirement": req, "value": round(100 * num / den, 1) if den else None,
                        "numerator": num, "denominator": den, "overdue": den - num,
                        "assessed": req in present, "unit": "%"}
            continue
        row = by_req.get(req)
        out[sid] = {
            "title": title, "requirement": req, "unit": "%",
            "value": row["pct_on_time"] if row else None,
            "numerator": row["on_time"] if row else 0, "denominator": row["due"] if row else 0,
            "late": row["late"] if row else 0, "missed": row["missed"] if row else 0,
            "overdue": row["overdue"] if row else 0, "assessed": req in present,
        }
    return out


def by_group(a: Assessment, by: str = "team", months: int = 12) -> pl.DataFrame:
    """Per team (or worker) and requirement: due dates in the window, on time and %."""
    if by not in ("team", "worker"):
        raise ValueError("by is team or worker")
    keys = ["team", "worker"] if by == "worker" else ["team"]
    win = _window(a.instances, a.as_at, months).with_columns(pl.col(k).fill_null("(unallocated)") for k in keys)
    return _pct(win.group_by([*keys, "requirement"]).agg(_rate_columns())).sort([*keys, "requirement"])


def trend(a: Assessment, by: str | None = "team", months: int = 12) -> pl.DataFrame:
    """Per month of due date (and team or worker): due, on time and % on time."""
    keys = [] if by is None else (["team", "worker"] if by == "worker" else ["team"])
    win = _window(a.instances, a.as_at, months).with_columns(
        pl.col("due").dt.strftime("%Y-%m").alias("month"),
        *[pl.col(k).fill_null("(unallocated)") for k in keys])
    return _pct(win.group_by([*keys, "requirement", "month"]).agg(_rate_columns())).sort(
        [*keys, "requirement", "month"])


def worklist(a: Assessment, team: str | None = None, worker: str | None = None) -> pl.DataFrame:
    """What an officer must do next: overdue first (longest first), then due soon."""
    w = a.current.filter(pl.col("status").is_in(["overdue", "due_soon"]))
    if team:
        w = w.filter(pl.col("team") == team)
    if worker:
        w = w.filter(pl.col("worker") == worker)
    return w.sort([pl.col("status") != "overdue", pl.col("days_overdue") * -1, "next_due"]).select(
        "CHILD", "requirement", "status", "next_due", "days_overdue", "last_event", "worker", "team")


def search_worklist(rows: pl.DataFrame, requirement: str | None = None, child: str | None = None) -> pl.DataFrame:
    """The worklist rows of one requirement and/or whose child reference contains ``child``
    (case ignored): the page's search and its Excel download choose rows the same way."""
    if requirement:
        rows = rows.filter(pl.col("requirement") == requirement)
    if child:
        rows = rows.filter(pl.col("CHILD").cast(pl.String).str.to_lowercase().str.contains(child.lower(),
                                                                                          literal=True))
    return rows


def to_excel(a: Assessment, path: Path, team: str | None = None, worker: str | None = None, *,
             requirement: str | None = None, child: str | None = None,
             about: Iterable[tuple[str, str]] = ()) -> Path:
    """A workbook an officer can work from: worklist, per child, summary, teams, workers, trend,
    and ``about`` (council, date, filters, synthetic) on an About sheet. The worklist is the one
    the page shows for the same team, worker, requirement and child search. Names and ids from
    the extracts are written as text, never formulas (``carewise.exports``)."""
    from carewise.exports import safe_frame, workbook, write_about

    path.parent.mkdir(parents=True, exist_ok=True)
    summary_rows = pl.DataFrame([{"id": k, **{c: v[c] for c in ("title", "value", "numerator", "denominator")}}
                                 for k, v in a.summary.items()])
    sheets = {
        "Worklist": search_worklist(worklist(a, team, worker), requirement, child),
        "Per child": a.current,
        "Summary": summary_rows,
        "Teams": by_group(a, "team"),
        "Workers": by_group(a, "worker"),
        "Trend by month": trend(a, "team"),
    }
    with workbook(path) as book:
        for name, frame in sheets.items():
            safe_frame(frame).write_excel(book, worksheet=name, autofit=True, table_style="Table Style Light 9",
                              dtype_formats={pl.Date: "dd/mm/yyyy"})
        write_about(book, about)
    return path


def as_json(a: Assessment, children: bool = True) -> dict[str, Any]:
    """The ``carewise compliance --json`` shape."""
    out: dict[str, Any] = {
        "as_at": a.as_at.isoformat(),
        "window_months": 12,
        "assessed": a.assessed,
        "summary": a.summary,
        "statuses": {s: int((a.current["status"] == s).sum()) for s in CHILD_STATUSES},
        "notes": a.notes,
    }
    if children:
        out["children"] = [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
            for row in a.current.iter_rows(named=True)
        ]
    return out
