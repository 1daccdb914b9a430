"""Frames every measure starts from, built once per history with polars expressions.

- :func:`care_episodes`: the care timeline's episodes of care (``carewise.returns.timeline``:
  short breaks left out, the period of care, placement and carer each belongs to, the day the
  episode stops counting ``end_excl``, ``after_short_break``), with the child's header facts;
- :func:`looked_after_at`: one row per child looked after on a date;
- :func:`started`, :func:`ceased`: DfE's first start and last ceasing per child in a window;
- :func:`placements_in`: placements each child had during a window.

A child is looked after on the days ``DECOM <= day < DEC``: the day an episode ceases belongs to
the next episode, or to life after care. An episode still open in its latest return counts only
to the end of that return's collection year: what happened after is not known.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date
from typing import TypeVar, cast

import polars as pl

from carewise.history import History
from carewise.measures import codes
from carewise.returns.years import age_expr

_CACHE: dict[int, tuple[weakref.ref, dict[str, pl.DataFrame], dict[str, object]]] = {}

T = TypeVar("T")


def _entry(history: History) -> tuple[weakref.ref, dict[str, pl.DataFrame], dict[str, object]]:
    key = id(history)
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not history:
        entry = (weakref.ref(history, lambda _r: _CACHE.pop(key, None)), {}, {})
        _CACHE[key] = entry
    return entry


def cache_for(history: History) -> dict[str, pl.DataFrame]:
    """Frames computed from this history (dropped when the history is)."""
    return _entry(history)[1]


def once(history: History, key: str, build: Callable[[], T]) -> T:
    """Anything but a frame worked out once per history (a table family, notes), dropped with it.

    ``key`` names one kind of value: every caller of a key builds the same type."""
    store = _entry(history)[2]
    if key not in store:
        store[key] = build()
    return cast(T, store[key])


def _cached(history: History, name: str, build: Callable[[History], pl.DataFrame]) -> pl.DataFrame:
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
    return history.timeline.children.rename({"UASC": "UASC_FLAG"})


def children(history: History) -> pl.DataFrame:
    """One row per child (SEX M/F/U, DOB, ETHNIC, the optional UASC flag as UASC_FLAG), from
    the care timeline (which return's date of birth counts: ``carewise.returns.timeline``)."""
    return _cached(history, "children", _children)


def _care_episodes(history: History) -> pl.DataFrame:
    return history.timeline.episodes.join(children(history), on="CHILD", how="left")


def care_episodes(history: History) -> pl.DataFrame:
    """Episodes of care from the care timeline (short breaks V3/V4 and episodes with no start
    date left out; period, placement and carer of each), with the child's header facts.

    Placements are DfE's: a change with the same carers (RNE T/U, ``same_carers``) counts as a
    new placement in the stability measures, as in DfE's "3 or more placements"."""
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
