"""Frames every measure starts from, built once per history with polars expressions.

- :func:`care_episodes`: episodes of care without short breaks, with the period of care,
  placement and carer each belongs to, the day the episode stops counting (``end_excl``) and
  whether the child's episode just before it was a short break (``after_short_break``);
- :func:`looked_after_at`: one row per child looked after on a date;
- :func:`started`, :func:`ceased`: DfE's first start and last ceasing per child in a window;
- :func:`placements_in`: placements each child had during a window.

A child is looked after on the days ``DECOM <= day < DEC``: the day an episode ceases belongs to
the next episode, or to life after care. An episode still open in its latest return counts only
to the end of that return's collection year: what happened after is not known.
"""

from __future__ import annotations

import weakref
from datetime import date

import polars as pl

from carewise.history import YEAR, History
from carewise.measures import codes
from carewise.returns.years import age_expr

_CACHE: dict[int, tuple[weakref.ref, dict[str, pl.DataFrame]]] = {}


def cache_for(history: History) -> dict[str, pl.DataFrame]:
    """Frames computed from this history (dropped when the history is)."""
    key = id(history)
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not history:
        entry = (weakref.ref(history, lambda _r, k=key: _CACHE.pop(k, None)), {})
        _CACHE[key] = entry
    return entry[1]


def _cached(history: History, name: str, build) -> pl.DataFrame:
    store = cache_for(history)
    if name not in store:
        store[name] = build(history)
    return store[name]


def table(history: History, name: str) -> pl.DataFrame:
    """A stitched 903 table, read once per history (an absent table is an empty frame)."""
    store = cache_for(history)
    key = f"table:{name}"
    if key not in store:
        store[key] = history.table(name)
    return store[key]


def _children(history: History) -> pl.DataFrame:
    header = history.header
    cols = [c for c in ("CHILD", "SEX", "DOB", "ETHNIC", "UASC") if c in header.columns]
    frame = header.select(cols).unique("CHILD", keep="last")
    if "UASC" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("UASC"))
    return frame.rename({"UASC": "UASC_FLAG"})


def children(history: History) -> pl.DataFrame:
    """The header, one row per child (SEX M/F/U, DOB, ETHNIC, the optional UASC flag)."""
    return _cached(history, "children", _children)


