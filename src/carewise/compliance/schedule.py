"""The schedule engine: every requirement's due dates for every child, and whether they were met.

A requirement runs on *clocks*: a placement (visits), a period of care (reviews, initial health
assessment, dental checks), the first health assessment (review health assessments), a return
from a missing episode (return home interviews), eligibility as a care leaver (pathway plans),
leaving care (Personal Adviser contact), a school term (PEPs). A clock's start makes the first
event due; each event makes the next one due (``rules.Requirement.due``); a placement change, a
return home or leaving care ends the clock, and a new placement or period starts a new one.

Each due date is an *instance* with a status:

- ``on_time``: the next event came on or before the due date;
- ``late``: it came after the due date;
- ``missed``: the clock ended after the due date without the event;
- ``overdue``: the clock is still running, the due date has passed and there is no event;
- ``pending``: not due yet.

Before an extract's first date (or the first stored 903 year) carewise cannot know when the
previous event was: a clock already running then is assumed to have been met on that date, and
the due date that follows from that assumption is shown but left out of on-time rates
(``assessed`` false).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

import polars as pl

from carewise.codes import (
    AUTHORITY_TO_PLACE,
    PLACED_FOR_ADOPTION,
    SAME_CARERS_RNE,
    TEMPORARY_PLACEMENTS,
)
from carewise.compliance import cohort
from carewise.compliance.calendar import term_bounds
from carewise.compliance.rules import LONG_TERM_PLACEMENTS, Version, due_expr, in_force, versions
from carewise.compliance.storage import Extracts
from carewise.history import History
from carewise.returns.years import age_expr, birthday_expr, label_expr, year_label

INSTANCE_SCHEMA = {
    "requirement": pl.String,
    "CHILD": pl.String,
    "clock": pl.Int64,
    "anchor": pl.Date,
    "due": pl.Date,
    "met": pl.Date,
    "status": pl.String,
    "assessed": pl.Boolean,
}

_ASSUMED_N = 2
"""An assumed anchor counts as a past event (n ≥ 2 uses the 'then' steps)."""


@dataclass
class Clocks:
    """What a requirement is measured on: clocks and the events that meet it."""

    clocks: pl.DataFrame
    """clock (id), CHILD, start, end (last day, null while running), DOB, PLACE; optionally
    ``cap``: a date the first event is due by at the latest (e.g. the first review); ``carried``:
    events already counted before the clock began (steps on to the schedule's later steps)."""
    events: pl.DataFrame
    """CHILD, date, and optionally clock (events tied to one clock, e.g. an RHI to its episode)."""
    coverage_from: date | None


def chain(requirement: str, c: Clocks, as_at: date, all_versions: tuple[Version, ...] | None = None
          ) -> pl.DataFrame:
    """Instances of a requirement where each event makes the next one due (vectorised)."""
    cov = c.coverage_from or date.min
    clocks = c.clocks.filter(pl.col("start") <= as_at).with_columns(
        pl.when(pl.col("end") <= as_at).then(pl.col("end")).otherwise(None).alias("end")
    ).filter(pl.col("end").is_null() | (pl.col("end") >= cov))
    clocks = clocks.with_columns(
        (pl.col("start") < cov).alias("_assumed"),
        pl.max_horizontal(pl.col("start"), pl.lit(cov)).alias("_a0"),
    )
    ev = c.events.filter((pl.col("date") <= as_at) & (pl.col("date") >= cov))
    window = clocks.select("clock", "CHILD", "_a0", "end")
    if "clock" in ev.columns:
        ev = ev.join(window, on=["clock", "CHILD"])
    else:
        ev = ev.join(window, on="CHILD")
    ev = ev.filter((pl.col("date") >= pl.col("_a0")) & (pl.col("end").is_null() | (pl.col("date") <= pl.col("end"))))
    rows = pl.concat([
        clocks.select("clock", pl.col("_a0").alias("anchor"), pl.lit(False).alias("_event")),
        ev.select("clock", pl.col("date").alias("anchor"), pl.lit(True).alias("_event")),
    ]).sort(["clock", "anchor", "_event"])
    # every clock column (start, end, DOB, PLACE and any a condition reads) goes with its rows
    rows = rows.join(clocks.drop("_a0"), on="clock")
    rows = rows.sort(["clock", "anchor", "_event"]).with_columns(
        (pl.int_range(pl.len()).over("clock") + pl.when(pl.col("_assumed")).then(_ASSUMED_N).otherwise(0)
         + (pl.col("carried") if "carried" in clocks.columns else 0)).alias("n"),
        pl.col("anchor").shift(-1).over("clock").alias("met"),
    )
    due = due_expr(requirement, all_versions)
    if "cap" in clocks.columns:
        first = (pl.int_range(pl.len()).over("clock") == 0) & pl.col("cap").is_not_null()
        due = pl.when(first).then(pl.min_horizontal(due, pl.col("cap"))).otherwise(due)
    rows = rows.with_columns(due.alias("due"))
    return _status(rows.filter(pl.col("due").is_not_null()), requirement, as_at).with_columns(
        ~(pl.col("_assumed") & ~pl.col("_event")).alias("assessed")
    ).select(list(INSTANCE_SCHEMA))


def _status(rows: pl.DataFrame, requirement: str, as_at: date) -> pl.DataFrame:
    met, due, end = pl.col("met"), pl.col("due"), pl.col("end")
    status = (
        pl.when(met.is_not_null() & (met <= due)).then(pl.lit("on_time"))
        .when(met.is_not_null()).then(pl.lit("late"))
        .when(end.is_not_null() & (due <= end)).then(pl.lit("missed"))
        .when(end.is_not_null()).then(pl.lit(None, dtype=pl.String))
        .when(due < as_at).then(pl.lit("overdue"))
        .otherwise(pl.lit("pending"))
    )
    return rows.with_columns(status.alias("status"), pl.lit(requirement).alias("requirement")).filter(
        pl.col("status").is_not_null()
    )


# -- clocks -----------------------------------------------------------------------------------


def _coverage(extracts: Extracts, kind: str) -> date | None:
    return extracts.covers_from(kind)


def placed_for_adoption(history: History, as_at: date) -> pl.DataFrame:
    """CHILD, start, end: each time a child was placed for adoption (a spell of PLACE A3-A6 on the
    care timeline; end the last day, null while it runs). It ends when the child is adopted,
    leaves care or is returned to the council by the prospective adopters; a temporary placement
    (e.g. hospital) does not end it."""
    return _adoption_spells(history, as_at, "adoption")


def _adoption_spells(history: History, as_at: date, state: str) -> pl.DataFrame:
    """CHILD, start, end (last day) of the care timeline's spells in ``state``: "adoption" (PLACE
    A3-A6) or "authorised" (LS E1/D1, ``carewise.codes.AUTHORITY_TO_PLACE``, not placed for
    adoption); a temporary placement carries the state before it."""
    place = pl.col("PLACE")
    states = (pl.when(place.is_in(PLACED_FOR_ADOPTION)).then(pl.lit("adoption"))
              .when(place.is_in(TEMPORARY_PLACEMENTS)).then(pl.lit(None, dtype=pl.String))
              .when(pl.col("LS").is_in(AUTHORITY_TO_PLACE)).then(pl.lit("authorised"))
              .otherwise(pl.lit("other")))
    spells = history.timeline.as_at(as_at).spells(states).filter(pl.col("state") == state)
    return spells.select("CHILD", "start", pl.col("end").dt.offset_by("-1d").alias("end")).sort("CHILD", "start")


def authorised_not_placed(history: History, as_at: date) -> pl.DataFrame:
    """CHILD, start, end: each time the council first has authority to place a child for adoption
    (placement or freeing order: LS E1/D1) while the child is not placed for adoption, to the day
    before the placement for adoption (or the order or care ends). AAR 2005 reg 36(1) reviews
    run from the date the agency *first* has authority, so time authorised after a placement for
    adoption ended in the same period of care is not a new start (reg 33's resumed clock,
    ``reviews``, covers it)."""
    auth = _adoption_spells(history, as_at, "authorised")
    per = cohort.periods(history, as_at).select("CHILD", pl.col("start").alias("_ps"), pl.col("end").alias("_pe"))
    placed_before = auth.join(per, on="CHILD").filter(
        (pl.col("start") >= pl.col("_ps")) & (pl.col("_pe").is_null() | (pl.col("start") <= pl.col("_pe")))
    ).join(placed_for_adoption(history, as_at).select("CHILD", pl.col("start").alias("_as")), on="CHILD").filter(
        (pl.col("_as") >= pl.col("_ps")) & (pl.col("_as") < pl.col("start")))
    return auth.join(placed_before.select("CHILD", "start").unique(), on=["CHILD", "start"], how="anti")


def _outside_adoption(clocks: pl.DataFrame, adoption: pl.DataFrame) -> pl.DataFrame:
    """Clocks cut short the day before a placement for adoption begins inside them (the Adoption
    Agencies Regulations 2005 then govern visits and reviews); a clock that begins inside one
    is dropped."""
    a = adoption.select("CHILD", pl.col("start").alias("_as"), pl.col("end").alias("_ae"))
    inside = clocks.join(a, on="CHILD").filter(
        (pl.col("start") >= pl.col("_as")) & (pl.col("_ae").is_null() | (pl.col("start") <= pl.col("_ae"))))
    kept = clocks.join(inside.select("clock"), on="clock", how="anti")
    cut = kept.join(a, on="CHILD").filter(
        (pl.col("_as") > pl.col("start")) & (pl.col("end").is_null() | (pl.col("_as") <= pl.col("end")))
    ).group_by("clock").agg(pl.col("_as").min().dt.offset_by("-1d").alias("_cut"))
    return kept.join(cut, on="clock", how="left").with_columns(
        pl.coalesce(pl.col("_cut"), pl.col("end")).alias("end")).drop("_cut")


def placement_clocks(history: History, as_at: date) -> pl.DataFrame:
    """Reg 28 visit clocks: a placement, except that a change of placement with the same carers
    (RNE T/U, ``carewise.codes.SAME_CARERS_RNE``: e.g. foster carers approved as the child's
    long-term carers) continues the clock it follows, so neither the one-week visit nor the first
    year's six-weekly visits start again; ``long_term_from`` is the day the placement became
    long-term fostering (U1/U4), if it did. Time placed for adoption is left out (it has its own
    schedule), so a move to adopters, even the same carers, is a new start."""
    pl_ = cohort.placements(history, as_at)
    if "same_carers" not in pl_.columns:  # cohort without the timeline's flag: from the RNE
        rne = cohort.episodes_at(history, as_at).select("CHILD", pl.col("DECOM").alias("start"), "RNE")
        pl_ = pl_.join(rne.unique(["CHILD", "start"], keep="last"), on=["CHILD", "start"], how="left").with_columns(
            pl.col("RNE").is_in(SAME_CARERS_RNE).fill_null(False).alias("same_carers"))
    first_in_period = (pl.col("period").shift(1).over("CHILD", order_by="start") != pl.col("period")).fill_null(True)
    adoption = pl.col("PLACE").is_in(PLACED_FOR_ADOPTION).fill_null(False)
    carries_on = pl.col("same_carers") & ~first_in_period & ~adoption & ~adoption.shift(1).over(
        "CHILD", order_by="start").fill_null(False)
    pl_ = pl_.sort("CHILD", "start").with_columns((~carries_on).cast(pl.Int32).cum_sum().over("CHILD").alias("_c"))
    long_term = pl.col("PLACE").is_in(LONG_TERM_PLACEMENTS).fill_null(False)
    merged = pl_.group_by("CHILD", "_c").agg(
        pl.col("placement").first().alias("clock"), pl.col("start").first(), pl.col("end").last(),
        pl.col("DOB").first(), pl.col("PLACE").first(),
        pl.col("start").filter(long_term).first().alias("long_term_from"),
    ).drop("_c").filter(~pl.col("PLACE").is_in(PLACED_FOR_ADOPTION).fill_null(False))
    out = _outside_adoption(merged, placed_for_adoption(history, as_at))
    return out.select("clock", "CHILD", "start", "end", "DOB", "PLACE", "long_term_from")


def period_clocks(history: History, as_at: date) -> pl.DataFrame:
    per = cohort.periods(history, as_at)
    return per.select(pl.col("period").alias("clock"), "CHILD", "start", "end", "DOB",
                      pl.lit(None, dtype=pl.String).alias("PLACE"))


def adoption_clocks(history: History, as_at: date) -> pl.DataFrame:
    """One clock per placement for adoption, with ``first_review``: the first review held on or
    after it began (weekly visits run until then, AAR 2005 reg 36(4))."""
    a = placed_for_adoption(history, as_at).with_row_index("clock").with_columns(pl.col("clock").cast(pl.Int64))
    rev = history.table("reviews").select("CHILD", pl.col("REVIEW").alias("_r")).drop_nulls().filter(
        pl.col("_r") <= as_at)
    first = a.join(rev, on="CHILD").filter(
        (pl.col("_r") >= pl.col("start")) & (pl.col("end").is_null() | (pl.col("_r") <= pl.col("end")))
    ).group_by("clock").agg(pl.col("_r").min().alias("first_review"))
    dob = cohort.periods(history, as_at).select("CHILD", "DOB").unique("CHILD")
    return a.join(first, on="clock", how="left").join(dob, on="CHILD", how="left").select(
        "clock", "CHILD", "start", pl.when(pl.col("end") <= as_at).then(pl.col("end")).alias("end"), "DOB",
        pl.lit("A").alias("PLACE"), "first_review")


def _events(frame: pl.DataFrame, column: str = "date") -> pl.DataFrame:
    return frame.select(pl.col("child").alias("CHILD"), pl.col(column).alias("date")).drop_nulls()


def visits(history: History, extracts: Extracts, as_at: date) -> Clocks:
    """Reg 28: visits run per placement (``placement_clocks``); a new placement restarts the
    clock (one week), a change of placement with the same carers does not."""
    return Clocks(placement_clocks(history, as_at), _events(extracts.get("visits")),
                  _coverage(extracts, "visits"))


def _review_events(history: History) -> pl.DataFrame:
    return history.table("reviews").select("CHILD", pl.col("REVIEW").alias("date")).drop_nulls()


def _under_aar(history: History, as_at: date) -> pl.DataFrame:
    """CHILD, start, end: the time a child's reviews are counted under AAR 2005 reg 36 rather
    than CPPCR reg 33: placed for adoption, or first authorised to place and not yet placed."""
    return pl.concat([
        placed_for_adoption(history, as_at).select("CHILD", "start", "end", pl.lit(False).alias("_authorised")),
        authorised_not_placed(history, as_at).select("CHILD", "start", "end", pl.lit(True).alias("_authorised")),
    ]).sort("CHILD", "start")


def reviews(history: History, as_at: date) -> Clocks:
    """Reg 33: reviews run per period of care, from the 903 reviews table; time placed for
    adoption, or first authorised to place and not yet placed, is reviewed under the Adoption
    Agencies Regulations instead (``adoption_reviews``, ``authorised_reviews``: one review, one
    due item), and care after it ends without an adoption starts a new clock."""
    per = period_clocks(history, as_at)
    adoption = _under_aar(history, as_at)
    after = adoption.filter(pl.col("end").is_not_null() & (pl.col("end") < as_at)).join(
        per.select("CHILD", pl.col("start").alias("_ps"), pl.col("end").alias("_pe"), "DOB"), on="CHILD").filter(
        (pl.col("end") >= pl.col("_ps")) & (pl.col("_pe").is_null() | (pl.col("end") < pl.col("_pe")))
    ).select("CHILD", pl.col("end").dt.offset_by("1d").alias("start"), pl.col("_pe").alias("end"), "DOB",
             "_authorised")
    resumed = after.with_row_index("clock").select(
        (pl.col("clock").cast(pl.Int64) + (per["clock"].max() or 0) + 1).alias("clock"), "CHILD", "start", "end",
        "DOB", pl.lit(None, dtype=pl.String).alias("PLACE"), "_authorised")
    # Authority to place that ends without a placement for adoption (e.g. a placement order
    # revoked) does not start the child's care again: reg 33 carries on from the last review (held
    # under reg 36(1) or before), so the next is due when reg 33 would have asked for it and then
    # 6-monthly (``carried``), not within 20 working days as for a new period of care.
    carried = reg33_due_at(history, as_at, resumed.filter(pl.col("_authorised")).select("clock", "CHILD", "start"))
    resumed = resumed.join(carried, on="clock", how="left").select(
        "clock", "CHILD", "start", "end", "DOB", "PLACE", pl.col("_due").alias("cap"),
        pl.when(pl.col("_authorised")).then(_ASSUMED_N).otherwise(0).alias("carried"))
    per = per.with_columns(pl.lit(None, dtype=pl.Date).alias("cap"), pl.lit(0).alias("carried"))
    clocks = _outside_adoption(pl.concat([per, resumed], how="vertical_relaxed"), adoption.drop("_authorised"))
    return Clocks(clocks, _review_events(history), history.first_date)


def adoption_visits(history: History, extracts: Extracts, as_at: date) -> Clocks:
    """AAR 2005 reg 36(4)(a): a child placed for adoption (and the prospective adopters) is
    visited within a week of the placement, then at least weekly until the first review."""
    return Clocks(adoption_clocks(history, as_at), _events(extracts.get("visits")), _coverage(extracts, "visits"))


def adoption_reviews(history: History, as_at: date) -> Clocks:
    """AAR 2005 reg 36(3): reviews within 4 weeks of placement for adoption, then 3 months,
    then every 6 months, until the adoption order (or the child is returned)."""
    return Clocks(adoption_clocks(history, as_at), _review_events(history), history.first_date)


def authorised_clocks(history: History, as_at: date) -> pl.DataFrame:
    """One clock per ``authorised_not_placed`` spell, with ``cap``: the date the reg 33 review
    running when authority began was due (``reg33_due_at``), when that is still ahead, so the
    child is held to whichever of CPPCR reg 33 and AAR reg 36(1) asks for the first review sooner;
    after it both ask for one at most 6 months after the previous review."""
    auth = authorised_not_placed(history, as_at)
    dob = cohort.periods(history, as_at).select("CHILD", "DOB").unique("CHILD")
    clocks = auth.with_row_index("clock").join(dob, on="CHILD", how="left").select(
        pl.col("clock").cast(pl.Int64), "CHILD", "start",
        pl.when(pl.col("end") <= as_at).then(pl.col("end")).alias("end"), "DOB",
        pl.lit(None, dtype=pl.String).alias("PLACE"))
    carried = reg33_due_at(history, as_at, clocks.select("clock", "CHILD", "start"))
    return clocks.join(carried, on="clock", how="left").with_columns(
        pl.when(pl.col("_due") >= pl.col("start")).then(pl.col("_due")).alias("cap")).drop("_due")


def reg33_due_at(history: History, as_at: date, days: pl.DataFrame) -> pl.DataFrame:
    """clock, _due: for each (clock, CHILD, start), the date the next CPPCR reg 33 review was due
    on ``start``: from the last review before it in the period of care (the period's start if
    none), with the period's number of reviews so far choosing the step (``timescales.toml``).
    Before the 903 history begins the last review is assumed held on its first day, as
    ``chain`` assumes."""
    cov = history.first_date or date.min
    per = period_clocks(history, as_at).select("CHILD", pl.col("start").alias("_ps"), pl.col("end").alias("_pe"))
    at = days.join(per, on="CHILD").filter(
        (pl.col("start") >= pl.col("_ps")) & (pl.col("_pe").is_null() | (pl.col("start") <= pl.col("_pe"))))
    rev = _review_events(history).select("CHILD", pl.col("date").alias("_r"))
    before = at.join(rev, on="CHILD").filter(
        (pl.col("_r") >= pl.max_horizontal("_ps", pl.lit(cov))) & (pl.col("_r") < pl.col("start"))
    ).group_by("clock").agg(pl.col("_r").max().alias("_last"), pl.len().cast(pl.Int64).alias("_k"))
    assumed = pl.col("_ps") < pl.lit(cov)
    rows = at.join(before, on="clock", how="left").with_columns(
        pl.coalesce("_last", pl.max_horizontal("_ps", pl.lit(cov))).alias("anchor"),
        (pl.col("_k").fill_null(0) + pl.when(assumed).then(_ASSUMED_N).otherwise(0)).alias("n"),
        pl.col("_ps").alias("start"), pl.lit(None, dtype=pl.Date).alias("DOB"),
        pl.lit(None, dtype=pl.String).alias("PLACE"))
    return rows.select("clock", due_expr("reviews").alias("_due"))


def authorised_reviews(history: History, as_at: date) -> Clocks:
    """AAR 2005 reg 36(1): while the agency is authorised to place the child for adoption but
    the child is not placed, a review not more than 3 months after it first has authority, then
    not more than 6 months after the previous one, until the child is placed for adoption."""
    return Clocks(authorised_clocks(history, as_at), _review_events(history), history.first_date)


def iha(history: History, extracts: Extracts, as_at: date) -> Clocks:
    """IHA: one per period of care, within 20 working days of its start."""
    ha = extracts.get("health_assessments").filter(pl.col("type") == "initial")
    return Clocks(period_clocks(history, as_at), _events(ha), _coverage(extracts, "health_assessments"))


def rha(history: History, extracts: Extracts, as_at: date) -> Clocks:
    """RHAs run from the period's first health assessment (or, for a period under way before
    the extract starts, from the extract's first date)."""
    cov = _coverage(extracts, "health_assessments")
    per = period_clocks(history, as_at)
    ha = _events(extracts.get("health_assessments")).filter(pl.col("date") <= as_at)
    in_period = ha.join(per.select("clock", "CHILD", "start", "end"), on="CHILD").filter(
        (pl.col("date") >= pl.col("start")) & (pl.col("end").is_null() | (pl.col("date") <= pl.col("end")))
    )
    first = in_period.group_by("clock").agg(pl.col("date").min().alias("_first"))
    clocks = per.join(first, on="clock", how="left")
    started_before = pl.col("start") < pl.lit(cov or date.min)
    clocks = clocks.filter(pl.col("_first").is_not_null() | started_before).with_columns(
        pl.when(pl.col("_first").is_not_null()).then(pl.col("_first")).otherwise(pl.col("start")).alias("start")
    ).drop("_first")
    events = in_period.join(clocks.select("clock", pl.col("start").alias("_s")), on="clock").filter(
        pl.col("date") > pl.col("_s")).select("CHILD", "clock", "date")
    return Clocks(clocks, events, cov)


def dental(history: History, extracts: Extracts, as_at: date) -> Clocks:
    return Clocks(period_clocks(history, as_at), _events(extracts.get("dental_checks")),
                  _coverage(extracts, "dental_checks"))


MISSING_CODE = "M"
"""903 MISSING: M missing (an RHI is owed on return), A away from placement without
authorisation (no RHI duty)."""


def rhi(history: History, extracts: Extracts, as_at: date) -> Clocks:
    """One clock per missing episode that has ended: the RHI is due within 72 hours of return.

    The clock ends when the child next goes missing (the next return makes a new interview
    due) or leaves care."""
    miss = history.table("missing").filter(
        (pl.col("MISSING") == MISSING_CODE) & pl.col("MIS_END").is_not_null()
        & (pl.col("MIS_END") <= as_at)
    ).unique(["CHILD", "MIS_START"]).sort(["CHILD", "MIS_START"]).with_row_index("clock")
    dob = history.timeline.children.select("CHILD", pl.col("DOB").alias("_hdob"))
    per = cohort.periods(history, as_at).select("CHILD", pl.col("start").alias("_ps"),
                                                 pl.col("end").alias("_pe")).sort("_ps")
    miss = miss.sort("MIS_END").join_asof(per, left_on="MIS_END", right_on="_ps", by="CHILD",
                                          strategy="backward", check_sortedness=False)
    nxt = pl.col("MIS_START").shift(-1).over("CHILD", order_by="MIS_START").dt.offset_by("-1d")
    stop = pl.min_horizontal(nxt, pl.when(pl.col("_pe") >= pl.col("MIS_END")).then(pl.col("_pe")))
    clocks = miss.join(dob, on="CHILD", how="left").select(
        pl.col("clock").cast(pl.Int64), "CHILD", pl.col("MIS_END").alias("start"),
        pl.when(stop >= pl.col("MIS_END")).then(stop).alias("end"),
        pl.coalesce("_hdob", "DOB").alias("DOB"), pl.lit(None, dtype=pl.String).alias("PLACE"),
    )
    r = extracts.get("return_home_interviews").filter(pl.col("offered").fill_null(False))
    events = r.join(miss.select(pl.col("clock").cast(pl.Int64), "CHILD", "MIS_START"),
                    left_on=["child", "missing_start"], right_on=["CHILD", "MIS_START"]).select(
        pl.col("child").alias("CHILD"), "clock", "date").drop_nulls()
    cov = _coverage(extracts, "return_home_interviews") if extracts.loaded("return_home_interviews") else None
    return Clocks(clocks, events, cov)


def care_leaver_end(elig: pl.DataFrame, extracts: Extracts) -> pl.Expr:
    """21st birthday, or 25th for a young person with a Personal Adviser allocated after 21
    (Children and Social Work Act 2017 s3: PA support to 25 on request)."""
    return pl.when(pl.col("_pa21")).then(birthday_expr(pl.col("DOB"), 25)).otherwise(
        birthday_expr(pl.col("DOB"), 21)).dt.offset_by("-1d")


def _with_pa21(elig: pl.DataFrame, extracts: Extracts) -> pl.DataFrame:
    pa = extracts.get("pa_allocations")
    later = pa.join(elig.select("CHILD", "DOB"), left_on="child", right_on="CHILD").filter(
        pl.coalesce(pl.col("end"), pl.lit(date.max)) >= birthday_expr(pl.col("DOB"), 21)
    ).select(pl.col("child").alias("CHILD")).unique().with_columns(pl.lit(True).alias("_pa21"))
    return elig.join(later, on="CHILD", how="left").with_columns(pl.col("_pa21").fill_null(False))


def pathway_plans(history: History, extracts: Extracts, as_at: date) -> Clocks:
    """From eligibility to 21 (25 with a PA): reviewed at least every six months."""
    elig = _with_pa21(cohort.eligibility(history, as_at), extracts)
    clocks = elig.with_row_index("clock").select(
        pl.col("clock").cast(pl.Int64), "CHILD", pl.col("eligible_from").alias("start"),
        care_leaver_end(elig, extracts).alias("end"), "DOB", pl.lit(None, dtype=pl.String).alias("PLACE"))
    clocks = clocks.with_columns(pl.when(pl.col("end") <= as_at).then(pl.col("end")).otherwise(None).alias("end"))
    return Clocks(clocks, _events(extracts.get("pathway_plans")), _coverage(extracts, "pathway_plans"))


def pa_contact(history: History, extracts: Extracts, as_at: date) -> Clocks:
    """Each time a care leaver leaves care, to 21 (25 with a PA) or until they come back into care."""
    elig = _with_pa21(cohort.eligibility(history, as_at), extracts)
    per = cohort.periods(history, as_at)
    left = per.filter(pl.col("end").is_not_null() & ~pl.col("REC").is_in(cohort.NOT_CARE_LEAVER_REC).fill_null(False))
    left = left.join(elig.select("CHILD", "eligible_from", "_pa21"), on="CHILD").filter(
        pl.col("end") >= pl.col("eligible_from"))
    nxt = per.select("CHILD", pl.col("start").alias("_next")).sort("_next")
    left = left.sort("end").join_asof(nxt, left_on="end", right_on="_next", by="CHILD", strategy="forward",
                                      allow_exact_matches=False, check_sortedness=False)
    stop = pl.min_horizontal(pl.col("_next").dt.offset_by("-1d"), care_leaver_end(elig, extracts))
    clocks = left.with_columns(stop.alias("_stop")).filter(pl.col("_stop") > pl.col("end")).with_row_index(
        "clock").select(
        pl.col("clock").cast(pl.Int64), "CHILD", pl.col("end").dt.offset_by("1d").alias("start"),
        pl.when(pl.col("_stop") <= as_at).then(pl.col("_stop")).otherwise(None).alias("end"), "DOB",
        pl.lit(None, dtype=pl.String).alias("PLACE"))
    return Clocks(clocks, _events(extracts.get("pa_contacts")), _coverage(extracts, "pa_contacts"))


# -- PEPs: termly ---------------------------------------------------------------------------------


def terms(first: date, last: date, spec: list[dict]) -> pl.DataFrame:
    """School terms overlapping [first, last], in date order: term (label), t_start, t_end, sy
    (31 August before the school year, the day school age is reckoned on)."""
    rows = []
    for year in range(first.year - 1, last.year + 2):
        for t, (sm, sd, em, ed) in zip(spec, term_bounds(spec), strict=True):
            sy = year if sm >= 9 else year - 1
            start, end = date(year, sm, sd), date(year, em, ed)
            if end >= first and start <= last:
                rows.append({"term": f"{year_label(sy)} {t['name']}", "t_start": start,
                             "t_end": end, "sy": date(sy, 8, 31)})
    schema = {"term": pl.String, "t_start": pl.Date, "t_end": pl.Date, "sy": pl.Date}
    return pl.DataFrame(rows, schema=schema).sort("t_start")


def school_age(req_extra: dict, dob: pl.Expr, on_31_august: pl.Expr) -> pl.Expr:
    """Reception to year 11: aged ``min_age_31_august`` to ``max_age_31_august`` on the 31 August
    before the school year (DfE school-year age)."""
    age = age_expr(dob, on_31_august)
    return age.is_between(req_extra.get("min_age_31_august", 4), req_extra.get("max_age_31_august", 15))


def _31_august_before(day: pl.Expr) -> pl.Expr:
    year = pl.when(day.dt.month() >= 9).then(day.dt.year()).otherwise(day.dt.year() - 1)
    return pl.date(year, 8, 31)


def pep_first(history: History, extracts: Extracts, as_at: date, version: Version) -> Clocks:
    """The first PEP of each period of care of a school-age child: due 20 school days after
    coming into care, or by the first review if that is sooner (the PEP is part of the care plan
    the first review considers)."""
    req = version.requirements["pep_first"]
    per = period_clocks(history, as_at).filter(
        school_age(req.extra, pl.col("DOB"), _31_august_before(pl.col("start"))).fill_null(False))
    rev = history.table("reviews").select("CHILD", pl.col("REVIEW").alias("_r")).drop_nulls()
    first_review = per.join(rev, on="CHILD").filter(
        (pl.col("_r") >= pl.col("start")) & (pl.col("end").is_null() | (pl.col("_r") <= pl.col("end")))
        & (pl.col("_r") <= as_at)
    ).group_by("clock").agg(pl.col("_r").min().alias("cap"))
    clocks = per.join(first_review, on="clock", how="left")
    return Clocks(clocks, _events(extracts.get("peps")), _coverage(extracts, "peps"))


def pep_term_of(dates: pl.Expr, spec: list[dict]) -> pl.Expr:
    """The term label a PEP date falls in (used when the extract leaves the term blank)."""
    month = dates.dt.month()
    sy = pl.when(month >= 9).then(dates.dt.year()).otherwise(dates.dt.year() - 1)
    label = label_expr(sy) + pl.lit(" ")
    name = pl.lit(None, dtype=pl.String)
    for t in spec:
        sm, em = int(t["start"].split("-")[0]), int(t["end"].split("-")[0])
        name = pl.when((month >= sm) & (month <= em)).then(pl.lit(t["name"])).otherwise(name)
    return pl.when(name.is_not_null()).then(pl.concat_str([label, name]))


def peps(history: History, extracts: Extracts, as_at: date, version: Version) -> pl.DataFrame:
    """One PEP per school term for a child of school age looked after for 28+ days of it.

    A term without a PEP is overdue until the next term ends, then missed (a PEP cannot be
    held for a term long past); a term in which care ended is owed only if the PEP was held."""
    req = version.requirements["pep"]
    spec = req.extra["terms"]
    cov = _coverage(extracts, "peps") or date.min
    per = period_clocks(history, as_at)
    if per.height == 0:
        return pl.DataFrame(schema=INSTANCE_SCHEMA)
    lo = cast(date, per["start"].min())  # a date column: polars types min() as any scalar
    t = terms(max(lo, date(1990, 1, 1)), as_at, spec)
    # the next term to start after the date (terms() is in date order): what the worklist shows
    upcoming = terms(as_at, date(as_at.year + 1, as_at.month, 1), spec).filter(pl.col("t_start") > as_at).head(1)
    t = pl.concat([t, upcoming]).unique("term").sort("t_start")
    end = pl.coalesce(pl.col("end"), pl.max_horizontal(pl.col("t_end"), pl.lit(as_at)))
    overlap = (pl.min_horizontal(end, pl.col("t_end")) - pl.max_horizontal(pl.col("start"), pl.col("t_start"))
               ).dt.total_days() + 1
    # a term that ended before the extract starts cannot be judged: it is left out, not overdue
    inst = per.join(t.filter(pl.col("t_end") >= cov), how="cross").filter(
        (overlap >= req.extra.get("min_days_in_term", 28)) & school_age(req.extra, pl.col("DOB"), pl.col("sy"))
    )
    pep = extracts.get("peps").with_columns(
        pl.coalesce(pl.col("term").str.to_lowercase().str.strip_chars(), pep_term_of(pl.col("date"), spec)).alias("_t")
    ).filter(pl.col("date") <= as_at).group_by("child", "_t").agg(pl.col("date").min().alias("met"))
    inst = inst.join(pep, left_on=["CHILD", "term"], right_on=["child", "_t"], how="left")
    ended = t.filter(pl.col("t_end") < as_at)["t_end"]
    last_term_end = ended.max() if ended.len() else None
    inst = inst.with_columns(pl.lit(last_term_end, dtype=pl.Date).alias("_last"))
    met, due = pl.col("met"), pl.col("t_end")
    status = (
        pl.when(met.is_not_null() & (met <= due)).then(pl.lit("on_time"))
        .when(met.is_not_null()).then(pl.lit("late"))
        # care ended before the term did: the term's PEP was not yet due, so it is not owed (as a
        # clock that ends before its due date, ``chain``)
        .when(pl.col("end").is_not_null() & (pl.col("end") < due)).then(pl.lit(None, dtype=pl.String))
        .when(due >= as_at).then(pl.lit("pending"))
        .when(pl.col("end").is_null() & (due == pl.col("_last"))).then(pl.lit("overdue"))
        .otherwise(pl.lit("missed"))
    )
    return inst.with_columns(status.alias("status")).filter(pl.col("status").is_not_null()).select(
        pl.lit("pep").alias("requirement"), "CHILD", "clock", pl.col("t_start").alias("anchor"),
        due.alias("due"), "met", "status", (pl.col("t_start") >= cov).alias("assessed"),
    ).cast(INSTANCE_SCHEMA)  # type: ignore[arg-type]


# -- everything -------------------------------------------------------------------------------

REQUIREMENTS = ("visits", "adoption_visits", "reviews", "authorised_reviews", "adoption_reviews", "iha", "rha",
                "dental", "pep_first", "pep", "rhi", "pathway_plan", "pa_contact")
NEEDS_EXTRACT = {
    "visits": "visits", "adoption_visits": "visits", "iha": "health_assessments", "rha": "health_assessments",
    "dental": "dental_checks", "pep": "peps", "pep_first": "peps", "rhi": "return_home_interviews",
    "pathway_plan": "pathway_plans", "pa_contact": "pa_contacts",
}
"""Requirements that can only be assessed once the named extract is loaded (reviews come from
the 903 return)."""


def instances(history: History, extracts: Extracts, as_at: date) -> pl.DataFrame:
    """Every due date of every requirement for every child, up to ``as_at`` (plus the next one)."""
    vs = versions()
    out = []
    builders = {
        "visits": lambda: visits(history, extracts, as_at),
        "reviews": lambda: reviews(history, as_at),
        "adoption_visits": lambda: adoption_visits(history, extracts, as_at),
        "adoption_reviews": lambda: adoption_reviews(history, as_at),
        "authorised_reviews": lambda: authorised_reviews(history, as_at),
        "iha": lambda: iha(history, extracts, as_at),
        "rha": lambda: rha(history, extracts, as_at),
        "dental": lambda: dental(history, extracts, as_at),
        "pep_first": lambda: pep_first(history, extracts, as_at, in_force(as_at, vs)),
        "rhi": lambda: rhi(history, extracts, as_at),
        "pathway_plan": lambda: pathway_plans(history, extracts, as_at),
        "pa_contact": lambda: pa_contact(history, extracts, as_at),
    }
    for req in REQUIREMENTS:
        kind = NEEDS_EXTRACT.get(req)
        if kind is not None and not extracts.loaded(kind):
            continue
        if req == "pep":
            out.append(peps(history, extracts, as_at, in_force(as_at, vs)))
        else:
            out.append(chain(req, builders[req](), as_at, vs))
    if not out:
        return pl.DataFrame(schema=INSTANCE_SCHEMA)
    return pl.concat(out)


def assessed_requirements(extracts: Extracts) -> list[str]:
    """The requirements the loaded data can speak for."""
    return [r for r in REQUIREMENTS if NEEDS_EXTRACT.get(r) is None or extracts.loaded(NEEDS_EXTRACT[r])]
