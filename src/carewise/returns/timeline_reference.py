"""The care timeline's rules written out as plain Python, one child's episodes at a time.

Slow and obvious on purpose (style guide, "two engines, compared"): no polars and no code shared
with :mod:`carewise.returns.timeline`, whose rules (module docstring there) this follows. The
generative test ``tests/generative/test_timeline_reference.py`` holds the two to the same answers
on random episodes; :mod:`carewise.measures.reference` builds its figures on this walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from carewise.codes import (
    NEW_CARERS_RNE,
    PLACED_FOR_ADOPTION,
    PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS,
    PLACEMENT_START_RNE,
    SAME_CARERS_RNE,
    SHORT_BREAKS,
    TEMPORARY_PLACEMENTS,
)


@dataclass
class CareEpisode:
    """One episode of care and what the timeline says about it."""

    row: dict[str, Any]
    after_short_break: bool = False
    period_no: int = 0
    placement_no: int = 0
    carer_no: int = 0
    temporary: bool = False
    new_placement: bool = False
    same_carers: bool = False
    end_excl: date | None = None
    period_start: date = date.min
    placement_start: date = date.min
    carer_start: date = date.min
    adoptive_placement_start: date | None = None
    placement_before_adoption_start: date | None = None

    @property
    def child(self) -> str:
        return self.row["CHILD"]

    @property
    def decom(self) -> date:
        return self.row["DECOM"]

    @property
    def dec(self) -> date | None:
        return self.row["DEC"]

    @property
    def place(self) -> str | None:
        return self.row.get("PLACE")


def care_episodes(rows: Iterable[dict[str, Any]]) -> list[CareEpisode]:
    """Every child's episodes of care, walked in date order (``YEAR`` gives an open episode's
    end: the end of its return's collection year)."""
    by_child: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("DECOM") is not None:
            by_child.setdefault(row["CHILD"], []).append(row)
    out: list[CareEpisode] = []
    for child in sorted(by_child):
        out.extend(_walk(by_child[child]))
    return out


def _is_short_break(row: dict[str, Any]) -> bool:
    return row.get("LS") in SHORT_BREAKS


def _walk(rows: list[dict[str, Any]]) -> list[CareEpisode]:
    """One child: short breaks dropped, then each episode's period, placement and carers."""
    rows = sorted(rows, key=lambda r: (r["DECOM"], _is_short_break(r)))
    care: list[CareEpisode] = []
    previous_was_break = False
    for row in rows:
        if _is_short_break(row):
            previous_was_break = True
            continue
        care.append(CareEpisode(dict(row), after_short_break=previous_was_break))
        previous_was_break = False
    period_no = placement_no = carer_no = 0
    previous: CareEpisode | None = None
    usual_place: str | None = None
    adoptive_start: date | None = None
    before_adoptive: date | None = None
    for e in care:
        rne, place = e.row.get("RNE"), e.place
        new_period = (
            previous is None
            or rne == "S"
            or previous.dec is None
            or previous.dec != e.decom
            or previous.row.get("REC") != "X1"
        )
        if new_period:
            usual_place = None
        e.temporary = place in TEMPORARY_PLACEMENTS
        back = (
            not new_period
            and previous is not None
            and previous.temporary
            and not e.temporary
            and place is not None
            and place == usual_place
        )
        counted = not e.temporary and not back and place not in PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS
        moved = counted and rne in PLACEMENT_START_RNE
        e.new_placement = new_period or moved
        new_carers = new_period or (counted and rne in NEW_CARERS_RNE)
        if new_period:
            period_no += 1
            e.period_start = e.decom
        else:
            e.period_start = previous.period_start  # type: ignore[union-attr]
        if e.new_placement:
            placement_no += 1
            e.placement_start = e.decom
            e.same_carers = not new_period and rne in SAME_CARERS_RNE
        else:
            e.placement_start = previous.placement_start  # type: ignore[union-attr]
            e.same_carers = previous.same_carers  # type: ignore[union-attr]
        if new_carers:
            carer_no += 1
            e.carer_start = e.decom
        else:
            e.carer_start = previous.carer_start  # type: ignore[union-attr]
        e.period_no, e.placement_no, e.carer_no = period_no, placement_no, carer_no
        e.end_excl = e.dec or (date(e.row["YEAR"] + 1, 4, 1) if e.row.get("YEAR") is not None else None)
        # an adoptive placement: a run of A3-A6 episodes in a period, and the placement before it
        if place in PLACED_FOR_ADOPTION:
            if new_period or previous is None or previous.place not in PLACED_FOR_ADOPTION:
                adoptive_start = e.decom
                before_adoptive = None if new_period else previous.placement_start  # type: ignore[union-attr]
            e.adoptive_placement_start = adoptive_start
            e.placement_before_adoption_start = before_adoptive
        if not e.temporary and place is not None:
            usual_place = place
        previous = e
    return care


