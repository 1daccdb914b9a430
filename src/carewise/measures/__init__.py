"""Measures: declared once, evaluated for any period, with disclosure control at the edge.

Public face:

- ``evaluate(history, period, la_code, audience) -> list[MeasureResult]`` (``.as_dict()`` is the
  stable JSON shape documented in docs/cli-json.md);
- ``parse_period(text) -> Period``: ``2024-25``, ``2025-Q1``, ``rolling-12m:2025-03-31``,
  ``2025-03-31``;
- ``MEASURES``: every declared :class:`Measure`, by id; ``Options``: council settings
  (under-18 population override, in-house fostering target).
"""

from carewise.measures.engine import compute, evaluate, suppress
from carewise.measures.model import AUDIENCES, Context, Measure, MeasureResult, Options, Row
from carewise.measures.period import Period, parse_period
from carewise.measures.registry import MEASURES

__all__ = [
    "AUDIENCES",
    "MEASURES",
    "Context",
    "Measure",
    "MeasureResult",
    "Options",
    "Period",
    "Row",
    "compute",
    "evaluate",
    "parse_period",
    "suppress",
]
