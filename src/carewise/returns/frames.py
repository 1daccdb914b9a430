"""Numbers and dates out of polars frames, and a missing value for numpy, typed.

polars types an aggregate (``Series.sum()``, ``mean()``, ``max()`` …) and a single cell as its
whole ``PythonLiteral`` union (numbers, dates, text, bytes, lists …) or ``None``, whatever the
column holds, so ``int(frame["n"].sum())`` does not type-check. These turn the value from a
numeric column into the number it is and fail as ``int()``/``float()`` would on anything else
(``None`` from an empty or all-null column included: check ``height``/``len`` first);
``as_date`` does the same for a date column, where ``None`` (no dates) is an answer.

numpy reads ``None`` in ``np.where(cond, x, None)`` or ``np.append(a, None)`` as a 0-d object
array, but its stubs accept no bare ``None`` there: ``MISSING`` is that array.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, SupportsFloat, SupportsInt

if TYPE_CHECKING:
    import numpy as np

    MISSING: np.ndarray
    """A missing value in numpy's arrays: what ``np.where``/``np.append`` make of ``None``."""


def __getattr__(name: str) -> object:
    """``MISSING`` is made on first use, so reading returns (which uses ``as_date``) never loads numpy."""
    if name == "MISSING":
        import numpy as np

        globals()["MISSING"] = value = np.array(None, dtype=object)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def as_float(value: object) -> float:
    """The number from a numeric column (an aggregate or a cell) as a ``float``."""
    if isinstance(value, SupportsFloat):
        return float(value)
    raise TypeError(f"expected a number from a numeric column, got {type(value).__name__}")


def as_int(value: object) -> int:
    """The number from a numeric column as an ``int`` (truncated, as ``int()`` does)."""
    if isinstance(value, SupportsInt):
        return int(value)
    raise TypeError(f"expected a number from a numeric column, got {type(value).__name__}")


def as_date(value: object) -> date | None:
    """The date from a date column (an aggregate or a cell); ``None`` when it holds none."""
    if value is None or isinstance(value, date):
        return value
    raise TypeError(f"expected a date from a date column, got {type(value).__name__}")
