"""The disclosure edge: every figure that leaves carewise for an audience that may not see
children (``panel``, ``public``) passes through here.

The policy (``docs/disclosure.md``) follows DfE's confidentiality policy for its children looked
after statistics and ONS's guidance on disclosure control of tables:

1. **Primary**: a count from 1 to ``threshold - 1`` (default 1 to 4) is shown as ``x``. Zero is
   shown, as DfE shows it, unless rule 3 hides it.
2. **Secondary**: figures are tied by sums (a breakdown's categories add up to its total; a
   proportion's numerator plus those not in it make its denominator; filtered views add up to
   the unfiltered table; a year's quarters add up to the year, less children counted in two
   quarters). Figures are hidden until no hidden count can be worked out from what is shown:
   first by DfE's rule of thumb (a sum with one hidden figure gets its smallest shown figure
   hidden too), then by an exact check that solves the published sums as linear equations
   (:meth:`Table.recoverable`), as an attacker would.
3. **Small groups**: in a breakdown of a group of 1 to ``threshold - 1`` children, zeros are
   hidden too: "0 female" in a group of 3 says all 3 are male (ONS: group attribute disclosure).
4. Rates, percentages and means are hidden when a count they are made from is hidden; counts
   shown may be rounded to a base (``rounding``; 1 = unrounded, as DfE shows council figures).
5. Only **published periods** (collection years and quarters) and predefined tables.

``x`` therefore means "not shown to protect confidentiality": a count from 1 to 4, or a figure
hidden so that one cannot be worked out. It is never a zero that could be read as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from carewise.errors import UserFacingError

if TYPE_CHECKING:
    from carewise.measures.period import Period
    from carewise.settings import Settings

SUPPRESSED = "x"
"""What a reader sees in place of a hidden figure (DfE's tables use ``c``; carewise's glossary ``x``)."""
KNOWN_AUDIENCES = ("internal", "panel", "public")
PUBLISHED_KINDS = ("year", "quarter")


class UnpublishedPeriodError(UserFacingError):
    """A period an audience that may not see children is not given figures for."""

    exit_code = 2


class UnpublishedTableError(UserFacingError):
    """A table (e.g. a view filtered two ways) outside the predefined ones for that audience."""

    exit_code = 2


@dataclass(frozen=True)
class Policy:
    """The council's disclosure policy (from :class:`carewise.settings.Settings`)."""

    threshold: int = 5
    """Counts from 1 to ``threshold - 1`` are hidden."""
    rounding: int = 1
    """Counts shown are rounded to the nearest multiple of this (1: unrounded)."""
    audiences: tuple[str, ...] = ("panel", "public")
    """Audiences that may not see children: their figures are controlled."""

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise BadPolicyError(f"the disclosure threshold must be 1 or more, not {self.threshold}")
        if self.rounding < 1:
            raise BadPolicyError(f"disclosure rounding must be 1 or more, not {self.rounding}")
        unknown = [a for a in self.audiences if a not in KNOWN_AUDIENCES]
        if unknown:
            raise BadPolicyError(f"unknown audience(s) {', '.join(unknown)} in the disclosure setting: "
                                 f"use {', '.join(KNOWN_AUDIENCES)}")

    @property
    def small_range(self) -> str:
        """The small counts this policy hides, in words for a reader: "1 to 4" (threshold 5)."""
        return "1" if self.threshold <= 2 else f"1 to {self.threshold - 1}"

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        audiences = tuple(a.strip() for a in settings.disclosure_audiences.split(",") if a.strip())
        return cls(settings.disclosure_threshold, settings.disclosure_rounding, audiences)

    def protects(self, audience: str) -> bool:
        """Whether this audience's figures are controlled (it may not see children)."""
        return audience in self.audiences

    def small(self, value: float | None) -> bool:
        """A count (rounded to whole children) from 1 to threshold - 1."""
        return value is not None and 0 < abs(round(value)) < self.threshold

    def rounded(self, value: float) -> float:
        return float(round(value / self.rounding) * self.rounding) if self.rounding > 1 else value

    def count(self, value: float | None, audience: str) -> str:
        """One count as the audience reads it (``x`` when small, ``–`` when there is none)."""
        if value is None:
            return "–"
        if self.protects(audience) and self.small(value):
            return SUPPRESSED
        shown = self.rounded(round(value)) if self.protects(audience) else round(value)
        return f"{shown:,.0f}" if shown >= 0 else f"−{abs(shown):,.0f}"

    def hides_share(self, denominator: float | None, audience: str, numerator: float | None = None) -> bool:
        """A percentage of a group is hidden when the group, or the count in it, is small."""
        if not self.protects(audience):
            return False
        if denominator is not None and round(denominator) < self.threshold:
            return True
        rest = None if numerator is None or denominator is None else denominator - numerator
        return self.small(numerator) or self.small(rest)

    def column(self, values: Sequence[float], total: float | None, audience: str) -> list[str]:
        """A breakdown's counts as shown (its total shown beside it): small counts and whatever
        would give them away by subtraction from the total are ``x``."""
        if not self.protects(audience):
            return [_plain(v) for v in values]
        table = Table(threshold=self.threshold)
        keys = [f"c{i}" for i in range(len(values))]
        for key, v in zip(keys, values, strict=True):
            table.add(key, v)
        if total is not None:
            table.add("total", total)
            table.tie("total", keys)
        hidden = table.solve()
        return [SUPPRESSED if k in hidden else _plain(self.rounded(v)) for k, v in zip(keys, values, strict=True)]

    def linked(self, values: Sequence[float], audience: str) -> list[str]:
        """Figures that add up to each other (before, after, gain): if any is small, every one
        that is not 0 is ``x``, so none can be worked out from the others."""
        if self.protects(audience) and any(self.small(v) for v in values):
            return ["0" if round(v) == 0 else SUPPRESSED for v in values]
        return [_plain(self.rounded(v) if self.protects(audience) else v) for v in values]

    def published(self, period: Period, audience: str) -> Period:
        """The period, when this audience is given figures for it; otherwise a clear refusal.

        Audiences that may not see children get collection years and quarters only: comparing
        figures for two adjacent days (or two overlapping windows) would show which groups the
        children who came or left in between belong to.
        """
        if not self.protects(audience) or period.kind in PUBLISHED_KINDS:
            return period
        from carewise.measures.period import quarter_containing, year
        from carewise.returns.years import CollectionYear

        cy = CollectionYear.containing(period.end)
        quarter_end = period.end.month % 3 == 0 and (period.end + timedelta(days=1)).day == 1
        if period.kind == "snapshot" and quarter_end:
            # the figures at a quarter's end are the quarter's own
            return quarter_containing(period.end)
        if period.kind == "rolling" and period.end == cy.end and period.start == cy.start:
            return year(cy)
        raise UnpublishedPeriodError(
            f"figures for {audience} audiences are published for collection years (2024-25) and "
            f"quarters (2025-Q1) only, not for {period.label}: choose a year or a quarter"
        )