def as_at(care: list[CareEpisode], day: date) -> list[CareEpisode]:
    """The episodes as they stood at the end of ``day``."""
    out = []
    for e in care:
        if e.decom > day:
            continue
        row = dict(e.row)
        if row["DEC"] is not None and row["DEC"] > day:
            row["DEC"] = row["REC"] = None
        next_day = day + timedelta(days=1)
        end = next_day if e.end_excl is None else min(e.end_excl, next_day)
        cut = CareEpisode(**{**e.__dict__, "row": row, "end_excl": end})
        out.append(cut)
    return out


def _runs(care: list[CareEpisode], key: Callable[[CareEpisode], tuple]) -> list[list[CareEpisode]]:
    runs: dict[tuple, list[CareEpisode]] = {}
    for e in care:
        runs.setdefault(key(e), []).append(e)
    return list(runs.values())


def periods(care: list[CareEpisode]) -> list[dict[str, Any]]:
    """One dict per period of care (the fields of ``timeline.periods``)."""
    out = []
    for run in _runs(care, lambda e: (e.child, e.period_no)):
        out.append({
            "CHILD": run[0].child, "period_no": run[0].period_no, "start": run[0].decom,
            "end": run[-1].dec, "end_excl": run[-1].end_excl, "REC": run[-1].row.get("REC"),
            "after_short_break": run[0].after_short_break,
        })
    return out


def placements(care: list[CareEpisode]) -> list[dict[str, Any]]:
    """One dict per placement (the fields of ``timeline.placements``)."""
    out = []
    for run in _runs(care, lambda e: (e.child, e.period_no, e.placement_no)):
        ends = [e.end_excl for e in run if e.end_excl is not None]
        out.append({
            "CHILD": run[0].child, "period_no": run[0].period_no,
            "placement_no": run[0].placement_no, "start": run[0].decom, "end": run[-1].dec,
            "end_excl": max(ends) if ends else None, "PLACE": run[0].place,
            "same_carers": run[0].same_carers,
        })
    return out


def spells(care: list[CareEpisode], state: Callable[[dict[str, Any]], str | None]) -> list[dict[str, Any]]:
    """Runs of contiguous episodes in one state (the rules of ``timeline.spells``)."""
    out: list[dict[str, Any]] = []
    for run in _runs(care, lambda e: (e.child,)):
        rows = sorted(run, key=lambda e: e.decom)
        kept: list[tuple[date, date | None, str | None]] = []
        for i, e in enumerate(rows):
            dec = e.dec
            nxt = rows[i + 1].decom if i + 1 < len(rows) else None
            if nxt is not None and (dec is None or dec > nxt):
                dec = nxt
            if dec is None or dec >= e.decom:
                kept.append((e.decom, dec, state(e.row)))
        child_spells: list[dict[str, Any]] = []
        last_state: str | None = None
        previous_dec: date | None = None
        for decom, dec, st in kept:
            st = st if st is not None else last_state
            last_state = st
            st = st if st is not None else "other"
            contiguous = previous_dec is not None and previous_dec == decom
            if child_spells and contiguous and child_spells[-1]["state"] == st:
                child_spells[-1]["end"] = dec
            else:
                child_spells.append({"CHILD": rows[0].child, "start": decom, "end": dec, "state": st,
                                     "entry": not contiguous, "next_state": None})
            previous_dec = dec
        for a, b in zip(child_spells, child_spells[1:], strict=False):
            if not b["entry"]:
                a["next_state"] = b["state"]
        out.extend(child_spells)
    return out
