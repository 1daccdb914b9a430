"""One history per child, stitched from many collection years' returns.

A child keeps the same CHILD id across returns, and an episode open over 31
March appears in two returns: open (no DEC) in the earlier one, and again,
perhaps closed, in the later one. Stitching keeps one row per episode (CHILD,
DECOM): the later return wins. Where the two returns disagree about anything
other than an episode being closed since, the disagreement is reported as a
conflict so the analyst can correct the earlier return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from functools import cached_property
from typing import Any, Generic, TypeVar, overload

import polars as pl

from carewise.codes import SEX_LETTERS
from carewise.returns.model import ROW, Return
from carewise.returns.tables import TABLES
from carewise.returns.timeline import YEAR, Timeline
from carewise.returns.years import CollectionYear, label_expr

T = TypeVar("T")

_CLOSED_SINCE = {"DEC", "REC", "REASON_PLACE_CHANGE"}
"""Episode fields that an earlier return leaves blank while the episode is still open."""

_STITCHED_AT_ONCE = ("episodes", "header")
"""The tables :func:`stitch` stitches at once; the others and the conflicts when first read."""

class _Later(Enum):
    """A :class:`History` field not worked out yet (see :class:`_WorkedOutWhenRead`); an enum, so a
    pickled history's fields are still recognised as not worked out."""

    LATER = "later"


_LATER: Any = _Later.LATER


class _WorkedOutWhenRead(Generic[T]):
    """A :class:`History` field that :func:`stitch` leaves to be worked out the first time it is read.

    A forecast (and each of its backtest's cut dates) needs only the episodes and headers; the other
    tables and the conflicts between years were half of stitching a council's returns. Given to the
    constructor, the field holds what was given; left out, it is worked out from the returns
    stitched (``History._stitch_rest``), the same frames in the same order as stitching them at once."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    @overload
    def __get__(self, history: None, owner: type) -> Any: ...

    @overload
    def __get__(self, history: History, owner: type) -> T: ...

    def __get__(self, history: History | None, owner: type) -> Any:
        if history is None:
            return _LATER  # the dataclass's default: work it out when read
        value = history.__dict__[self.slot]
        if value is _LATER:
            history._stitch_rest()
            value = history.__dict__[self.slot]
        return value

    def __set__(self, history: History, value: T) -> None:
        history.__dict__[self.slot] = value


@dataclass
class History:
    """Every stored year of a council's 903 data, stitched per child."""

    episodes: pl.DataFrame
    header: pl.DataFrame
    tables: _WorkedOutWhenRead[dict[str, pl.DataFrame]] = _WorkedOutWhenRead()
    """The other tables, latest return per key (worked out when first read, after :func:`stitch`)."""
    conflicts: _WorkedOutWhenRead[pl.DataFrame] = _WorkedOutWhenRead()
    """Where an earlier return disagrees with a later one (worked out when first read)."""
    years: list[CollectionYear] = field(default_factory=list)
    returns: tuple[Return, ...] = field(default=(), repr=False)
    """The returns stitched (kept so :meth:`as_known_at` can stitch again from fewer)."""
    _stacked: dict[str, pl.DataFrame | None] = field(default_factory=dict, repr=False, compare=False)
    """The episodes and headers of every year as :func:`stitch` stacked them, until ``tables`` and
    ``conflicts`` are worked out."""

    def _stitch_rest(self) -> None:
        """Work out ``tables`` and ``conflicts`` from the returns, as :func:`stitch` would have."""
        items, stacked_by_name = sorted(self.returns, key=lambda r: r.year), self._stacked
        conflicts: list[pl.DataFrame] = []
        tables: dict[str, pl.DataFrame] = {}
        for name in TABLES:
            stacked = stacked_by_name[name] if name in stacked_by_name else _stack(items, name)
            if stacked is None:
                continue
            conflicts.append(_conflicts(stacked, name))
            if name == "episodes":
                conflicts.append(_vanished_open_episodes(stacked, [r.year.start_year for r in items]))
            if name not in _STITCHED_AT_ONCE:
                tables[name] = _latest_per_key(stacked, name)
        if self.__dict__["_tables"] is _LATER:
            self.tables = tables
        if self.__dict__["_conflicts"] is _LATER:
            self.conflicts = pl.concat(conflicts) if conflicts else pl.DataFrame(schema=CONFLICT_SCHEMA)
        self._stacked = {}

    @property
    def last_date(self) -> date | None:
        """The last day the data describes: 31 March of the latest collection year."""
        return self.years[-1].end if self.years else None

    @property
    def first_date(self) -> date | None:
        return self.years[0].start if self.years else None

    def as_known_at(self, day: date) -> History:
        """The history as it could be known on ``day``: stitched from only the returns received
        by then (``Return.known_from``), so a later return or correction cannot leak into, say,
        a forecast backtest's fit. Cutting the timeline at a date (``timeline.as_at``) is not
        the same: it keeps what later returns say about earlier days."""
        if not self.returns and self.years:
            raise ValueError("this history was not stitched from returns: cannot cut it by date received")
        return stitch(self.returns, known_at=day)

    @cached_property
    def timeline(self) -> Timeline:
        """Each child's date of birth, periods of care, placements and spells, derived once
        (:mod:`carewise.returns.timeline`: the one place they are worked out)."""
        return Timeline.build(self.episodes, self.header)

    def table(self, name: str) -> pl.DataFrame:
        if name == "episodes":
            return self.episodes
        if name == "header":
            return self.header
        return self.tables.get(name, _empty_stitched(name))