class BadPolicyError(UserFacingError):
    exit_code = 2


def _plain(value: float) -> str:
    return str(int(round(value)))


DEFAULT = Policy()


def current() -> Policy:
    """The policy in the council's settings, for outputs that are not handed one."""
    from carewise.settings import get_settings

    return Policy.from_settings(get_settings())


# -- the solver -------------------------------------------------------------------------------


@dataclass
class Entry:
    value: float
    is_count: bool = True
    implicit: bool = False
    """Never shown (e.g. "not in the numerator") but derivable, so protected if small."""
    derived: bool = False
    """An implicit sum of other figures: unknown to a reader even when it is zero (a reader may
    guess that any other implicit zero, such as "children counted twice", is zero)."""
    hidden: bool = False
    protect: bool = False
    """Hidden by a rule (primary or secondary): a sum in which it is alone hidden is fixed."""
    primary: bool = False
    """Must never be recoverable: a small count, or a zero of a small group."""


@dataclass
class Table:
    """Figures keyed by name, and the sums that tie them: (total, parts)."""

    threshold: int = 5
    entries: dict[str, Entry] = field(default_factory=dict)
    sums: list[tuple[str, list[str]]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    """(figure, count): hide the figure whenever the count is hidden (a mean's sum of days)."""
    _tries: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, key: str, value: float | None, *, is_count: bool = True, implicit: bool = False,
            derived: bool = False) -> None:
        if value is None or key in self.entries:
            return
        self.entries[key] = Entry(float(value), is_count=is_count, implicit=implicit or derived, derived=derived)

    def tie(self, total: str, parts: Iterable[str]) -> None:
        keys = [k for k in parts if k in self.entries]
        if total in self.entries and keys:
            self.sums.append((total, keys))

    def link(self, figure: str, count: str) -> None:
        if figure in self.entries and count in self.entries:
            self.links.append((figure, count))

    def sensitive(self, entry: Entry) -> bool:
        return entry.is_count and 0 < round(entry.value) < self.threshold

    def hide(self, key: str) -> None:
        entry = self.entries[key]
        entry.hidden = True
        entry.protect = True

    def solve(self) -> set[str]:
        """Apply primary, small-group and secondary suppression; returns the hidden keys."""
        for entry in self.entries.values():
            if self.sensitive(entry):
                entry.hidden = entry.protect = entry.primary = True
            elif entry.implicit and (entry.value != 0 or entry.derived):
                entry.hidden = True  # unknown to a reader; an implicit zero could be guessed
        self._hide_zeros_of_small_groups()
        while self._rule_of_thumb() | self._fix_recoverable():
            pass
        return {k for k, e in self.entries.items() if e.hidden and not e.implicit}

    def _hide_zeros_of_small_groups(self) -> None:
        for total, parts in self.sums:
            # (a total that is also one of its parts makes the rest structural zeros)
            if self.sensitive(self.entries[total]) and total not in parts:
                for k in parts:
                    e = self.entries[k]
                    if e.is_count and e.value == 0 and not e.implicit:
                        e.hidden = e.protect = e.primary = True

    def _candidates(self, group: Iterable[str]) -> list[str]:
        return [k for k in group if not self.entries[k].hidden and not self.entries[k].implicit]

    def _choose(self, candidates: list[str], total: str) -> str:
        # the smallest shown figure that is not zero (a hidden zero protects little); a
        # category before the total when equal
        return min(candidates, key=lambda k: (self.entries[k].value == 0, self.entries[k].value, k == total))

    def _choose_among(self, sums: Iterable[int], totals: set[str]) -> str | None:
        """The figure to hide among the sums this near a given-away figure: the smallest shown one
        that is not zero, a figure that is no sum's total before a total (DfE and ONS hide
        breakdown cells, not a group's total, when a cell can protect the small count)."""
        candidates = {k for n in sums for k in self._candidates([self.sums[n][0], *self.sums[n][1]])}
        if not candidates:
            return None
        return min(candidates, key=lambda k: (self.entries[k].value == 0, k in totals, self.entries[k].value, k))

    def _rule_of_thumb(self) -> bool:
        changed = False
        again = True
        while again:
            again = False
            for figure, count in self.links:
                if self.entries[count].hidden and not self.entries[figure].hidden:
                    self.hide(figure)
                    again = changed = True
            for total, parts in self.sums:
                group = [total, *parts]
                hidden = [k for k in group if self.entries[k].hidden]
                if len(hidden) != 1 or not self.entries[hidden[0]].protect:
                    continue
                candidates = self._candidates(group)
                if candidates:
                    self.hide(self._choose(candidates, total))
                    again = changed = True
        return changed

    def _fix_recoverable(self) -> bool:
        """Hide one more figure near each protected figure the sums still give away: in the
        nearest sum (through hidden figures, up to three sums away) that still shows one that
        is no sum's total; a total (the smallest one found) only when none is. Taking the first
        sum that showed anything hid a year's total whenever its tie to its quarters came
        first (the year's figure is that tie's only shown one, beside the children counted in
        two quarters). A
        figure still recoverable after three tries is fixed by the structure alone (e.g. a zero
        every table implies) and left; :meth:`leaks` reports it."""
        recoverable = [k for k in self.recoverable() if self._tries.get(k, 0) < 3]
        if not recoverable:
            return False
        touching: dict[str, list[int]] = {}
        for n, (total, parts) in enumerate(self.sums):
            for k in (total, *parts):
                touching.setdefault(k, []).append(n)
        totals = {total for total, _ in self.sums}
        changed = False
        for key in recoverable:
            self._tries[key] = self._tries.get(key, 0) + 1
            seen_keys, seen_sums, frontier = {key}, set(), [key]
            fallback: str | None = None
            for _depth in range(3):
                sums = sorted({n for k in frontier for n in touching.get(k, ()) if n not in seen_sums})
                seen_sums.update(sums)
                chosen = self._choose_among(sums, totals)
                if chosen is not None and chosen not in totals:
                    break
                if chosen is not None and (fallback is None
                                           or self.entries[chosen].value < self.entries[fallback].value):
                    fallback = chosen
                frontier = [k for n in sums for k in (self.sums[n][0], *self.sums[n][1])
                            if k not in seen_keys and self.entries[k].hidden]
                seen_keys.update(frontier)
            else:
                chosen = fallback
            if chosen is not None:
                self.hide(chosen)
                changed = True
        return changed

    def recoverable(self) -> list[str]:
        """Protected figures a reader could work out exactly from the figures shown and the sums
        (solving the sums as linear equations in the hidden figures)."""
        hidden = [k for k, e in self.entries.items() if e.hidden]
        index = {k: i for i, k in enumerate(hidden)}
        rows: list[dict[int, float]] = []
        for total, parts in self.sums:
            row: dict[int, float] = {}
            for k, coef in ((total, 1.0), *((p, -1.0) for p in parts)):
                if k in index:
                    row[index[k]] = row.get(index[k], 0.0) + coef
            row = {i: c for i, c in row.items() if c}
            if row:
                rows.append(row)
        return [hidden[i] for i in sorted(_determined(rows)) if self.entries[hidden[i]].primary]

    def leaks(self) -> list[str]:
        """Protected figures that can be worked out, and small counts shown (should be none)."""
        out = self.recoverable()
        out += [k for k, e in self.entries.items() if not e.hidden and self.sensitive(e)]
        return out


