"""Care leavers: the cohort by legal status, computed from the children's histories.

Statuses on a date (Children Act 1989 Sch 2 para 19B, s23A, s23C; Care Leavers (England) Regs
2010; glossary):

- ``eligible``: aged 16–17, looked after, 13+ weeks looked after since 14 that ended after 16;
- ``relevant``: aged 16–17, no longer looked after, was eligible when care ended (not by
  adoption, special guardianship or a child arrangements order; not back home with parents for
  six months or more);
- ``former_relevant``: aged 18–20, was eligible or relevant before 18;
- ``former_relevant_21_25``: aged 21–24 who were former relevant: entitled to Personal Adviser
  support to 25 (Children and Social Work Act 2017 s3).

Then, per young person: in touch, in education/employment/training, suitable accommodation and
staying put (latest OC3 row), a Personal Adviser allocated and a pathway plan current on the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from carewise.compliance import cohort
from carewise.compliance.storage import Extracts
from carewise.history import History
from carewise.returns import age_expr, birthday_expr

STATUSES = ("eligible", "relevant", "former_relevant", "former_relevant_21_25")
EET_ACTIV = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5")
"""OC3 ACTIV codes for education, employment or training (DfE care leavers' activity)."""
STAYING_PUT_ACCOM = ("Z1", "Z2")
"""OC3 ACCOM Z: living with former foster carers (Staying Put)."""


def cohort_at(history: History, extracts: Extracts, as_at: date) -> pl.DataFrame:
    """One row per young person in a care-leaver status on ``as_at``, with their support."""
    elig = cohort.eligibility(history, as_at)
    per = cohort.periods(history, as_at)
    lac_now = per.filter(pl.col("end").is_null()).select("CHILD").unique().with_columns(pl.lit(True).alias("lac"))
    b18 = birthday_expr(pl.col("DOB"), 18)
    # the period that was running (or ended last) before the 18th birthday / now
    last_end = per.filter(pl.col("end").is_not_null()).sort("end").group_by("CHILD").agg(
        pl.col("end").last().alias("left"), pl.col("REC").last().alias("left_rec"))
    lac_at_18 = per.join(elig.select("CHILD", "DOB").rename({"DOB": "_d"}), on="CHILD").filter(
        (pl.col("start") < birthday_expr(pl.col("_d"), 18))
        & (pl.col("end").is_null() | (pl.col("end") >= birthday_expr(pl.col("_d"), 18).dt.offset_by("-1d")))
    ).select("CHILD").unique().with_columns(pl.lit(True).alias("lac_to_18"))
    left_before_18 = per.join(elig.select("CHILD", "DOB", "eligible_from"), on="CHILD", suffix="_e").filter(
        pl.col("end").is_not_null() & (pl.col("end") >= pl.col("eligible_from")) & (pl.col("end") < b18)
    ).sort("end").group_by("CHILD").agg(pl.col("end").last().alias("left_u18"), pl.col("REC").last().alias("rec_u18"))
    df = (elig.join(lac_now, on="CHILD", how="left").join(last_end, on="CHILD", how="left")
          .join(lac_at_18, on="CHILD", how="left").join(left_before_18, on="CHILD", how="left")
          .with_columns(pl.col("lac").fill_null(False), pl.col("lac_to_18").fill_null(False),
                        age_expr(pl.col("DOB"), as_at).alias("age")))
    not_leaver = pl.col("left_rec").is_in(cohort.NOT_CARE_LEAVER_REC).fill_null(False)
    home_6m = (pl.col("left_rec").is_in(cohort.RETURNED_HOME_REC).fill_null(False)
               & (pl.col("left").dt.offset_by("6mo") <= as_at))
    was_relevant_at_18 = (pl.col("left_u18").is_not_null() & ~pl.col("rec_u18").is_in(cohort.NOT_CARE_LEAVER_REC).fill_null(False)
                          & ~(pl.col("rec_u18").is_in(cohort.RETURNED_HOME_REC).fill_null(False)
                              & (pl.col("left_u18").dt.offset_by("6mo") <= b18)))
    former = pl.col("lac_to_18") | was_relevant_at_18
    status = (
        pl.when(pl.col("age").is_between(16, 17) & pl.col("lac")).then(pl.lit("eligible"))
        .when(pl.col("age").is_between(16, 17) & ~pl.col("lac") & ~not_leaver & ~home_6m).then(pl.lit("relevant"))
        .when(pl.col("age").is_between(18, 20) & former & ~pl.col("lac")).then(pl.lit("former_relevant"))
        .when(pl.col("age").is_between(21, 24) & former & ~pl.col("lac")).then(pl.lit("former_relevant_21_25"))
    )
    df = df.with_columns(status.alias("status")).filter(pl.col("status").is_not_null())
    df = df.join(_oc3(history), on="CHILD", how="left").join(_pa(extracts, as_at), on="CHILD", how="left")
    return df.select("CHILD", "DOB", "age", "status", "eligible_from", "left", "in_touch", "eet",
                     "suitable_accommodation", pl.col("staying_put").fill_null(False).alias("staying_put")
                     | (pl.col("left_rec") == "E17").fill_null(False),
                     "adviser", pl.col("adviser").is_not_null().alias("pa_allocated")).sort("CHILD")


def _oc3(history: History) -> pl.DataFrame:
    oc3 = history.table("oc3")
    if oc3.height == 0:
        return pl.DataFrame(schema={"CHILD": pl.String, "in_touch": pl.Boolean, "eet": pl.Boolean,
                                    "suitable_accommodation": pl.Boolean, "staying_put": pl.Boolean})
    latest = oc3.sort("YEAR").unique("CHILD", keep="last")
    touch = pl.col("IN_TOUCH")
    return latest.select(
        "CHILD",
        pl.when(touch == "YES").then(True).when(touch.is_in(["NO", "REFU", "NREQ", "RHOM"])).then(False).alias("in_touch"),
        pl.when(pl.col("ACTIV").is_in(EET_ACTIV)).then(True).when(pl.col("ACTIV").is_in(["G4", "G5", "G6"])).then(False)
        .alias("eet"),
        pl.when(pl.col("ACCOM").str.ends_with("1")).then(True).when(pl.col("ACCOM").str.ends_with("2")).then(False)
        .alias("suitable_accommodation"),
        pl.col("ACCOM").is_in(STAYING_PUT_ACCOM).alias("staying_put"),
    )


def _pa(extracts: Extracts, as_at: date) -> pl.DataFrame:
    pa = extracts.get("pa_allocations").filter(
        (pl.col("start") <= as_at) & (pl.col("end").is_null() | (pl.col("end") >= as_at)))
    return pa.sort("start").group_by("child").agg(pl.col("adviser").last()).rename({"child": "CHILD"})


@dataclass
class Leavers:
    as_at: date
    cohort: pl.DataFrame
    caseloads: pl.DataFrame
    forecast: pl.DataFrame | None


def leavers(history: History, extracts: Extracts, as_at: date | None = None,
            pathway_current: pl.DataFrame | None = None) -> Leavers:
    """The cohort on ``as_at``, PA caseloads today and (when available) the caseload forecast."""
    from carewise.errors import NotFoundError

    at = as_at or history.last_date
    if at is None:
        raise NotFoundError("no 903 data is stored for this council: run `carewise import` first")
    c = cohort_at(history, extracts, at)
    if pathway_current is not None:
        c = c.join(pathway_current, on="CHILD", how="left")
    else:
        c = c.with_columns(pl.lit(None, dtype=pl.Boolean).alias("pathway_plan_current"))
    caseloads = c.filter(pl.col("adviser").is_not_null()).group_by("adviser").agg(
        pl.len().alias("caseload"),
        *[(pl.col("status") == s).sum().alias(s) for s in STATUSES],
    ).sort("adviser")
    return Leavers(at, c, caseloads, _forecast(history, at, caseloads.height))


def _forecast(history: History, at: date, advisers: int) -> pl.DataFrame | None:
    """The forecasting engineer's PA caseload projection, at today's number of advisers."""
    try:
        from carewise.forecast.pa_caseload import pa_caseload
    except ImportError:
        return None
    f = pa_caseload(history, as_at=at)
    if advisers:
        f = f.with_columns((pl.col("workload") / advisers).round(1).alias("caseload_now_advisers"))
    return f


def as_json(lv: Leavers) -> dict[str, Any]:
    c = lv.cohort

    def share(expr: pl.Expr, frame: pl.DataFrame) -> dict[str, Any]:
        known = frame.filter(expr.is_not_null())
        n = int(known.select(expr.sum()).item() or 0) if known.height else 0
        return {"count": n, "known": known.height, "pct": round(100 * n / known.height, 1) if known.height else None}

    by_status = {}
    for s in STATUSES:
        f = c.filter(pl.col("status") == s)
        by_status[s] = {
            "count": f.height,
            "in_touch": share(pl.col("in_touch"), f),
            "eet": share(pl.col("eet"), f),
            "suitable_accommodation": share(pl.col("suitable_accommodation"), f),
            "pa_allocated": share(pl.col("pa_allocated"), f),
            "pathway_plan_current": share(pl.col("pathway_plan_current"), f),
            "staying_put": share(pl.col("staying_put"), f),
        }
    out: dict[str, Any] = {
        "as_at": lv.as_at.isoformat(),
        "total": c.height,
        "by_status": by_status,
        "caseloads": lv.caseloads.to_dicts(),
        "advisers": lv.caseloads.height,
        "average_caseload": round(lv.caseloads["caseload"].mean(), 1) if lv.caseloads.height else None,  # type: ignore[arg-type]
        "forecast": None,
        "young_people": [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
                         for r in c.iter_rows(named=True)],
    }
    if lv.forecast is not None:
        out["forecast"] = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
                           for r in lv.forecast.iter_rows(named=True)]
    return out


def pathway_current(instances: pl.DataFrame) -> pl.DataFrame:
    """CHILD -> whether their running pathway plan clock is not overdue."""
    running = instances.filter((pl.col("requirement") == "pathway_plan") & pl.col("status").is_in(["pending", "overdue"]))
    return running.group_by("CHILD").agg((~(pl.col("status") == "overdue").any()).alias("pathway_plan_current"))
