"""Read and check the market extracts (CSV or Excel) against their schema.

The one extract reader (``carewise.ingest.extracts``) types and checks each file against
``matching.schema``; here the market's own checks follow: postcodes located, ages in order,
vacancies within approved places, vacancies only for known providers. Every problem names
file, row, column, value and what to do. Nothing here writes anything: the market store saves
a set of extracts only when this reader found no error, so a load lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from carewise.geo import resolve
from carewise.ingest import extracts as reader
from carewise.ingest.problems import Problem, Severity, error, warning
from carewise.matching.schema import TABLES, Table

TEMPLATE = "carewise market template DIR"


class ExtractError(reader.ExtractError):
    """The extracts have errors; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems, what="market extracts", template=TEMPLATE)


def _locate(file: str, table: Table, frame: pl.DataFrame, postcode_col: str,
            prefix: str, strict: bool) -> tuple[pl.DataFrame, list[Problem]]:
    """Add <prefix>easting/northing/la_code/resolution from the postcode or given coordinates."""
    problems: list[Problem] = []
    found = resolve(frame[postcode_col].fill_null(""))
    given_e = frame["easting"] if prefix == "" and "easting" in frame.columns else None
    given_n = frame["northing"] if prefix == "" and "northing" in frame.columns else None
    cols = {
        f"{prefix}easting": found["easting"],
        f"{prefix}northing": found["northing"],
        f"{prefix}la_code": found["la_code"],
        f"{prefix}resolution": found["resolution"],
    }
    if given_e is not None and given_n is not None:
        use_given = given_e.is_not_null() & given_n.is_not_null() & found["easting"].is_null()
        cols["easting"] = pl.select(
            pl.when(use_given).then(given_e).otherwise(cols["easting"])).to_series()
        cols["northing"] = pl.select(
            pl.when(use_given).then(given_n).otherwise(cols["northing"])).to_series()
        cols["resolution"] = pl.select(
            pl.when(use_given).then(pl.lit("coordinates")).otherwise(cols["resolution"])
        ).to_series()
    out = frame.with_columns(pl.Series(k, v) if not isinstance(v, pl.Series) else v.alias(k)
                             for k, v in cols.items())
    res = f"{prefix}resolution"
    unknown = out.filter((pl.col(postcode_col) != "") & (pl.col(res) == "unknown"))
    make = error if strict else warning
    for row, value in unknown.select("_row", postcode_col).iter_rows():
        problems.append(make(file, f"{postcode_col} is not a UK postcode or sector carewise knows",
                             "Check it for typos (a sector such as LS1 1 is fine)", row=row,
                             column=postcode_col, value=value, table=table.name))
    if strict:
        blank = out.filter(pl.col(res) == "unknown").filter(pl.col(postcode_col) == "")
        for (row,) in blank.select("_row").iter_rows():
            problems.append(warning(file, "no location given", "Give a postcode (or easting and "
                                    "northing) so distances can be worked out; until then "
                                    "distance criteria count as unknown", row=row,
                                    column=postcode_col, table=table.name))
    return out, problems


def _cross_checks(files: dict[str, str], frames: dict[str, pl.DataFrame],
                  known_urns: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    if "carers" in frames:
        c = frames["carers"]
        bad = c.filter(pl.col("vacancies") > pl.col("approved_places") - pl.col("current_children"))
        for row, v in bad.select("_row", "vacancies").iter_rows():
            problems.append(error(files["carers"], "more vacancies than approved places not filled",
                                  "Vacancies can be at most approved_places - current_children",
                                  row=row, column="vacancies", value=str(v), table="carers"))
    if "vacancies" in frames:
        urns = known_urns | (set(frames["providers"]["urn"].to_list()) if "providers" in frames
                             else set())
        v = frames["vacancies"]
        bad = v.filter(pl.col("urn").is_not_null() & ~pl.col("urn").is_in(sorted(urns)))
        for row, urn in bad.select("_row", "urn").iter_rows():
            problems.append(error(files["vacancies"], "vacancy for a provider that is not in the "
                                  "providers extract", "Add the provider to the providers extract "
                                  "(or load it with these files), or correct the URN", row=row,
                                  column="urn", value=urn, table="vacancies"))
    return problems


def read_extracts(paths: Sequence[Path], known_urns: set[str] | None = None
                  ) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """Typed frames for each extract found in ``paths`` and every problem found.

    ``known_urns``: providers already stored, so a vacancies file can be loaded on its own.
    Postcodes are resolved here (``easting``, ``northing``, ``la_code``, ``resolution``;
    referrals get ``home_…`` and ``school_…`` columns).
    """
    problems: list[Problem] = []
    frames: dict[str, pl.DataFrame] = {}
    files: dict[str, str] = {}
    failed: set[str] = set()
    for read in reader.read_files(paths, TABLES, template=TEMPLATE):
        problems += read.problems
        if not read.kind or read.kind in files:
            continue
        if not read.ok:
            failed.add(read.kind)
            continue
        frames[read.kind], files[read.kind] = read.frame, read.file
    for name, frame in list(frames.items()):
        if name == "referrals":
            frame, p1 = _locate(files[name], TABLES[name], frame, "home_postcode", "home_", False)
            frame, p2 = _locate(files[name], TABLES[name], frame, "school_postcode", "school_",
                                False)
            problems += p1 + p2
        else:
            frame, found = _locate(files[name], TABLES[name], frame, "postcode", "",
                                   strict=name != "vacancies")
            problems += found
        frames[name] = frame
    if "providers" in failed:
        frames.pop("vacancies", None)  # its URNs cannot be checked until providers load
    problems += _cross_checks(files, frames, known_urns or set())
    return frames, problems


def check_extracts(paths: list[Path], known_urns: set[str] | None = None
                   ) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """``read_extracts`` that raises ``ExtractError`` if any problem is an error."""
    frames, problems = read_extracts(paths, known_urns)
    if any(p.severity == Severity.ERROR for p in problems):
        raise ExtractError(problems)
    return frames, problems
