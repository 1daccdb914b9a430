"""One care timeline per child: the only place carewise works out, from the stitched 903 episodes,
each child's date of birth, periods of care, placements, carers and spells.

Measures, compliance, forecasts and the web read these frames (through ``History.timeline``);
none derives its own. :mod:`carewise.returns.timeline_reference` is the same rules written as
plain Python, held to this module by ``tests/generative/test_timeline_reference.py``.

The rules, and where they come from:

- **Date of birth**: the child's header row in the latest return that holds the child (stitching
  keeps the later return: a correction wins). A child whose DOB there is blank or unreadable has
  none, and is left out of figures that need an age.
- **Birthdays**: :func:`carewise.returns.birthday` (29 February turns a year older on 1 March).
- **Care**: short breaks (LS V3/V4) are not care: DfE leaves children looked after only under an
  agreed series of short-term breaks out of every headline figure. A child whose short breaks
  turned into full care (e.g. RNE L to V2/C1) starts to be looked after on the day the
  non-short-break episode began (``after_short_break``). Episodes with no readable start are
  left out. A child is looked after on the days ``DECOM <= day < end_excl``: the day an episode
  ceases belongs to the next episode or to life after care, and an episode still open in its
  latest return counts only to the end of that return's collection year (later is not known).
- **Period of care**: a run of episodes joined by REC X1 on the day the next begins; RNE S, a
  gap, or any other reason for ceasing starts a new one (903 guide; glossary).
- **Placement**: a run of episodes in one period that DfE counts as one placement: an episode
  starts a placement when its RNE is a placement change (P, B, T, U; S starts a period), except
  a temporary placement (PLACE T0-T4: hospital, holiday, carers' holiday, 7 days or less), the
  return from one to the usual PLACE, and being placed for adoption with the current foster
  carers (A3/A5, whatever the RNE). DfE's "3 or more placements" counts these placements.
- **Same carers** (``same_carers``): a placement that began with RNE T or U (change of placement,
  same carers: e.g. foster carers becoming long-term carers). It *is* a new placement for DfE's
  stability counts; each other consumer states its own use (the reg 28 visits clock does not
  restart on it). ``carer_no`` counts carers: new only on RNE S, P or B.
- **Spell**: a run of contiguous episodes (each DECOM the previous DEC) in one state chosen by
  the caller (the forecast's placement category); overlapping episodes are closed at the next
  start, and temporary placements carry the state before them.
- **As at a date** (:meth:`Timeline.as_at`): what had happened by the end of the day: later
  episodes dropped, later endings blanked. **As known at a date** is a cut of the returns
  themselves (``carewise.history.stitch(..., known_at=)``): later returns and corrections unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from carewise.codes import (
    NEW_CARERS_RNE,
    PLACED_FOR_ADOPTION,
    PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS,
    PLACEMENT_START_RNE,
    SAME_CARERS_RNE,
    SHORT_BREAKS,
    TEMPORARY_PLACEMENTS,
)

YEAR = "YEAR"
"""Column of stitched frames: the start year of the return a row came from (2024 = 2024-25)."""

CHILD_COLUMNS = ("CHILD", "DOB", "SEX", "ETHNIC", "UASC")
"""Header facts carried per child (UASC only when the return's system sends the flag)."""


def children(header: pl.DataFrame) -> pl.DataFrame:
    """One row per child: CHILD, DOB, SEX, ETHNIC and UASC (null when not sent).

    The header is the stitched one: one row per child from the latest return holding the child,
    so the latest return's date of birth wins (module docstring, "Date of birth")."""
    cols = [c for c in CHILD_COLUMNS if c in header.columns]
    frame = header.select(cols).unique("CHILD", keep="last", maintain_order=True)
    for col, dtype in (("DOB", pl.Date), ("SEX", pl.String), ("ETHNIC", pl.String), ("UASC", pl.String)):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(col))
    return frame


