"""Valid 903 codes per field and collection year, read from the shipped code-list files.

Each field has one CSV in ``carewise/codes/code_lists/`` (``code,label,first_year,last_year``).
``first_year``/``last_year`` are collection start years (2024 = 2024-25), inclusive; blank
means "since before the first year carewise knows" / "still valid". A change in a DfE code
list (for example PLACE gaining K3 in 2024-25, SEX moving from 1/2 to M/F/U in 2024-25) is
one edited row, never a code change.

Sources: DfE SSDA903 guide code lists as transcribed in ../shared/domain.md §1 and the
DfE validation rules of each year (rules 101, 103, 120, 131-133, 143-146, 149, 167, 176-178,
196, 631, 633, 1006, 1009, SW13).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from carewise.returns.years import CollectionYear

FIELD_ALIASES: dict[str, str] = {
    # The OC2 yes/no items share one list.
    "CONVICTED": "FLAG",
    "HEALTH_CHECK": "FLAG",
    "IMMUNISATIONS": "FLAG",
    "TEETH_CHECK": "FLAG",
    "HEALTH_ASSESSMENT": "FLAG",
    "SUBSTANCE_MISUSE": "FLAG",
    "INTERVENTION_RECEIVED": "FLAG",
    "INTERVENTION_OFFERED": "FLAG",
    # Other spellings seen in files.
    "PL": "PLACE",
    "NB_ADOPTER": "NB_ADOPTR",
    "SEX_ADOPTER": "SEX_ADOPTR",
    "LS_ADOPTER": "LS_ADOPTR",
}


class UnknownCodeList(KeyError):
    """Raised for a field carewise holds no code list for."""


def _year(year: CollectionYear | int) -> int:
    return year if isinstance(year, int) else year.start_year


@cache
def _rows(field: str) -> tuple[tuple[str, str, int | None, int | None], ...]:
    name = FIELD_ALIASES.get(field.upper(), field.upper())
    entry = resources.files("carewise.codes") / "code_lists" / f"{name}.csv"
    if not entry.is_file():
        raise UnknownCodeList(f"no code list for field '{field}'; known: {', '.join(fields())}")
    out = []
    with entry.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            first = int(row["first_year"]) if row["first_year"].strip() else None
            last = int(row["last_year"]) if row["last_year"].strip() else None
            out.append((row["code"].strip(), row["label"].strip(), first, last))
    return tuple(out)


def _in_year(first: int | None, last: int | None, year: int) -> bool:
    return (first is None or year >= first) and (last is None or year <= last)


@cache
def _valid(field: str, year: int) -> frozenset[str]:
    return frozenset(code for code, _, first, last in _rows(field) if _in_year(first, last, year))


def valid_codes(field: str, year: CollectionYear | int) -> frozenset[str]:
    """The codes the DfE accepts for ``field`` in the collection year (upper-case, trimmed)."""
    return _valid(field.upper(), _year(year))


def labels(field: str, year: CollectionYear | int) -> dict[str, str]:
    """Code → plain-English label for the codes valid in the collection year."""
    y = _year(year)
    return {code: label for code, label, first, last in _rows(field.upper()) if _in_year(first, last, y)}


def label(field: str, code: str, year: CollectionYear | int) -> str | None:
    """The label of one code in the year, or None when the code is not valid that year."""
    return labels(field, year).get(code)


@cache
def fields() -> tuple[str, ...]:
    """The fields that have a code list."""
    folder = resources.files("carewise.codes") / "code_lists"
    names = sorted(e.name[:-4] for e in folder.iterdir() if e.name.endswith(".csv"))
    return tuple(names)


SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown or not recorded"}
"""The SEX code-list label of each M/F/U letter (the letters of :data:`carewise.codes.SEX_LETTERS`)."""


def sex_code(letter: str, year: CollectionYear | int) -> str | None:
    """The SEX code the DfE list uses in the collection year for ``letter`` (M, F or U): 1/2 until
    2023-24, M/F/U from 2024-25, read from the code list; None when the year has no such code."""
    wanted = SEX_LABELS[letter]
    return next((code for code, text in labels("SEX", year).items() if text == wanted), None)
