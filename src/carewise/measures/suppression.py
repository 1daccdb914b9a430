"""Disclosure control: counts under 5 shown as ``x``, and nothing that would give one away.

Applied where results leave the engine for an audience not allowed to see individual children
(``panel``, ``public``); never inside the computation. The method is DfE's (EES data guidance:
"c" for counts under 5, with secondary suppression so a hidden figure cannot be recovered):

1. **Primary**: every count from 1 to 4 is hidden. Zero is shown, as DfE shows it.
2. **Secondary**: figures are tied by sums — a breakdown's categories add up to its total, a
   proportion's numerator plus those not in it make its denominator (the "not in it" count is
   never shown but is derivable, so it is protected too), a mean's category sums add up. If one
   hidden figure in such a sum is the only one hidden, it could be recovered by subtraction, so
   the smallest shown figure in that sum is hidden as well. Repeated until nothing changes,
   across all measures at once (the same figure in two measures is hidden in both).
3. Rates, percentages and means are hidden when a count they are made from is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Entry:
    value: float
    is_count: bool = True
    implicit: bool = False
    """Never shown (e.g. "not in the numerator") but derivable, so protected if small."""
    hidden: bool = False
    protect: bool = False


@dataclass
class Table:
    """Figures keyed by name, and the sums that tie them: (total, parts)."""

    threshold: int = 5
    entries: dict[str, Entry] = field(default_factory=dict)
    sums: list[tuple[str, list[str]]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    """(figure, count): hide the figure whenever the count is hidden (a mean's sum of days)."""

    def add(
        self, key: str, value: float | None, *, is_count: bool = True, implicit: bool = False
    ) -> None:
        if value is None:
            return
        if key in self.entries:
            return
        self.entries[key] = Entry(float(value), is_count=is_count, implicit=implicit)

    def tie(self, total: str, parts: list[str]) -> None:
        keys = [k for k in parts if k in self.entries]
        if total in self.entries and keys:
            self.sums.append((total, keys))

    def link(self, figure: str, count: str) -> None:
        if figure in self.entries and count in self.entries:
            self.links.append((figure, count))

    def sensitive(self, entry: Entry) -> bool:
        return entry.is_count and 0 < entry.value < self.threshold

    def hide(self, key: str) -> None:
        entry = self.entries[key]
        entry.hidden = True
        entry.protect = True

    def solve(self) -> set[str]:
        """Apply primary then secondary suppression; returns the keys of hidden figures."""
        for entry in self.entries.values():
            if self.sensitive(entry):
                entry.hidden = entry.protect = True
            elif entry.implicit:
                entry.hidden = True
        changed = True
        while changed:
            changed = False
            for figure, count in self.links:
                if self.entries[count].hidden and not self.entries[figure].hidden:
                    self.hide(figure)
                    changed = True
            for total, parts in self.sums:
                group = [total, *parts]
                hidden = [k for k in group if self.entries[k].hidden]
                if len(hidden) != 1 or not self.entries[hidden[0]].protect:
                    continue
                candidates = [k for k in group if not self.entries[k].hidden]
                if not candidates:
                    continue
                # the smallest shown figure; a category before the total when equal
                choice = min(candidates, key=lambda k: (self.entries[k].value, k == total))
                self.hide(choice)
                changed = True
        return {k for k, e in self.entries.items() if e.hidden and not e.implicit}

    def leaks(self) -> list[str]:
        """Sums in which a protected figure is the only one hidden (should be none)."""
        out = []
        for total, parts in self.sums:
            hidden = [k for k in (total, *parts) if self.entries[k].hidden]
            if len(hidden) == 1 and self.entries[hidden[0]].protect:
                out.append(hidden[0])
        out += [k for k, e in self.entries.items() if not e.hidden and self.sensitive(e)]
        return out
