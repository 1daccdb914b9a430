"""A measure is a declaration; the engine (``engine.py``) evaluates it for a period.

Each :class:`Measure` says who is counted (``population``: one row per child or event), which of
them are in the numerator, what they are divided by, how they break down, which DfE definition
it follows and which published figure it is compared with. The engine does the counting, the
breakdowns, the comparators and the disclosure control, the same way for every measure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from carewise.disclosure import DEFAULT as DEFAULT_POLICY
from carewise.disclosure import Policy
from carewise.history import History
from carewise.measures.period import Period

Kind = Literal["count", "proportion", "rate", "mean"]
AUDIENCES = ("internal", "panel", "public")


@dataclass
class Options:
    """Settings a council can change."""

    population_override: dict[int, int] = field(default_factory=dict)
    """Under-18 population by mid-year, replacing the shipped ONS estimate for the rate."""
    foster_in_house_target: float = 70.0
    """Target share (%) of fostered children placed with in-house carers (seed 004: 70%)."""
    disclosure: Policy = DEFAULT_POLICY
    """Disclosure control for audiences that may not see children (``carewise.disclosure``)."""


@dataclass
class Context:
    """What a measure's functions may look at."""

    history: History
    period: Period
    la_code: str | None
    options: Options

    @property
    def on(self) -> date:
        """The "at date" of snapshot measures: the last day of the period."""
        return self.period.end


@dataclass(frozen=True)
class Breakdown:
    """A way of splitting a measure; categories partition the population (they add up)."""

    name: str
    title: str
    column: str
    categories: tuple[str, ...] = ()
    """Categories always shown, in this order (others found in the data follow)."""


@dataclass(frozen=True)
class Benchmark:
    """The ``cla-by-la.csv`` column a measure is compared with (``/ denominator`` as a %)."""

    column: str
    denominator: str | None = None
    published_column: str | None = None
    """The council's own published figure (for checking), when it is the same figure."""
    own_only: bool = False
    """A count: only the council's own published figure is comparable (not England's)."""


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    section: str
    kind: Kind
    population: Callable[[Context], pl.DataFrame]
    """The units counted (for ``count``/``rate``) or the denominator units (``proportion``/``mean``)."""
    dfe: str
    """The definition followed, with its source."""
    description: str
    numerator: pl.Expr | None = None
    """For ``proportion``: which units of the population are in the numerator."""
    value_column: str | None = None
    """For ``mean``: the column averaged (e.g. days)."""
    denominator: Callable[[Context], tuple[float | None, str]] | None = None
    """For ``rate``: the denominator and a note saying where it came from."""
    per: int = 100
    unit: str = "children"
    breakdowns: tuple[Breakdown, ...] = ()
    benchmark: Benchmark | None = None
    population_id: str | None = None
    """Name of the population when two measures count the same children with different columns
    (their shared figures are then suppressed alike); default: the population function's name."""
    same_as: tuple[str, str, str] | None = None
    """(measure id, breakdown, category): this measure's numerator is that cell of another
    measure (a count, or a proportion's numerator), so disclosure control hides them alike."""
    rest_of: tuple[str, str, str] | None = None
    """(measure id, breakdown, category): this count plus that cell of another count make that
    measure's total (children away = all children missing or away - "missing only"), so
    disclosure control cannot be undone by inclusion-exclusion across the two measures."""
    notes: Callable[[Context], list[str]] | None = None
    available: Callable[[Context], str | None] | None = None
    """Returns a message when the data this measure needs is absent (nothing is computed)."""
    headline: bool = False
    at_date: bool = False
    higher_is: Literal["better", "worse", "neutral"] = "neutral"
    rule: str = ""
    """The counting rule in plain English, shown beside the figure (who is counted, what counts
    as a placement or a move), so a reader never has to guess it."""
    in_period: bool | None = None
    """Counts what happened during the period (starts, placements in it): comparable with DfE's
    annual figures only over 12 months. Default: measures that are not ``at_date``."""

    @property
    def counts_in_period(self) -> bool:
        return (not self.at_date) if self.in_period is None else self.in_period

    @property
    def mean_column(self) -> str:
        """The column a ``mean`` averages (``value_column``; a mean without one is a bad definition)."""
        if self.value_column is None:
            raise ValueError(f"measure {self.id} is a mean without a value_column")
        return self.value_column


@dataclass
class Row:
    """One category of a breakdown (or the measure's own figure)."""

    category: str
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "suppressed": self.suppressed,
        }


@dataclass
class MeasureResult:
    """A measure's figure for one period, ready for any output (JSON, web, pack)."""

    id: str
    title: str
    section: str
    kind: Kind
    unit: str
    period: Period
    la_code: str | None
    audience: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool = False
    available: bool = True
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    breakdown_titles: dict[str, str] = field(default_factory=dict)
    comparators: list[dict[str, Any]] = field(default_factory=list)
    dfe: str = ""
    description: str = ""
    notes: list[str] = field(default_factory=list)
    per: int = 100
    higher_is: str = "neutral"
    rule: str = ""
    """The measure's counting rule in plain English (``Measure.rule``)."""
    comparison_note: str = ""
    """Why no comparator is shown, in plain English (e.g. a quarter beside DfE's year)."""

    @property
    def display(self) -> str:
        """The figure as a person reads it: ``x`` when suppressed, ``–`` when not available."""
        return format_value(self.value, self.kind, self.per, self.suppressed, self.available)

    def as_dict(self) -> dict[str, Any]:
        """Stable JSON shape (docs/cli-json.md, ``carewise measures``)."""
        return {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "kind": self.kind,
            "unit": self.unit,
            "per": self.per,
            "period": self.period.as_dict(),
            "la_code": self.la_code,
            "audience": self.audience,
            "available": self.available,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "suppressed": self.suppressed,
            "display": self.display,
            "breakdowns": {
                name: {
                    "title": self.breakdown_titles.get(name, name),
                    "rows": [r.as_dict() for r in rows],
                }
                for name, rows in self.breakdowns.items()
            },
            "comparators": self.comparators,
            "dfe_definition": self.dfe,
            "description": self.description,
            "notes": self.notes,
            "rule": self.rule,
            "comparison_note": self.comparison_note,
        }


def format_value(
    value: float | None, kind: str, per: int, suppressed: bool = False, available: bool = True
) -> str:
    if not available:
        return "–"
    if suppressed:
        return "x"
    if value is None:
        return "–"
    if kind == "proportion":
        return f"{value:.1f}%"
    if kind == "rate":
        return f"{value:,.1f}"
    if kind == "mean":
        return f"{value:,.1f}"
    return f"{value:,.0f}"