def _empty_stitched(name: str) -> pl.DataFrame:
    from carewise.returns.build import raw_frame
    from carewise.returns.model import typed_from_raw

    frame = typed_from_raw(raw_frame(name, []), TABLES[name])
    return frame.with_columns(pl.lit(None, dtype=pl.Int32).alias(YEAR)).drop(ROW)


CONFLICT_SCHEMA = {
    "CHILD": pl.String,
    "table": pl.String,
    "key": pl.String,
    "column": pl.String,
    "earlier_year": pl.String,
    "earlier_value": pl.String,
    "later_year": pl.String,
    "later_value": pl.String,
}


def _stack(returns: list[Return], name: str) -> pl.DataFrame | None:
    frames = []
    for ret in returns:
        if ret.has(name):
            frame = ret.table(name).drop(ROW).with_columns(
                pl.lit(ret.year.start_year, dtype=pl.Int32).alias(YEAR)
            )
            if "SEX" in frame.columns:
                frame = frame.with_columns(
                    pl.col("SEX").replace_strict(SEX_LETTERS, default=pl.col("SEX"), return_dtype=pl.String)
                )
            frames.append(frame)
    if not frames:
        return None
    return pl.concat(frames, how="diagonal_relaxed")


def _key_columns(name: str) -> list[str]:
    spec = TABLES[name]
    return [*spec.key, YEAR] if spec.annual else list(spec.key)


