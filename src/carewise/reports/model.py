"""What a pack is made of: sections holding blocks that every format renders the same way.

A block carries each figure once, as the text a reader sees (``x`` when suppressed) and as a
number (for Excel); HTML, PDF and Excel are drawn from the same blocks, so one measure gives the
same figure in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

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
    detail: bool = False
    """A breakdown behind a section's chart: in the panel pack's appendix, left out of the
    public pack (which keeps the headline figures, not every breakdown)."""

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
    """What is counted, in a sentence: the short definition printed beside the chart."""
    alt: str = ""
    """The chart's message in words (alt text for screen readers and the PDF's tags); when
    empty, :func:`chart_alt` says it from the chart's table."""


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
class Ask:
    """Something the figures ask the panel to note or decide (found in the data, never typed in):
    a measure worse than England, a pledge not kept, an action overdue, a forecast pressure."""

    kind: Literal["note", "decide"]
    text: str


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    headlines: list[Headline] = field(default_factory=list)
    blocks: list[TableBlock | ChartBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    notes_title: str = "Notes"
    asks: list[Ask] = field(default_factory=list)
    """What this section asks the panel to note or decide: gathered on the pack's front page."""
    reference: bool = False
    """Reference matter (sources, the full definitions): printed last, after the appendix."""
    appendix_only: bool = False
    """Tables only, with nothing to chart (e.g. every comparator side by side): shown in the
    appendix, not as a page of the body."""


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


def chart_alt(chart: ChartBlock) -> str:
    """A chart's alt text: its own message when it has one, else the highest and lowest figures
    of its table, so no chart reaches a screen reader as a bare picture."""
    if chart.alt:
        return chart.alt
    t = chart.table
    figures = [(row[0].text, row[1]) for row in t.rows if len(row) > 1 and row[1].number is not None]
    if not figures:
        return f"{chart.title}: the figures are hidden or not available; the table gives the detail."
    high = max(figures, key=lambda f: f[1].number or 0)
    low = min(figures, key=lambda f: f[1].number or 0)
    what = t.columns[1].lower() if len(t.columns) > 1 else "figure"
    if high is low:
        return f"{chart.title}: {high[0]} {high[1].text} ({what})."
    return (f"{chart.title} ({what}): highest {high[0]}, {high[1].text}; lowest {low[0]}, "
            f"{low[1].text}. The table with the same figures follows.")


def small_numbers(audience: str) -> str:
    """What ``x`` stands for in this audience's pack, from the disclosure policy in force
    (``carewise.disclosure``: its threshold, never a number typed here); "" when the audience
    sees every figure."""
    from carewise.disclosure import current

    policy = current()
    if not policy.protects(audience):
        return ""
    return (f"x stands for a small number ({policy.small_range}), or for a figure from which a small number "
            "could be worked out.")


SYNTHETIC_NOTICE = "Synthetic data — not a real council"
"""The words every page of a synthetic council's pack, download and web page carries."""
