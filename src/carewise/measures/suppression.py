"""Disclosure control lives in :mod:`carewise.disclosure` (the one edge every figure leaves
through); these names stay importable from here for the measures engine's callers."""

from carewise.disclosure import Entry, Table

__all__ = ["Entry", "Table"]
