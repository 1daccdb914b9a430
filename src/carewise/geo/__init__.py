"""Postcodes, distances and local-authority geography, offline.

Public face:

- ``resolve(postcodes)``: grid reference, district, authority and resolution of each postcode;
- ``distance_miles(from_e, from_n, to_e, to_n)``: DfE's straight-line distance in miles;
- ``locality(council, la_codes)``: in area / adjoining / at a distance (reg 11 approvals);
- ``neighbours``, ``authorities``, ``la_code_for``, ``la_name``, ``postcodes_in``.
"""

from __future__ import annotations

from carewise.geo.authorities import (
    ADJOINING,
    AT_A_DISTANCE,
    IN_AREA,
    authorities,
    la_code_for,
    la_name,
    locality,
    neighbours,
)
from carewise.geo.distance import OVER_MILES, distance_miles, round_miles
from carewise.geo.postcodes import RESOLUTIONS, normalise, postcodes_in, resolve

__all__ = [
    "ADJOINING",
    "AT_A_DISTANCE",
    "IN_AREA",
    "OVER_MILES",
    "RESOLUTIONS",
    "authorities",
    "distance_miles",
    "la_code_for",
    "la_name",
    "locality",
    "neighbours",
    "normalise",
    "postcodes_in",
    "resolve",
    "round_miles",
]