_PRIME = 2_147_483_647


def _determined(rows: list[dict[int, float]]) -> set[int]:
    """Unknowns fixed by the equations ``rows`` (sparse, integer coefficients) = known values.

    First a sum with one unknown left fixes it, and it becomes known in every other sum (cheap,
    and most of the work in tables like these); what is left goes to Gauss-Jordan elimination
    modulo a large prime: ``x_i`` is fixed exactly when the unit vector ``e_i`` is in the row
    space, i.e. when the reduced row with pivot ``i`` has no other entry. (Ranks modulo a prime
    of 2^31 equal the rational ranks for tables like these.)
    """
    left = [{c: int(v) % _PRIME for c, v in raw.items() if int(v) % _PRIME} for raw in rows]
    where: dict[int, set[int]] = {}
    for n, row in enumerate(left):
        for c in row:
            where.setdefault(c, set()).add(n)
    fixed: set[int] = set()
    single = [n for n, row in enumerate(left) if len(row) == 1]
    while single:
        row = left[single.pop()]
        if len(row) != 1:
            continue
        (c,) = row
        fixed.add(c)
        for n in where.pop(c, ()):
            left[n].pop(c, None)
            if len(left[n]) == 1:
                single.append(n)
    core = [row for row in left if len(row) > 1]
    return fixed | _eliminate(core, {c: len(ns) for c, ns in where.items()})