def care_rows(episodes: pl.DataFrame) -> pl.DataFrame:
    """Episodes of care with a readable start, each child's in date order, marked when the
    child's episode just before was a short break (a short break starting the same day as an
    episode of care sorts after it, so does not mark it)."""
    short_break = pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)
    eps = episodes.filter(pl.col("DECOM").is_not_null())
    missing = [c for c in ("RNE", "LS", "PLACE", "PLACE_PROVIDER", "REC") if c not in eps.columns]
    eps = eps.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    if YEAR not in eps.columns:
        eps = eps.with_columns(pl.lit(None, dtype=pl.Int32).alias(YEAR))
    return (
        eps.sort([pl.col("CHILD"), pl.col("DECOM"), short_break])
        .with_columns(short_break.shift(1).over("CHILD").fill_null(False).alias("after_short_break"))
        .filter(~short_break)
    )


def care_episodes(episodes: pl.DataFrame) -> pl.DataFrame:
    """Episodes of care (module docstring) with, per episode: ``after_short_break``,
    ``period_no``, ``period_start``, ``temporary``, ``new_placement``, ``same_carers``,
    ``placement_no``, ``placement_start``, ``carer_no``, ``carer_start``, ``end_excl``, and for
    episodes placed for adoption ``adoptive_placement_start`` and
    ``placement_before_adoption_start`` (the run of A3-A6 episodes, and the placement before it).
    Numbers count within the child (1, 2, ...).

    The steps run as one lazy query (collected once): the same frame as step by step, a quarter
    faster (the many per-child windows planned together), and built for every forecast and for
    each of its backtest's cut dates."""
    eps = care_rows(episodes).lazy()
    year_end_excl = pl.date(pl.col(YEAR) + 1, 4, 1)
    prev_dec = pl.col("DEC").shift(1).over("CHILD")
    prev_rec = pl.col("REC").shift(1).over("CHILD")
    first = pl.col("CHILD").cum_count().over("CHILD") == 1
    new_period = (
        first
        | (pl.col("RNE") == "S").fill_null(False)
        | prev_dec.is_null()
        | (pl.col("DECOM") != prev_dec).fill_null(True)
        | (prev_rec != "X1").fill_null(True)
    )
    eps = eps.with_columns(
        new_period.alias("_np"),
        pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS).fill_null(False).alias("temporary"),
    ).with_columns(pl.col("_np").cast(pl.Int32).cum_sum().over("CHILD").alias("period_no"))
    # the placement a child returns to after a temporary one: the last non-temporary PLACE
    # before it in the same period of care
    usual_place = (
        pl.when(~pl.col("temporary"))
        .then(pl.col("PLACE"))
        .forward_fill()
        .shift(1)
        .over(["CHILD", "period_no"])
    )
    back = (
        pl.col("temporary").shift(1).over(["CHILD", "period_no"]).fill_null(False)
        & ~pl.col("temporary")
        & (pl.col("PLACE") == usual_place).fill_null(False)
    )
    counted = (
        ~pl.col("temporary")
        & ~back
        & ~pl.col("PLACE").is_in(PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS).fill_null(False)
    )
    moved = counted & pl.col("RNE").is_in(PLACEMENT_START_RNE).fill_null(False)
    new_carers = counted & pl.col("RNE").is_in(NEW_CARERS_RNE).fill_null(False)
    same_carers = ~pl.col("_np") & moved & pl.col("RNE").is_in(SAME_CARERS_RNE).fill_null(False)
    eps = eps.with_columns(
        pl.coalesce(pl.col("DEC"), year_end_excl).alias("end_excl"),
        (pl.col("_np") | moved).alias("new_placement"),
        same_carers.alias("same_carers"),
        (pl.col("_np") | new_carers).alias("_nc"),
    ).with_columns(
        pl.col("new_placement").cast(pl.Int32).cum_sum().over("CHILD").alias("placement_no"),
        pl.col("_nc").cast(pl.Int32).cum_sum().over("CHILD").alias("carer_no"),
    )
    eps = eps.with_columns(
        pl.col("DECOM").first().over(["CHILD", "period_no"]).alias("period_start"),
        pl.col("DECOM").first().over(["CHILD", "placement_no"]).alias("placement_start"),
        pl.col("same_carers").first().over(["CHILD", "placement_no"]).alias("same_carers"),
        pl.col("DECOM").first().over(["CHILD", "carer_no"]).alias("carer_start"),
    ).drop("_np", "_nc")
    return _with_adoptive_placement(eps).collect()


