"""The pack's front page, read first and sometimes alone: the headline figures beside England, the
region and statistical neighbours; what changed and why it matters; what the panel is asked to
note or decide. Every sentence is made from the figures — nothing is typed in.

Comparators are DfE's "Children looked after in England including adoptions" (``carewise.benchmarks``:
England, the council's DfE region, the median of its DfE 2025 statistical neighbours), shown
wherever DfE publishes one. A count DfE compares only as a rate (children looked after, starts,
leavers) is set beside the others through its rate per 10,000 children.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeGuard

from carewise.measures import MeasureResult
from carewise.measures.model import format_value
from carewise.reports.model import Ask, Cell, PackData, TableBlock

ChangeText = Callable[[MeasureResult | None, MeasureResult | None], str]
"""How a figure moved on a year, in words (``reports.builtin.change_text``)."""

MATERIAL_POINTS = 2.0
"""A percentage moving by this many points in a year is a change the panel is told about."""
MATERIAL_SHARE = 5.0
"""A count, rate or average moving by this share (%) of where it was is a change worth telling."""

RATE_OF = {
    "cla_at_date": "cla_rate_per_10k",
    "started_in_period": "started_rate_per_10k",
    "ceased_in_period": "ceased_rate_per_10k",
}
"""Counts DfE compares between councils only as a rate per 10,000 children."""

NO_CHANGE_SHOWN = "Not shown"
NOT_RATED = "Not rated"
NOT_COMPARED = "Not compared"
"""A figure for part of a year is not set beside DfE's annual one (the note under the table says why)."""
"""Words, not "–", in the front table's words columns (a dash in Excel reads as a lost number)."""

ENGLAND = "England"
NEIGHBOURS = "Statistical neighbours (median)"
OWN = "Published (this council)"


def usable(r: MeasureResult | None) -> TypeGuard[MeasureResult]:
    """A figure that is shown: available, not suppressed, with a value."""
    return r is not None and r.available and not r.suppressed and r.value is not None


def comparator(r: MeasureResult, which: str) -> dict | None:
    """England, the region or the statistical neighbours' figure for ``r``, when DfE publishes one.

    ``which`` is "england", "region" or "neighbours"; the region is the comparator that is none of
    the others (it is labelled with the region's name)."""
    for c in r.comparators:
        label = c["label"]
        if c.get("value") is None:
            continue
        if which == "england" and label == ENGLAND:
            return c
        if which == "neighbours" and label == NEIGHBOURS:
            return c
        if which == "region" and label not in (ENGLAND, NEIGHBOURS, OWN):
            return c
    return None


def status(r: MeasureResult, england: float | None) -> str:
    """"better", "worse" or "" beside England (neutral measures and hidden figures are not rated)."""
    if england is None or not usable(r) or r.higher_is == "neutral":
        return ""
    assert r.value is not None
    if abs(r.value - england) < 0.05:
        return ""
    above = r.value > england
    return "better" if above == (r.higher_is == "better") else "worse"


def change(cur: MeasureResult | None, prev: MeasureResult | None) -> float | None:
    """How far a figure moved, as points (percentages) or as a share (%) of where it was."""
    if not (usable(cur) and usable(prev)):
        return None
    assert cur is not None and prev is not None and cur.value is not None and prev.value is not None
    diff = cur.value - prev.value
    if cur.kind == "proportion":
        return diff
    return diff / prev.value * 100 if prev.value else None


def material(cur: MeasureResult | None, prev: MeasureResult | None) -> bool:
    """True when the change reaches :data:`MATERIAL_POINTS` or :data:`MATERIAL_SHARE`."""
    moved = change(cur, prev)
    if moved is None or cur is None:
        return False
    return abs(moved) >= (MATERIAL_POINTS if cur.kind == "proportion" else MATERIAL_SHARE)


def direction(cur: MeasureResult, prev: MeasureResult) -> str:
    """"better", "worse" or "" for a change, by which way the measure should move."""
    assert cur.value is not None and prev.value is not None
    if cur.higher_is == "neutral" or cur.value == prev.value:
        return ""
    return "better" if (cur.value > prev.value) == (cur.higher_is == "better") else "worse"


def _compared(data: PackData, mid: str) -> MeasureResult | None:
    """The figure set beside the comparators: the measure, or its rate for a count."""
    rate = RATE_OF.get(mid)
    return data.current.get(rate) if rate else data.current.get(mid)


def headline_ids(data: PackData, ids: list[str]) -> list[str]:
    """The headline measures shown on the front page (a rate that a count row already carries is
    not shown twice)."""
    carried = {RATE_OF[m] for m in ids if m in RATE_OF}
    return [m for m in ids if m not in carried and (r := data.current.get(m)) is not None and r.available]