def _eliminate(rows: list[dict[int, int]], weight: dict[int, int]) -> set[int]:
    """Gauss-Jordan elimination of sparse rows mod the prime (pivot: the least used column)."""
    pivots: dict[int, dict[int, int]] = {}
    holding: dict[int, set[int]] = {}
    """column -> pivots whose reduced row has an entry in it"""
    for raw in rows:
        row = dict(raw)
        while True:
            col = next((c for c in row if c in pivots), None)
            if col is None:
                break
            _subtract(row, pivots[col], row[col])
        if not row:
            continue
        pivot = min(row, key=lambda c: (weight.get(c, 0), c))
        inverse = pow(row[pivot], _PRIME - 2, _PRIME)
        row = {c: v * inverse % _PRIME for c, v in row.items()}
        for other in list(holding.get(pivot, ())):
            target = pivots[other]
            before = set(target)
            _subtract(target, row, target[pivot])
            for c in before - set(target):
                holding[c].discard(other)
            for c in set(target) - before:
                holding.setdefault(c, set()).add(other)
        pivots[pivot] = row
        for c in row:
            holding.setdefault(c, set()).add(pivot)
    return {c for c, row in pivots.items() if len(row) == 1}


def _subtract(row: dict[int, int], other: dict[int, int], factor: int) -> None:
    """row -= factor * other (mod the prime), dropping zeros."""
    for c, v in other.items():
        value = (row.get(c, 0) - factor * v) % _PRIME
        if value:
            row[c] = value
        else:
            row.pop(c, None)
