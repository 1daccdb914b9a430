"""Children's periods of care, placements and care-leaver eligibility, from the 903 history.

Everything here is one vectorised pass over the stitched episodes, cut at a date ``as_at`` so
that the clocks are those a council could see that day (an episode that ends later is open).
Short breaks (LS V3/V4) are left out: a child on pre-planned short breaks is looked after under
modified rules (CPPCR Regs 2010 reg 48) and does not become a care leaver through them.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import ADOPTED, PLACEMENT_START_RNE, SHORT_BREAKS, TEMPORARY_PLACEMENTS
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
    asks for periods several times per run)."""
    hit = _memo.get(name)
    if hit is not None and hit[0] is history.episodes and hit[1] == as_at:
        return hit[2]
    result = make()
    _memo[name] = (history.episodes, as_at, result)
    return result


def episodes_at(history: History, as_at: date) -> pl.DataFrame:
    """Episodes that had started by ``as_at``, ends after it blanked, short breaks left out."""
    eps = history.episodes.filter(
        pl.col("DECOM").is_not_null() & (pl.col("DECOM") <= as_at)
        & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)
    )
    ended = pl.col("DEC").is_not_null() & (pl.col("DEC") <= as_at)
    return eps.with_columns(
        pl.when(ended).then(pl.col("DEC")).otherwise(None).alias("DEC"),
        pl.when(ended).then(pl.col("REC")).otherwise(None).alias("REC"),
    ).sort(["CHILD", "DECOM"])


def _dob(history: History) -> pl.DataFrame:
    return history.header.select("CHILD", "DOB").filter(pl.col("DOB").is_not_null()).unique("CHILD", keep="last")


def periods(history: History, as_at: date) -> pl.DataFrame:
    """Periods of care: CHILD, period (id), start, end (null if open at ``as_at``), REC, DOB.

    A period runs from entering care to leaving it: consecutive episodes joined by REC X1 on
    the same day (glossary: period of care)."""
    return _cached("periods", history, as_at, lambda: _periods(history, as_at))


def _periods(history: History, as_at: date) -> pl.DataFrame:
    eps = episodes_at(history, as_at)
    prev_dec = pl.col("DEC").shift(1).over("CHILD")
    prev_rec = pl.col("REC").shift(1).over("CHILD")
    new = prev_dec.is_null() | (prev_dec != pl.col("DECOM")) | (prev_rec != "X1").fill_null(True)
    eps = eps.with_columns(new.alias("_new")).with_columns(pl.col("_new").cum_sum().over("CHILD").alias("_p"))
    out = eps.group_by("CHILD", "_p", maintain_order=True).agg(
        pl.col("DECOM").first().alias("start"),
        pl.col("DEC").last().alias("end"),
        pl.col("REC").last().alias("REC"),
    )
    out = out.join(_dob(history), on="CHILD", how="left")
    return out.with_row_index("period").select(
        pl.col("period").cast(pl.Int64), "CHILD", "start", "end", "REC", "DOB")


def placements(history: History, as_at: date) -> pl.DataFrame:
    """Placements: CHILD, period, placement (id), start, end (last day, null if open), PLACE, DOB.

    A placement starts with the first episode of a period or an episode whose RNE is a placement
    change (P, B, T, U); it ends the day before the next placement starts or when care ends.
    Temporary moves (PLACE T0-T4: hospital, holiday, carers' holiday, a week or less) do not
    start a placement, and coming back from one to the same home does not start a new one."""
    eps = episodes_at(history, as_at)
    per = periods(history, as_at)
    eps = eps.join_asof(per.select("CHILD", "period", pl.col("start").alias("_ps")).sort("_ps"),
                        left_on="DECOM", right_on="_ps", by="CHILD", strategy="backward",
                        check_sortedness=False)
    first = (pl.col("period").shift(1).over("CHILD") != pl.col("period")).fill_null(True)
    after_temp = pl.col("PLACE").shift(1).over("CHILD").is_in(TEMPORARY_PLACEMENTS).fill_null(False)
    eps = eps.with_columns(first.alias("_first"), (after_temp & ~first).alias("_after_temp"))
    home = eps.filter(~pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS).fill_null(False) | pl.col("_first"))
    key = [c for c in ("PLACE", "PLACE_PROVIDER", "PL_POST", "URN") if c in home.columns]
    same_home = pl.all_horizontal([pl.col(c).eq_missing(pl.col(c).shift(1).over("period")) for c in key])
    moved = pl.col("RNE").is_in(PLACEMENT_START_RNE).fill_null(False) & ~(pl.col("_after_temp") & same_home)
    starts = home.filter(pl.col("_first") | moved)
    starts = starts.sort(["CHILD", "DECOM"]).with_columns(
        pl.col("DECOM").shift(-1).over("period").alias("_next")
    )
    out = starts.join(per.select("period", pl.col("end").alias("_pend"), "DOB"), on="period", how="left")
    return out.with_row_index("placement").select(
        pl.col("placement").cast(pl.Int64), "CHILD", "period", pl.col("DECOM").alias("start"),
        pl.coalesce(pl.col("_next").dt.offset_by("-1d"), pl.col("_pend")).alias("end"),
        "PLACE", "DOB",
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
