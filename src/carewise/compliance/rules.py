"""The statutory timescales as versioned data (``timescales.toml``), turned into polars expressions.

The rules are data so that a change in the regulations is a new dated version, not a code
branch. The code only knows how to read a duration ("6w", "20wd") and the few named conditions a
step may depend on; each condition is one small function below saying why it exists.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from carewise.codes import LONG_TERM_FOSTERING
from carewise.compliance.calendar import add_school_days, add_working_days
from carewise.errors import SettingError
from carewise.returns.years import birthday_expr

RULES_FILE = Path(__file__).with_name("timescales.toml")

_DURATION = re.compile(r"^(\d+)(wd|sd|d|w|mo|y|h)$")

LONG_TERM_PLACEMENTS = LONG_TERM_FOSTERING
"""903 PLACE codes for long-term fostering: the only record of a placement intended to last to 18."""


@dataclass(frozen=True)
class Duration:
    n: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Duration:
        m = _DURATION.match(text.strip())
        if not m:
            raise SettingError(
                f"timescale '{text}' is not a duration: write e.g. 7d, 6w, 3mo, 1y, 20wd, 20sd or 72h"
            )
        return cls(int(m.group(1)), m.group(2))

    def after(self, expr: pl.Expr, terms: list[dict] | None = None) -> pl.Expr:
        """The date this long after ``expr`` (a Date expression); school days ("sd") count
        working days inside the school ``terms``."""
        n = self.n
        if self.unit == "wd":
            return expr.map_batches(lambda s: add_working_days(s, n), return_dtype=pl.Date)
        if self.unit == "sd":
            if not terms:
                raise SettingError("timescales: a duration in school days (sd) needs the version's school_terms")
            return expr.map_batches(lambda s: add_school_days(s, n, terms), return_dtype=pl.Date)
        if self.unit == "h":
            return expr.dt.offset_by(f"{-(-self.n // 24)}d")
        return expr.dt.offset_by(f"{self.n}{self.unit}")

    def __str__(self) -> str:
        return f"{self.n}{self.unit}"


# -- conditions -----------------------------------------------------------------------------------
# Columns available: anchor (the previous event or the clock start), start (clock start), DOB,
# PLACE (placement at the clock start), n (0 for the clock start, 1 for the first event …), and
# the clock's own columns (visits: long_term_from; adoption: first_review).


def first_year_of_placement() -> pl.Expr:
    """Reg 28(2)(b): six-weekly visits apply for the first year of any placement."""
    return pl.col("anchor") < pl.col("start").dt.offset_by("1y")


def long_term_placement() -> pl.Expr:
    """Reg 28(2)(c)(i): three-monthly visits only where the placement is intended to last to 18:
    from ``long_term_from``, the day it became long-term fostering (U1/U4), which may be after the
    placement began when the same carers become long-term carers (RNE T/U)."""
    return (pl.col("long_term_from").is_not_null() & (pl.col("anchor") >= pl.col("long_term_from"))).fill_null(False)


def before_first_review() -> pl.Expr:
    """AAR 2005 reg 36(4)(a): weekly visits to a child placed for adoption until the first review
    (while none has been held they go on); after it, the agency sets the frequency at each review,
    which no extract records, so nothing more is due."""
    return pl.col("first_review").is_null() | (pl.col("anchor") < pl.col("first_review"))


def placed_with_parents() -> pl.Expr:
    """Reg 28(5): a child on a care order living with parents is visited at least six-weekly."""
    return (pl.col("PLACE") == "P1").fill_null(False)


def under_5() -> pl.Expr:
    """Health guidance: review health assessments six-monthly before the fifth birthday."""
    return pl.col("anchor") < birthday_expr(pl.col("DOB"), 5)


CONDITIONS: dict[str, Callable[[], pl.Expr]] = {
    "first_year_of_placement": first_year_of_placement,
    "long_term_placement": long_term_placement,
    "placed_with_parents": placed_with_parents,
    "under_5": under_5,
    "before_first_review": before_first_review,
}


@dataclass(frozen=True)
class Step:
    every: Duration
    when: str | None = None


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    source: str
    clock: str
    event: str
    first: Duration | None
    second: Duration | None
    then: tuple[Step, ...]
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def due(self) -> pl.Expr:
        """The due date of the next event after ``anchor`` (null when nothing more is due)."""
        anchor, terms = pl.col("anchor"), self.extra.get("terms")
        chain: pl.Expr = pl.lit(None, dtype=pl.Date)
        for step in reversed(self.then):
            value = step.every.after(anchor, terms)
            chain = value if step.when is None else pl.when(CONDITIONS[step.when]()).then(value).otherwise(chain)
        if self.second is not None:
            chain = pl.when(pl.col("n") == 1).then(self.second.after(anchor, terms)).otherwise(chain)
        if self.first is not None:
            chain = pl.when(pl.col("n") == 0).then(self.first.after(anchor, terms)).otherwise(chain)
        return chain


@dataclass(frozen=True)
class Version:
    effective_from: date
    label: str
    due_soon_days: int
    requirements: dict[str, Requirement]


def _requirement(rid: str, raw: dict, school_terms: list[dict] | None = None) -> Requirement:
    try:
        steps = []
        for step in raw.get("then", []):
            if step.get("when") is not None and step["when"] not in CONDITIONS:
                raise SettingError(f"timescales: requirement {rid} names an unknown condition "
                                   f"'{step['when']}'; use one of {', '.join(CONDITIONS)}")
            steps.append(Step(Duration.parse(step["every"]), step.get("when")))
        known = {"title", "source", "clock", "event", "first", "second", "then"}
        return Requirement(
            id=rid, title=raw["title"], source=raw.get("source", ""), clock=raw["clock"],
            event=raw["event"],
            first=Duration.parse(raw["first"]) if raw.get("first") else None,
            second=Duration.parse(raw["second"]) if raw.get("second") else None,
            then=tuple(steps),
            extra={"terms": school_terms or [], **{k: v for k, v in raw.items() if k not in known}},
        )
    except KeyError as exc:
        raise SettingError(f"timescales: requirement {rid} has no '{exc.args[0]}'") from None


def load_versions(path: Path = RULES_FILE) -> list[Version]:
    """Every version of the rules, oldest first."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for raw in data.get("version", []):
        reqs = {rid: _requirement(rid, r, raw.get("school_terms"))
                for rid, r in raw.get("requirements", {}).items()}
        out.append(Version(raw["effective_from"], raw.get("label", ""), int(raw.get("due_soon_days", 14)),
                           reqs))
    if not out:
        raise SettingError(f"{path} holds no [[version]] of the timescales")
    return sorted(out, key=lambda v: v.effective_from)


@lru_cache(maxsize=1)
def versions() -> tuple[Version, ...]:
    return tuple(load_versions())


def in_force(on: date, all_versions: tuple[Version, ...] | None = None) -> Version:
    """The version in force on a date (the earliest one for dates before every version)."""
    vs = all_versions or versions()
    chosen = vs[0]
    for v in vs:
        if v.effective_from <= on:
            chosen = v
    return chosen


def due_expr(requirement_id: str, all_versions: tuple[Version, ...] | None = None) -> pl.Expr:
    """Due date of the next event after ``anchor`` under the version in force on the anchor date."""
    vs = [v for v in (all_versions or versions()) if requirement_id in v.requirements]
    out: pl.Expr | None = None
    for v in vs:
        expr = v.requirements[requirement_id].due()
        out = expr if out is None else pl.when(pl.col("anchor") >= pl.lit(v.effective_from)).then(expr).otherwise(out)
    if out is None:
        raise SettingError(f"no timescale is defined for '{requirement_id}'")
    return out
