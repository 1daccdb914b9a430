"""The section registry: each capability adds its part of the panel pack here.

A section is a function ``(PackData) -> Section | None`` registered with :func:`section`;
returning None leaves it out (e.g. no data). Later capabilities (compliance pledges, forecasts)
register their own sections from their own packages::

    from carewise.reports import section

    @section("pledges", "Our promises", order=70)
    def pledges(data): ...

``audiences`` names who a section is for: the public pack leaves out what is for the panel
only (operational compliance, the action plan, forecasts of spend), so it is genuinely shorter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from carewise.disclosure import KNOWN_AUDIENCES
from carewise.reports.model import PackData, Section

PANEL_ONLY = ("internal", "panel")
"""Sections for the people running the service and its panel, not for publication."""

SectionFn = Callable[[PackData], Section | None]


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    order: int
    build: SectionFn
    audiences: tuple[str, ...] = KNOWN_AUDIENCES

    def for_audience(self, audience: str) -> bool:
        return audience in self.audiences


SECTIONS: dict[str, SectionSpec] = {}


def section(
    id: str, title: str, order: int = 50, audiences: tuple[str, ...] = KNOWN_AUDIENCES
) -> Callable[[SectionFn], SectionFn]:
    """Register a pack section; ``order`` places it (lower first); ``audiences``: whose packs
    hold it (default every audience; :data:`PANEL_ONLY` leaves it out of the public pack)."""

    def wrap(fn: SectionFn) -> SectionFn:
        SECTIONS[id] = SectionSpec(id, title, order, fn, audiences)
        return fn

    return wrap


def ordered() -> list[SectionSpec]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.id))
