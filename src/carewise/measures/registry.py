"""Every declared measure, by id, in the order outputs show them."""

from __future__ import annotations

from carewise.measures.model import Measure

MEASURES: dict[str, Measure] = {}


def declare(*measures: Measure) -> None:
    for m in measures:
        if m.id in MEASURES:
            raise ValueError(f"measure {m.id} declared twice")
        MEASURES[m.id] = m


def _load() -> None:
    import importlib

    for section in ("population", "stability", "permanence", "health", "leavers", "missing"):
        importlib.import_module(f"carewise.measures.definitions.{section}")


_load()