def _care_episodes(history: History) -> pl.DataFrame:
    short_break = pl.col("LS").is_in(codes.SHORT_BREAKS).fill_null(False)
    eps = (
        history.episodes.filter(pl.col("DECOM").is_not_null())
        .sort([pl.col("CHILD"), pl.col("DECOM"), short_break])  # a same-day break goes after
        .with_columns(
            short_break.shift(1).over("CHILD").fill_null(False).alias("after_short_break")
        )
        .filter(~short_break)
    )
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
        pl.col("PLACE").is_in(codes.TEMPORARY_PLACEMENTS).fill_null(False).alias("temporary"),
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
    returns = (
        pl.col("temporary").shift(1).over(["CHILD", "period_no"]).fill_null(False)
        & ~pl.col("temporary")
        & (pl.col("PLACE") == usual_place).fill_null(False)
    )
    counted = ~pl.col("temporary") & ~returns
    with_carers = pl.col("PLACE").is_in(codes.ADOPTION_WITH_FOSTER_CARER).fill_null(False)
    new_placement = pl.col("_np") | (
        counted & pl.col("RNE").is_in(codes.PLACEMENT_START_RNE).fill_null(False) & ~with_carers
    )
    new_carer = pl.col("_np") | (
        counted & pl.col("RNE").is_in(codes.NEW_CARERS_RNE).fill_null(False) & ~with_carers
    )
    eps = eps.with_columns(
        pl.coalesce(pl.col("DEC"), year_end_excl).alias("end_excl"),
        new_placement.alias("new_placement"),
        new_carer.alias("_nc"),
    ).with_columns(
        pl.col("new_placement").cast(pl.Int32).cum_sum().over("CHILD").alias("placement_no"),
        pl.col("_nc").cast(pl.Int32).cum_sum().over("CHILD").alias("carer_no"),
    )
    eps = eps.with_columns(
        pl.col("DECOM").first().over(["CHILD", "period_no"]).alias("period_start"),
        pl.col("DECOM").first().over(["CHILD", "placement_no"]).alias("placement_start"),
        pl.col("DECOM").first().over(["CHILD", "carer_no"]).alias("carer_start"),
    ).drop("_np", "_nc")
    # long-term stability counts an adoptive placement (a run of A3-A6 episodes) together with
    # the placement just before it: its start, and the start of that placement
    adopt = pl.col("PLACE").is_in(codes.ADOPTION_PLACEMENTS).fill_null(False)
    in_period = ["CHILD", "period_no"]
    run_start = adopt & ~adopt.shift(1).over(in_period).fill_null(False)
    eps = (
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
    return eps.join(children(history), on="CHILD", how="left")


def care_episodes(history: History) -> pl.DataFrame:
    """Episodes of care (short breaks V3/V4 and episodes with no start date left out)."""
    return _cached(history, "care_episodes", _care_episodes)


def uasc_status(history: History, on: date) -> pl.DataFrame:
    """Children who were unaccompanied asylum-seeking children on a date.

    From the UASC table (a child stops being UASC on DUC, usually the 18th birthday) or, where a
    system sends it, the header's UASC flag.
    """
    uasc = table(history, "uasc")
    from_table = uasc.filter(pl.col("DUC").is_null() | (pl.col("DUC") > on)).select("CHILD")
    flagged = (
        children(history)
        .filter(pl.col("UASC_FLAG").is_in(["1", "Y", "YES", "TRUE"]).fill_null(False))
        .select("CHILD")
    )
    return pl.concat([from_table, flagged]).unique().with_columns(pl.lit(True).alias("uasc"))


def looked_after_at(history: History, on: date) -> pl.DataFrame:
    """One row per child looked after on ``on`` (DfE: "children looked after at 31 March").

    Columns of the episode open that day, plus ``age`` (whole years on the date), ``uasc``
    and the derived groups used for breakdowns.
    """
    eps = care_episodes(history).filter((pl.col("DECOM") <= on) & (pl.col("end_excl") > on))
    eps = eps.sort(["CHILD", "DECOM"]).unique("CHILD", keep="last", maintain_order=True)
    eps = eps.join(uasc_status(history, on), on="CHILD", how="left")
    return eps.with_columns(
        age_expr(pl.col("DOB"), on).alias("age"),
        pl.col("uasc").fill_null(False),
    ).with_columns(describe_child(pl.col("age")))


def describe_child(age: pl.Expr) -> list[pl.Expr]:
    """The DfE breakdown columns of a child: age band, sex, ethnic group, legal status, need."""
    return [
        codes.age_band_expr(age).alias("age_band"),
        pl.col("SEX")
        .replace_strict(codes.SEXES, default="Not known", return_dtype=pl.String)
        .alias("sex"),
        codes.group_expr(
            "ETHNIC", codes.ETHNIC_GROUPS, "Refused or information not yet available"
        ).alias("ethnic_group"),
        codes.group_expr("LS", codes.LEGAL_STATUS_GROUPS, "Legal status not recorded").alias(
            "legal_status"
        ),
        codes.group_expr("CIN", codes.NEED_GROUPS, "Need not recorded").alias("need"),
    ]


def started(history: History, start: date, end: date) -> pl.DataFrame:
    """Children who started to be looked after in [start, end]: first start per child (DfE).

    A start is an episode with RNE S or, for a child whose care began under short breaks
    (V3/V4), the first episode of care after them (usually RNE L, e.g. to V2 or C1): DfE leaves
    short breaks out of every figure, so such a child starts to be looked after on the day the
    non-short-break care began (docs/measures.md, source 1).
    """
    after_breaks = pl.col("after_short_break") & (pl.col("DECOM") == pl.col("period_start"))
    eps = care_episodes(history).filter(
        ((pl.col("RNE") == "S") | after_breaks) & pl.col("DECOM").is_between(start, end)
    )
    eps = eps.sort(["CHILD", "DECOM"]).unique("CHILD", keep="first", maintain_order=True)
    return eps.with_columns(age_expr(pl.col("DOB"), pl.col("DECOM")).alias("age")).with_columns(
        describe_child(pl.col("age"))
    )


def ceased(history: History, start: date, end: date) -> pl.DataFrame:
    """Children who ceased to be looked after in [start, end]: last ceasing per child (DfE).

    A ceasing is an episode with a DEC in the window and a reason other than X1 (X1 means a new
    episode began the same day). Age is at the date care ceased.
    """
    eps = care_episodes(history).filter(
        pl.col("DEC").is_between(start, end) & pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    )
    eps = eps.sort(["CHILD", "DEC"]).unique("CHILD", keep="last", maintain_order=True)
    return eps.with_columns(
        age_expr(pl.col("DOB"), pl.col("DEC")).alias("age"),
        codes.group_expr("REC", codes.CEASED_GROUPS, "Other reason").alias("reason"),
    ).with_columns(describe_child(pl.col("age")))


def placements_in(history: History, start: date, end: date) -> pl.DataFrame:
    """Placements (CHILD, placement_no) each child had on at least one night in [start, end].

    A placement is a run of episodes within a period of care that DfE counts as one placement:
    a change of legal status only (RNE L), a temporary placement (T0-T4) and the return from it,
    and being placed for adoption with the current foster carers (A3/A5) do not
    start a new one. It was lived in during the window if it began on or before ``end`` and
    ended after ``start``.
    """
    eps = care_episodes(history)
    placements = eps.group_by(["CHILD", "placement_no"]).agg(
        pl.col("DECOM").min().alias("from"), pl.col("end_excl").max().alias("to_excl")
    )
    return placements.filter((pl.col("from") <= end) & (pl.col("to_excl") > start))


def looked_after_during(history: History, start: date, end: date) -> pl.DataFrame:
    """Children looked after on at least one day in [start, end]."""
    eps = care_episodes(history).filter((pl.col("DECOM") <= end) & (pl.col("end_excl") > start))
    return eps.select("CHILD").unique()
