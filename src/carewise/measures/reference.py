"""A deliberately simple reference for the main measures: plain Python over episode rows.

Slow and obvious on purpose (style guide, "two engines, compared"): each DfE rule is written out
as a loop over one child's episodes, with no shared code from ``frames``; periods, placements and
carers come from the care timeline's plain-Python reference (``returns.timeline_reference``),
itself held to the polars timeline by hypothesis. The generative tests
(``tests/generative/test_measures_reference.py``) check that the polars measures agree with it
on random councils. Not for production use: it is quadratic in places and reads every row.

Rules (docs/measures.md): a child is looked after on days ``DECOM <= day < DEC``; an open
episode counts to the end of its return's collection year; short breaks (V3/V4) and episodes
with no start date are not care; a period of care is a run of episodes joined by X1 with no gap;
placements and carers are counted as DfE counts them for stability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from carewise.history import YEAR, History
from carewise.measures import codes
from carewise.measures.period import add_months
from carewise.returns import timeline_reference
from carewise.returns.years import age_at


@dataclass
class Episode:
    child: str
    decom: date
    dec: date | None
    end_excl: date
    rne: str | None
    rec: str | None
    ls: str | None
    place: str | None
    provider: str | None
    cin: str | None
    period_start: date = date.min
    placement_start: date = date.min
    adoptive_start: date | None = None
    before_adoptive_start: date | None = None
    carer_start: date = date.min
    placement_key: tuple[int, int] = (0, 0)
    after_short_break: bool = False


@dataclass
class Child:
    id: str
    dob: date | None
    episodes: list[Episode] = field(default_factory=list)


def _group(code: str | None, groups: dict[str, tuple[str, ...]], other: str) -> str:
    for name, members in groups.items():
        if code in members:
            return name
    return other


def placement_type(place: str | None, provider: str | None) -> str:
    """DfE placement group, foster care split into family and friends / in-house / agency."""
    if place in codes.FAMILY_AND_FRIENDS:
        return codes.FOSTER_TYPES[0]
    if place in codes.FOSTER:
        if provider in codes.IN_HOUSE_PROVIDER:
            return codes.FOSTER_TYPES[1]
        if provider in codes.AGENCY_PROVIDERS:
            return codes.FOSTER_TYPES[2]
        return codes.FOSTER_TYPES[3]
    return _group(place, codes.PLACEMENT_GROUPS, "Other placements")


def children_of(history: History) -> dict[str, Child]:
    """Every child with their episodes of care, walked by the timeline's plain-Python reference
    (``carewise.returns.timeline_reference``: short breaks and unreadable starts left out)."""
    dobs = {row["CHILD"]: row.get("DOB") for row in history.header.to_dicts()}
    out: dict[str, Child] = {}
    for care in timeline_reference.care_episodes(history.episodes.to_dicts()):
        row = care.row
        child = out.setdefault(care.child, Child(care.child, dobs.get(care.child)))
        child.episodes.append(
            Episode(
                care.child,
                care.decom,
                care.dec,
                care.end_excl or date(row[YEAR] + 1, 4, 1),
                row["RNE"],
                row["REC"],
                row["LS"],
                row["PLACE"],
                row["PLACE_PROVIDER"],
                row["CIN"],
                period_start=care.period_start,
                placement_start=care.placement_start,
                adoptive_start=care.adoptive_placement_start,
                before_adoptive_start=care.placement_before_adoption_start,
                carer_start=care.carer_start,
                placement_key=(care.placement_no, 0),
                after_short_break=care.after_short_break,
            )
        )
    return out


def open_on(child: Child, day: date) -> Episode | None:
    """The episode a child is looked after under on a day (the latest to start), or None."""
    found = None
    for e in child.episodes:
        if e.decom <= day < e.end_excl:
            found = e
    return found


@dataclass
class Figures:
    """The reference's figures for one period."""

    cla: int = 0
    cla_by_group: dict[str, int] = field(default_factory=dict)
    cla_by_type: dict[str, int] = field(default_factory=dict)
    starts: int = 0
    starts_by_need: dict[str, int] = field(default_factory=dict)
    ceased: int = 0
    ceased_by_reason: dict[str, int] = field(default_factory=dict)
    three_plus: int = 0
    long_term: tuple[int, int] = (0, 0)
    a1: list[int] = field(default_factory=list)
    a10: list[int] = field(default_factory=list)
    a2: list[int] = field(default_factory=list)