def headline_table(data: PackData, ids: list[str], change_text: ChangeText) -> TableBlock:
    """Each headline: this period, the change on a year, England, region, statistical neighbours
    and whether it is better or worse than England (in words, never colour alone)."""
    rows = []
    region_name = ""
    for mid in headline_ids(data, ids):
        r = data.current[mid]
        beside = _compared(data, mid) or r
        shown = r.display
        if beside is not r and usable(beside):
            shown = f"{r.display} ({beside.display} per 10,000)"
        moved = change_text(r, data.last_year.get(mid))
        cells = [Cell(r.title), Cell(shown, r.value if usable(r) else None),
                 Cell(NO_CHANGE_SHOWN if moved == "–" else moved)]
        for which in ("england", "region", "neighbours"):
            c = comparator(beside, which)
            if which == "region" and c:
                region_name = region_name or c["label"]
            cells.append(Cell(format_value(c["value"], beside.kind, beside.per), c["value"]) if c
                          else Cell("–"))
        eng = comparator(beside, "england")
        verdict = status(beside, eng["value"] if eng else None)
        unlike = bool(r.comparison_note or beside.comparison_note)  # a quarter beside DfE's year
        cells.append(Cell(NOT_COMPARED if unlike else {"better": "Better", "worse": "Worse"}.get(verdict, NOT_RATED)))
        rows.append(cells)
    release = _release(data)
    return TableBlock(
        "headlines",
        "Headlines",
        ["Measure", data.period.label, "Change on a year", ENGLAND, region_name or "Region",
         "Statistical neighbours", "Beside England"],
        rows,
        caption=(
            f"Comparators: {release}. Statistical neighbours: median of the council's ten (DfE 2025 model). "
            "Counts are compared as a rate per 10,000 children. Better or worse only where DfE "
            "publishes a figure and the better direction is clear; –: none published."
        ),
    )


def _release(data: PackData) -> str:
    """The DfE year and release the comparators come from, said once."""
    for r in data.current.values():
        eng = comparator(r, "england")
        if eng:
            return f"DfE, year to 31 March {eng['year']} ({eng['release']} release)"
    return "none published for these figures"


def _why(cur: MeasureResult, prev: MeasureResult) -> str:
    """Why a change matters, from which way the measure should move and where England is."""
    way = direction(cur, prev)
    eng = comparator(cur, "england")
    where = ""
    if eng and usable(cur):
        assert cur.value is not None
        side = "above" if cur.value > eng["value"] else "below"
        where = f" It is now {side} England ({format_value(eng['value'], cur.kind, cur.per)})."
    if way == "better":
        return f"An improvement for children: {_wanted(cur)}.{where}"
    if way == "worse":
        return f"A deterioration for children: {_wanted(cur)}.{where}"
    return f"Neither higher nor lower is better in itself.{where}"


def _wanted(r: MeasureResult) -> str:
    return "higher is better" if r.higher_is == "better" else "lower is better"


def what_changed(data: PackData, ids: list[str], change_text: ChangeText, most: int = 3) -> list[str]:
    """The headline figures that moved materially on a year, largest first, each with why it
    matters; or one sentence saying nothing did."""
    moved = []
    for mid in ids:
        cur, prev = data.current.get(mid), data.last_year.get(mid)
        if cur is None or prev is None or not material(cur, prev):
            continue
        size = abs(change(cur, prev) or 0) / (MATERIAL_POINTS if cur.kind == "proportion" else MATERIAL_SHARE)
        text = (f"{cur.title}: {format_value(prev.value, cur.kind, cur.per)} a year earlier, now "
                f"{cur.display}, {change_text(cur, prev)}. {_why(cur, prev)}")
        moved.append((size, text))
    moved.sort(key=lambda m: -m[0])
    if not moved:
        return [f"No headline figure moved by {MATERIAL_POINTS:g} points (percentages) or "
                f"{MATERIAL_SHARE:g}% (numbers) or more since a year earlier."]
    out = [text for _, text in moved[:most]]
    if len(moved) > most:
        out.append(f"{len(moved) - most} more headline figures moved by as much; the tables give them.")
    return out


def measure_asks(data: PackData, ids: list[str], change_text: ChangeText) -> list[Ask]:
    """What the headline figures ask of the panel: to decide on a figure worse than England that
    also got worse on the year; to note one that is worse than England, or got materially worse."""
    asks = []
    for mid in headline_ids(data, ids):
        cur, prev = data.current[mid], data.last_year.get(mid)
        beside = _compared(data, mid) or cur
        eng = comparator(beside, "england")
        below_england = status(beside, eng["value"] if eng else None) == "worse"
        worsened = (prev is not None and material(cur, prev) and usable(prev)
                    and direction(cur, prev) == "worse")
        if below_england and worsened:
            assert eng is not None
            asks.append(Ask("decide", f"{cur.title} ({cur.display}) is worse than England "
                            f"({format_value(eng['value'], beside.kind, beside.per)}) and got worse "
                            f"on the year ({change_text(cur, prev)}): ask for a report on why and "
                            "what will change."))
        elif below_england:
            assert eng is not None
            asks.append(Ask("note", f"{cur.title} ({cur.display}) is worse than England "
                            f"({format_value(eng['value'], beside.kind, beside.per)})."))
        elif worsened:
            asks.append(Ask("note", f"{cur.title} got worse on the year: {change_text(cur, prev)}, "
                            f"now {cur.display}."))
    return asks


def target_ask(data: PackData, mid: str, target: float, what: str) -> Ask | None:
    """A figure below the council's own target (e.g. in-house fostering) is for the panel to note."""
    r = data.current.get(mid)
    if not usable(r) or r is None or r.value is None or r.value >= target:
        return None
    return Ask("note", f"{what}: {r.display}, {target - r.value:.1f} points below the "
               f"{target:g}% target.")
