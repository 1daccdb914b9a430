"""The section registry: each capability adds its part of the panel pack here.

A section is a function ``(PackData) -> Section | None`` registered with :func:`section`;
returning None leaves it out (e.g. no data). Later capabilities (compliance pledges, forecasts)
register their own sections from their own packages::

    from carewise.reports import section

    @section("pledges", "Our promises", order=70)
    def pledges(data): ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from carewise.reports.model import PackData, Section

SectionFn = Callable[[PackData], Section | None]


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    order: int
    build: SectionFn


SECTIONS: dict[str, SectionSpec] = {}


def section(id: str, title: str, order: int = 50) -> Callable[[SectionFn], SectionFn]:
    """Register a pack section; ``order`` places it (lower first)."""

    def wrap(fn: SectionFn) -> SectionFn:
        SECTIONS[id] = SectionSpec(id, title, order, fn)
        return fn

    return wrap


def ordered() -> list[SectionSpec]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.id))