def _ceased(episode: Episode) -> date:
    """The day an episode ceased, for episodes already chosen for having ceased."""
    assert episode.dec is not None
    return episode.dec


def _count(table: dict[str, int], key: str) -> None:
    table[key] = table.get(key, 0) + 1


def figures(history: History, start: date, end: date) -> Figures:
    """CLA at ``end`` by placement, starts by need, ceased by reason, stability and A1/A2/A10."""
    out = Figures()
    kids = children_of(history)
    matches = {}
    for row in history.table("ad1").to_dicts():
        matches[row["CHILD"]] = row["DATE_MATCH"]
    two_years, two_and_a_half = add_months(end, -24), add_months(end, -30)
    for child in kids.values():
        now = open_on(child, end)
        if now is not None:
            out.cla += 1
            _count(out.cla_by_group, _group(now.place, codes.PLACEMENT_GROUPS, "Other placements"))
            _count(out.cla_by_type, placement_type(now.place, now.provider))
            lived_in: dict[tuple[int, int], list[date]] = {}
            for e in child.episodes:
                span = lived_in.setdefault(e.placement_key, [e.decom, e.end_excl])
                span[1] = max(span[1], e.end_excl)
            if sum(1 for f, t in lived_in.values() if f <= end and t > start) >= 3:
                out.three_plus += 1
            age = age_at(child.dob, end) if child.dob else None
            if age is not None and age < 16 and now.period_start <= two_and_a_half:
                adoptive = now.place in codes.ADOPTION_PLACEMENTS and any(
                    d is not None and d <= two_years
                    for d in (now.adoptive_start, now.before_adoptive_start)
                )
                stable = now.carer_start <= two_years or adoptive
                num, den = out.long_term
                out.long_term = (num + stable, den + 1)
        # a start: RNE S, or the first episode of care after short breaks (however it began)
        first_start = next(
            (
                e
                for e in child.episodes
                if (e.rne == "S" or (e.after_short_break and e.decom == e.period_start))
                and start <= e.decom <= end
            ),
            None,
        )
        if first_start is not None:
            out.starts += 1
            _count(
                out.starts_by_need, _group(first_start.cin, codes.NEED_GROUPS, "Need not recorded")
            )
        ceasings = [
            e
            for e in child.episodes
            if e.dec is not None and start <= e.dec <= end and e.rec not in (None, "X1")
        ]
        if ceasings:
            last = max(ceasings, key=_ceased)
            out.ceased += 1
            _count(out.ceased_by_reason, _group(last.rec, codes.CEASED_GROUPS, "Other reason"))
        adoptions = [e for e in ceasings if e.rec in codes.ADOPTED]
        if adoptions:
            _adoption(out, child, max(adoptions, key=_ceased), matches.get(child.id))
    return out


def _adoption(out: Figures, child: Child, adopted: Episode, matched: date | None) -> None:
    """A1, A10 and A2 days for one child adopted (DfE adoption scorecard)."""
    period = [e for e in child.episodes if e.period_start == adopted.period_start]
    placed = next((e for e in period if e.place in codes.ADOPTION_PLACEMENTS), None)
    if placed is None:
        return
    out.a1.append((placed.decom - adopted.period_start).days)
    out.a10.append((placed.carer_start - adopted.period_start).days)
    orders = [e.decom for e in period if e.ls in codes.PLACEMENT_ORDER_LS]
    if orders and matched is not None:
        out.a2.append(max((matched - min(orders)).days, 0))
