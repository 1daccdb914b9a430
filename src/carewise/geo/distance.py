"""Straight-line distance in miles, exactly as DfE computes PL_DISTANCE for the 903."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import polars as pl

if TYPE_CHECKING:  # numpy is imported where used: validating a return never needs it
    import numpy as np

T = TypeVar("T", float, "np.ndarray", pl.Series, pl.Expr)

METRES_PER_MILE_DFE = 1609.3
"""DfE's guidance divides metres by 1000 and then by 1.6093 (km per mile)."""

OVER_MILES = 20.0
"""DfE reports placements "more than 20 miles from home" (origin: the former PAF C69 indicator)."""


def distance_miles(from_e: T, from_n: T, to_e: T, to_n: T) -> T:
    """sqrt(dE² + dN²) / 1000 / 1.6093 on OSGB eastings/northings (metres).

    This is the DfE 903 guidance formula for PL_DISTANCE (home postcode to placement
    postcode), so carewise's "over 20 miles" agrees with DfE's statistics. Works on floats,
    numpy arrays, polars Series and polars expressions alike; missing inputs give missing.
    """
    de = to_e - from_e
    dn = to_n - from_n
    return (de * de + dn * dn) ** 0.5 / 1000 / 1.6093


def round_miles(miles: T) -> T:
    """DfE publishes PL_DISTANCE to one decimal place."""
    if isinstance(miles, pl.Expr | pl.Series):
        return miles.round(1)
    import numpy as np

    return np.round(miles, 1)