def _with_adoptive_placement(eps: pl.LazyFrame) -> pl.LazyFrame:
    """Long-term stability counts an adoptive placement (a run of A3-A6 episodes) together with
    the placement just before it: its start, and the start of that placement."""
    adopt = pl.col("PLACE").is_in(PLACED_FOR_ADOPTION).fill_null(False)
    in_period = ["CHILD", "period_no"]
    run_start = adopt & ~adopt.shift(1).over(in_period).fill_null(False)
    return (
        eps.with_columns(
            run_start.cast(pl.Int32).cum_sum().over("CHILD").alias("_run"),
            pl.when(run_start)
            .then(pl.col("placement_start").shift(1).over(in_period))
            .alias("_before"),
        )
        .with_columns(
            pl.when(adopt)
            .then(pl.col("DECOM").first().over(["CHILD", "_run"]))
            .alias("adoptive_placement_start"),
            pl.when(adopt)
            .then(pl.col("_before").first().over(["CHILD", "_run"]))
            .alias("placement_before_adoption_start"),
        )
        .drop("_run", "_before")
    )


def as_at(care: pl.DataFrame, day: date) -> pl.DataFrame:
    """Care episodes (:func:`care_episodes`, or :func:`care_rows`) as they stood at the end of
    ``day``: episodes starting later dropped, an ending (DEC, REC) after it blanked and
    ``end_excl`` no later than the next day. Period, placement and carer numbers are unchanged:
    each depends only on earlier episodes."""
    ended = pl.col("DEC").is_not_null() & (pl.col("DEC") <= day)
    cut = [pl.when(ended).then(pl.col("DEC")).alias("DEC"), pl.when(ended).then(pl.col("REC")).alias("REC")]
    if "end_excl" in care.columns:
        next_day = pl.lit(day + timedelta(days=1))
        cut.append(pl.min_horizontal(pl.col("end_excl"), next_day).alias("end_excl"))
    return care.filter(pl.col("DECOM") <= day).with_columns(cut)


def periods(care: pl.DataFrame) -> pl.DataFrame:
    """Periods of care: CHILD, period_no, start, end (the day care ceased; null while open),
    end_excl, REC (why care ended), after_short_break (care began straight after short breaks)."""
    return (
        care.group_by(["CHILD", "period_no"], maintain_order=True)
        .agg(
            pl.col("DECOM").first().alias("start"),
            pl.col("DEC").last().alias("end"),
            pl.col("end_excl").last(),
            pl.col("REC").last(),
            pl.col("after_short_break").first(),
        )
        .sort(["CHILD", "period_no"])
    )


def placements(care: pl.DataFrame) -> pl.DataFrame:
    """Placements: CHILD, period_no, placement_no, start, end (its last episode's DEC; null while
    open), end_excl, PLACE, PLACE_PROVIDER, URN, PL_POST (of the first episode), same_carers."""
    cols = [c for c in ("PLACE", "PLACE_PROVIDER", "URN", "PL_POST") if c in care.columns]
    return (
        care.group_by(["CHILD", "period_no", "placement_no"], maintain_order=True)
        .agg(
            pl.col("DECOM").first().alias("start"),
            pl.col("DEC").last().alias("end"),
            pl.col("end_excl").max(),
            *[pl.col(c).first() for c in cols],
            pl.col("same_carers").first(),
        )
        .sort(["CHILD", "placement_no"])
    )


