"""What a scenario does to the projection, step by step (resolved from a Scenario's changes)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Redirect:
    """A share of new placements into ``source`` (entrants and moves) go to ``target`` instead."""

    source: int
    target: int
    share: np.ndarray
    """Per step, 0..1."""


@dataclass
class StepDown:
    """Children a year moved from ``source`` (e.g. residential) to ``target`` (e.g. fostering)."""

    source: int
    target: int
    per_year: np.ndarray


@dataclass
class Capacity:
    """Places available in ``category``: new placements into ``overflow`` fill them first."""

    category: int
    overflow: int
    extra: np.ndarray
    """Places added to the number in use at the start, per step."""


@dataclass
class Limit:
    """At most ``places`` children in ``category``: new placements into it beyond that go to
    ``overflow`` (in-house foster carers cannot take more children than they are approved for)."""

    category: int
    overflow: int
    places: np.ndarray
    """Per step."""


@dataclass
class Effects:
    """Everything a scenario changes, as arrays over the projection's steps."""

    steps: int
    entry_factor: np.ndarray = field(default=None)  # type: ignore[arg-type]  # set in __post_init__
    redirects: list[Redirect] = field(default_factory=list)
    step_downs: list[StepDown] = field(default_factory=list)
    capacities: list[Capacity] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.entry_factor is None:
            self.entry_factor = np.ones(self.steps)

    @classmethod
    def none(cls, steps: int) -> Effects:
        return cls(steps=steps)
