"""Children's periods of care, placements and care-leaver eligibility, from the 903 history.

Periods of care and placements are the care timeline's (``carewise.returns.timeline``), cut at
a date ``as_at`` so that the clocks are those a council could see that day (an episode that ends
later is open). Short breaks (LS V3/V4) are left out there: a child on pre-planned short breaks
is looked after under modified rules (CPPCR Regs 2010 reg 48) and does not become a care leaver
through them.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import ADOPTED
from carewise.history import History
from carewise.returns import birthday_expr

NOT_CARE_LEAVER_REC = (*ADOPTED, "E2", "E3", "E15", "E41", "E43", "E44", "E45", "E46", "E47", "E48")
"""Left care by adoption, died, taken over by another council, found to be an adult, or a
child arrangements or special guardianship order: not relevant children (SGO/CAO leavers are
'qualifying' care leavers, which carewise does not track)."""

RETURNED_HOME_REC = ("E4A", "E4B")
"""Returned home to parents: a relevant child stops being one after six months living at home
(Care Leavers (England) Regs 2010 reg 3(5))."""

DAYS_13_WEEKS = 91

_memo: dict[str, tuple[object, date, pl.DataFrame]] = {}


def _cached(name: str, history: History, as_at: date, make) -> pl.DataFrame:
    """The last result per function for the same history object and date (the schedule engine
    asks for eligibility several times per run; periods and placements are cached by the
    timeline's cut, ``Timeline.as_at``)."""
    hit = _memo.get(name)
    if hit is not None and hit[0] is history.episodes and hit[1] == as_at:
        return hit[2]
    result = make()
    _memo[name] = (history.episodes, as_at, result)
    return result


def episodes_at(history: History, as_at: date) -> pl.DataFrame:
    """The care timeline's episodes as they stood at the end of ``as_at`` (short breaks left out,
    later endings blanked; ``carewise.returns.timeline``)."""
    return history.timeline.as_at(as_at).episodes


def periods(history: History, as_at: date) -> pl.DataFrame:
    """Periods of care: CHILD, period (id), start, end (null if open at ``as_at``), REC, DOB.

    The care timeline's periods (a run of episodes joined by REC X1 on the same day; glossary:
    period of care), numbered across children."""
    return _periods(history, as_at).drop("period_no")


def _periods(history: History, as_at: date) -> pl.DataFrame:
    per = history.timeline.as_at(as_at).periods().sort(["CHILD", "period_no"])
    return per.with_row_index("period").select(
        pl.col("period").cast(pl.Int64), "CHILD", "period_no", "start", "end", "REC", "DOB")


def placements(history: History, as_at: date) -> pl.DataFrame:
    """Placements: CHILD, period, placement (id), start, end (last day, null if open), PLACE, DOB,
    same_carers.

    The care timeline's placements (DfE's: a temporary move T0-T4 and the return from it, a
    change of legal status only, and being placed for adoption with the current foster carers do
    not start one). A placement ends the day before the next one in its period starts, or when
    care ends. ``same_carers`` marks a placement that began with a change of placement keeping
    the same carers (RNE T/U): it is a placement here, and each figure states whether it restarts
    its clock (the reg 28 visits clock does not: ``schedule.placement_clocks``)."""
    return _placements(history, as_at)


def _placements(history: History, as_at: date) -> pl.DataFrame:
    per = _periods(history, as_at).select("CHILD", "period_no", "period", pl.col("end").alias("_pend"))
    plc = history.timeline.as_at(as_at).placements().sort(["CHILD", "placement_no"])
    plc = plc.join(per, on=["CHILD", "period_no"], how="left").with_columns(
        pl.col("start").shift(-1).over(["CHILD", "period_no"]).alias("_next")
    )
    return plc.with_row_index("placement").select(
        pl.col("placement").cast(pl.Int64), "CHILD", "period", "start",
        pl.coalesce(pl.col("_next").dt.offset_by("-1d"), pl.col("_pend")).alias("end"),
        "PLACE", "DOB", "same_carers",
    )


def eligibility(history: History, as_at: date) -> pl.DataFrame:
    """CHILD, DOB, eligible_from: the day a child became an eligible child, if they did by ``as_at``.

    Eligible (Children Act 1989 Sch 2 para 19B; glossary): aged 16 or 17, looked after, and looked
    after for 13 weeks in all since the age of 14 (that time ending after 16). The day is the later
    of the 16th birthday and the day the 13 weeks were reached, or the next day in care after that,
    before the 18th birthday."""
    return _cached("eligibility", history, as_at, lambda: _eligibility(history, as_at))


def _eligibility(history: History, as_at: date) -> pl.DataFrame:
    per = periods(history, as_at).filter(pl.col("DOB").is_not_null())
    b14 = birthday_expr(pl.col("DOB"), 14)
    end = pl.coalesce(pl.col("end"), pl.lit(as_at))
    clipped = per.with_columns(pl.max_horizontal(pl.col("start"), b14).alias("_cs"), end.alias("_ce"))
    clipped = clipped.with_columns(((pl.col("_ce") - pl.col("_cs")).dt.total_days() + 1).clip(0).alias("_d"))
    clipped = clipped.sort(["CHILD", "start"]).with_columns(
        (pl.col("_d").cum_sum().over("CHILD") - pl.col("_d")).alias("_before"))
    reach = clipped.filter((pl.col("_before") < DAYS_13_WEEKS) & (pl.col("_before") + pl.col("_d") >= DAYS_13_WEEKS))
    reach = reach.select(
        "CHILD",
        pl.max_horizontal(
            pl.col("_cs").dt.offset_by(pl.format("{}d", DAYS_13_WEEKS - 1 - pl.col("_before"))),
            birthday_expr(pl.col("DOB"), 16),
        ).alias("_x"),
    )
    cand = per.join(reach, on="CHILD").filter(end >= pl.col("_x"))
    cand = cand.with_columns(pl.max_horizontal("_x", "start").alias("eligible_from"))
    cand = cand.filter((pl.col("eligible_from") < birthday_expr(pl.col("DOB"), 18))
                       & (pl.col("eligible_from") <= as_at))
    return cand.group_by("CHILD").agg(pl.col("DOB").first(), pl.col("eligible_from").min())