def _conflicts(stacked: pl.DataFrame, name: str) -> pl.DataFrame:
    """Columns on which the latest return for a key differs from an earlier one."""
    key = _key_columns(name)
    if stacked.height == 0 or stacked.select(pl.struct(key).is_duplicated().any()).item() is False:
        return pl.DataFrame(schema=CONFLICT_SCHEMA)
    latest = stacked.sort(YEAR).group_by(key, maintain_order=True).last()
    earlier = stacked.join(latest.select([*key, pl.col(YEAR).alias("_latest")]), on=key).filter(
        pl.col(YEAR) < pl.col("_latest")
    )
    compare = [c for c in stacked.columns if c not in (*key, YEAR)]
    joined = earlier.join(latest, on=key, suffix="_later")
    compare = [c for c in compare if c in joined.columns and f"{c}_later" in joined.columns]

    def differs_in(col: str) -> pl.Expr:
        differs = pl.col(col).cast(pl.String).ne_missing(pl.col(f"{col}_later").cast(pl.String))
        return differs & pl.col(col).is_not_null() if name == "episodes" and col in _CLOSED_SINCE else differs

    # One pass finds the columns with any difference; only those are listed row by row.
    found = joined.select(differs_in(c).any().alias(c) for c in compare).row(0) if compare and joined.height else ()
    out = []
    for col, any_differs in zip(compare, found, strict=False):
        if not any_differs:
            continue
        before, after = pl.col(col).cast(pl.String), pl.col(f"{col}_later").cast(pl.String)
        rows = joined.filter(differs_in(col))
        if rows.height:
            out.append(
                rows.select(
                    pl.col("CHILD"),
                    pl.lit(name).alias("table"),
                    pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" ").alias("key"),
                    pl.lit(col).alias("column"),
                    label_expr(pl.col(YEAR)).alias("earlier_year"),
                    before.alias("earlier_value"),
                    label_expr(pl.col(f"{YEAR}_later")).alias("later_year"),
                    after.alias("later_value"),
                )
            )
    if not out:
        return pl.DataFrame(schema=CONFLICT_SCHEMA)
    return pl.concat(out).cast(CONFLICT_SCHEMA)  # type: ignore[arg-type]


def _latest_per_key(stacked: pl.DataFrame, name: str) -> pl.DataFrame:
    key = _key_columns(name)
    return stacked.sort(YEAR).unique(subset=key, keep="last", maintain_order=True)


def _vanished_open_episodes(stacked: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """Episodes left open at 31 March that the next year's return does not carry."""
    present = set(years)
    open_eps = stacked.filter(pl.col("DEC").is_null() & (pl.col(YEAR) + 1).is_in(list(present)))
    if open_eps.height == 0:
        return pl.DataFrame(schema=CONFLICT_SCHEMA)
    later = stacked.select("CHILD", "DECOM", pl.col(YEAR).alias("_y"))
    missing = open_eps.join(later, on=["CHILD", "DECOM"], how="left").group_by(
        ["CHILD", "DECOM", YEAR], maintain_order=True).agg(
        (pl.col("_y") > pl.col(YEAR)).any().alias("_seen")
    ).filter(~pl.col("_seen").fill_null(False))
    return missing.select(
        pl.col("CHILD"),
        pl.lit("episodes").alias("table"),
        pl.concat_str([pl.col("CHILD"), pl.col("DECOM").cast(pl.String)], separator=" ").alias("key"),
        pl.lit("(episode)").alias("column"),
        label_expr(pl.col(YEAR)).alias("earlier_year"),
        pl.lit("open at 31 March").alias("earlier_value"),
        label_expr(pl.col(YEAR) + 1).alias("later_year"),
        pl.lit("not in the return").alias("later_value"),
    ).cast(CONFLICT_SCHEMA)  # type: ignore[arg-type]


def stitch(
    returns: Mapping[CollectionYear, Return] | Iterable[Return], known_at: date | None = None
) -> History:
    """Stitch returns of several collection years into one history per child; with ``known_at``,
    only the returns that could be known by that day (``Return.known_from``)."""
    items = list(returns.values()) if isinstance(returns, Mapping) else list(returns)
    if known_at is not None:
        items = [r for r in items if r.known_from <= known_at]
    items.sort(key=lambda r: r.year)
    stacked = {name: _stack(items, name) for name in _STITCHED_AT_ONCE}
    episodes = stacked["episodes"]
    episodes = _empty_stitched("episodes") if episodes is None else _latest_per_key(episodes, "episodes")
    episodes = episodes.sort(["CHILD", "DECOM"])
    header = stacked["header"]
    header = _empty_stitched("header") if header is None else _latest_per_key(header, "header")
    return History(
        episodes=episodes,
        header=header,
        years=[r.year for r in items],
        # kept for as_known_at without their typed frames (rebuilt from raw text when needed)
        returns=tuple(replace(r, _typed={}) for r in items),
        _stacked=stacked,
    )