def spells(care: pl.DataFrame, state: pl.Expr) -> pl.DataFrame:
    """From care episodes (:func:`care_rows` is enough), runs of contiguous episodes in one ``state``: CHILD, start, end (null while open), state,
    entry (the spell does not follow on from another: a start of care), next_state (the state the
    child moved to, null when the spell ended by leaving care or is open).

    Repairs, as the peer forecasting model does: an episode left open, or ending after the next
    one starts, is closed at the next start; a null state (a temporary placement) carries the
    state before it (a holiday or a hospital stay is not a move).

    One lazy query, collected once (as :func:`care_episodes`)."""
    eps = care.lazy().select("CHILD", "DECOM", "DEC", state.alias("state")).sort(["CHILD", "DECOM"])
    next_start = pl.col("DECOM").shift(-1).over("CHILD")
    eps = eps.with_columns(
        pl.when(next_start.is_not_null() & (pl.col("DEC").is_null() | (pl.col("DEC") > next_start)))
        .then(next_start)
        .otherwise(pl.col("DEC"))
        .alias("DEC"),
    ).filter(pl.col("DEC").is_null() | (pl.col("DEC") >= pl.col("DECOM")))
    eps = eps.with_columns(
        pl.col("state").forward_fill().over("CHILD").fill_null("other"),
        (pl.col("DEC").shift(1).over("CHILD") == pl.col("DECOM")).fill_null(False).alias("_contig"),
    )
    new_spell = ~pl.col("_contig") | (pl.col("state") != pl.col("state").shift(1).over("CHILD"))
    eps = eps.with_columns(new_spell.fill_null(True).cum_sum().over("CHILD").alias("_spell"))
    out = (
        eps.group_by(["CHILD", "_spell"], maintain_order=True)
        .agg(
            pl.col("DECOM").first().alias("start"),
            pl.col("DEC").last().alias("end"),
            pl.col("state").first(),
            pl.col("_contig").first().alias("_contig"),
        )
        .sort(["CHILD", "start"])
    )
    next_contig = pl.col("_contig").shift(-1).over("CHILD").fill_null(False)
    return out.with_columns(
        (~pl.col("_contig")).alias("entry"),
        pl.when(next_contig).then(pl.col("state").shift(-1).over("CHILD")).alias("next_state"),
    ).select("CHILD", "start", "end", "state", "entry", "next_state").collect()


@dataclass
class Timeline:
    """A council's care timeline: one row per child and their episodes of care (module rules).

    Built once per history and cached on it (``History.timeline``); :meth:`as_at` gives the
    timeline as it stood at the end of a day."""

    children: pl.DataFrame
    episodes: pl.DataFrame
    """Care episodes (:func:`care_episodes`)."""
    _memo: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    _cuts: dict[date, Timeline] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, episodes: pl.DataFrame, header: pl.DataFrame) -> Timeline:
        return cls(children(header), care_episodes(episodes))

    def _once(self, name: str, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        if name not in self._memo:
            self._memo[name] = make()
        return self._memo[name]

    def periods(self) -> pl.DataFrame:
        """:func:`periods` with each child's DOB."""
        return self._once("periods", lambda: self._with_dob(periods(self.episodes)))

    def placements(self) -> pl.DataFrame:
        """:func:`placements` with each child's DOB."""
        return self._once("placements", lambda: self._with_dob(placements(self.episodes)))

    def spells(self, state: pl.Expr) -> pl.DataFrame:
        """:func:`spells` with each child's DOB (children with no DOB left out)."""
        dobs = self.children.select("CHILD", "DOB").filter(pl.col("DOB").is_not_null())
        return spells(self.episodes, state).join(dobs, on="CHILD", how="inner")

    def as_at(self, day: date) -> Timeline:
        """The timeline as it stood at the end of ``day`` (:func:`as_at`)."""
        if day not in self._cuts:
            if len(self._cuts) >= 16:  # a few dates per run are asked for again and again
                self._cuts.clear()
            self._cuts[day] = Timeline(self.children, as_at(self.episodes, day))
        return self._cuts[day]

    def _with_dob(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(self.children.select("CHILD", "DOB"), on="CHILD", how="left")
