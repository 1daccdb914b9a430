"""What a pack is made of: sections holding blocks that every format renders the same way.

A block carries each figure once, as the text a reader sees (``x`` when suppressed) and as a
number (for Excel); HTML, PDF and Excel are drawn from the same blocks, so one measure gives the
same figure in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from carewise.measures import MeasureResult, Period


@dataclass
class Cell:
    text: str
    number: float | None = None
    """The figure as a number for spreadsheets; None for labels and suppressed figures."""


@dataclass
class TableBlock:
    id: str
    """Short name, also the Excel sheet name (31 characters at most)."""
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""

    def numeric(self, column: int) -> bool:
        """True when the column holds figures (aligned right), not words."""
        return (
            column > 0
            and any(
                row[column].number is not None or row[column].text in ("x", "–")
                for row in self.rows
                if column < len(row)
            )
            and not any(
                row[column].number is None and row[column].text not in ("x", "–")
                for row in self.rows
                if column < len(row)
            )
        )


@dataclass
class ChartBlock:
    title: str
    svg: str
    table: TableBlock
    """The same figures as a table: every chart has a table alternative."""
    description: str = ""


@dataclass
class Headline:
    measure_id: str
    title: str
    value: str
    unit: str
    change_quarter: str
    change_year: str
    comparison: str = ""
    status: str = ""
    """"better", "worse" or "" (for colour and words, never colour alone)."""


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    headlines: list[Headline] = field(default_factory=list)
    blocks: list[TableBlock | ChartBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    notes_title: str = "Notes"


@dataclass
class PackData:
    """Everything sections may use: figures for this period, the previous quarter and year."""

    la_code: str | None
    council_name: str
    period: Period
    audience: str
    current: dict[str, MeasureResult]
    last_quarter: dict[str, MeasureResult]
    last_year: dict[str, MeasureResult]
    trend: list[tuple[date, dict[str, MeasureResult]]]
    """Quarter ends up to the period's end (oldest first) with the at-date measures."""
    generated: date
    extra: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    """True for a synthetic council: every page of every format says so, so a demo pack is
    never mistaken for a real council's beside real England and regional figures."""

    @property
    def title(self) -> str:
        """The pack's title, naming synthetic data so it travels with every copy."""
        name = f"{self.council_name} (synthetic data)" if self.synthetic else self.council_name
        return f"{name}: children looked after, {self.period.label}"


SYNTHETIC_NOTICE = "Synthetic data — not a real council"
"""The words every page of a synthetic council's pack, download and web page carries."""
