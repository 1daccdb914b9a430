"""The tables of the SSDA903 return and the columns each collection year carries.

One place says which tables exist in which collection year, which columns they
have, which are dates, and which identify a row. Readers (CSV, XML), the store,
the validator and the synthetic generator all read these specifications, so a
change in the DfE layout is made once.

Sources: DfE "Children looked after return: guide to submitting data" as
transcribed by the open-source 903 validator (``lac_validator/config.py``);
social-worker episodes join the return from 2023-24 and deprivation of liberty
orders (DoLO) from 2026-27.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carewise.returns.years import CollectionYear


@dataclass(frozen=True)
class TableSpec:
    """One table of the 903 return."""

    name: str
    """carewise's name, also the store's table suffix (``episodes``)."""
    dfe_name: str
    """The name DfE and other tools use (``Episodes``)."""
    title: str
    """Plain-English name for messages."""
    columns: tuple[str, ...]
    date_columns: tuple[str, ...]
    key: tuple[str, ...]
    """Columns that identify a row within a return (used for stitching and duplicates)."""
    first_year: int = 2020
    last_year: int | None = None
    optional_columns: tuple[str, ...] = ()
    """Columns some systems add; accepted and kept when present, never required."""
    file_hints: tuple[str, ...] = field(default=())
    """Words often seen in file names for this table (a tie-breaker only: headers decide)."""
    annual: bool = False
    """A fact about the child in that collection year (OC2, OC3): each year's row is kept when
    returns are stitched, rather than the later return replacing the earlier."""

    def in_year(self, year: CollectionYear) -> bool:
        return year.start_year >= self.first_year and (
            self.last_year is None or year.start_year <= self.last_year
        )

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional_columns

    @property
    def code_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.all_columns if c not in self.date_columns)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "header",
            "Header",
            "header (one row per child)",
            ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
            ("DOB", "MC_DOB"),
            ("CHILD",),
            optional_columns=("UASC",),
            file_hints=("header",),
        ),
        TableSpec(
            "episodes",
            "Episodes",
            "episodes",
            (
                "CHILD",
                "DECOM",
                "RNE",
                "LS",
                "CIN",
                "PLACE",
                "PLACE_PROVIDER",
                "DEC",
                "REC",
                "REASON_PLACE_CHANGE",
                "HOME_POST",
                "PL_POST",
                "URN",
            ),
            ("DECOM", "DEC"),
            ("CHILD", "DECOM"),
            file_hints=("episode",),
        ),
        TableSpec(
            "reviews",
            "Reviews",
            "reviews",
            ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
            ("DOB", "REVIEW"),
            ("CHILD", "REVIEW"),
            file_hints=("review",),
        ),
        TableSpec(
            "uasc",
            "UASC",
            "unaccompanied asylum-seeking children",
            ("CHILD", "SEX", "DOB", "DUC"),
            ("DOB", "DUC"),
            ("CHILD",),
            file_hints=("uasc",),
        ),
        TableSpec(
            "oc2",
            "OC2",
            "OC2 (health and offending of children looked after 12 months)",
            (
                "CHILD",
                "DOB",
                "SDQ_SCORE",
                "SDQ_REASON",
                "CONVICTED",
                "HEALTH_CHECK",
                "IMMUNISATIONS",
                "TEETH_CHECK",
                "HEALTH_ASSESSMENT",
                "SUBSTANCE_MISUSE",
                "INTERVENTION_RECEIVED",
                "INTERVENTION_OFFERED",
            ),
            ("DOB",),
            ("CHILD",),
            file_hints=("oc2",),
            annual=True,
        ),
        TableSpec(
            "oc3",
            "OC3",
            "OC3 (care leavers)",
            ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
            ("DOB",),
            ("CHILD",),
            file_hints=("oc3",),
            annual=True,
        ),
        TableSpec(
            "ad1",
            "AD1",
            "AD1 (adoptions)",
            (
                "CHILD",
                "DOB",
                "DATE_INT",
                "DATE_MATCH",
                "FOSTER_CARE",
                "NB_ADOPTR",
                "SEX_ADOPTR",
                "LS_ADOPTR",
            ),
            ("DOB", "DATE_INT", "DATE_MATCH"),
            ("CHILD",),
            file_hints=("ad1",),
        ),
        TableSpec(
            "placed_for_adoption",
            "PlacedAdoption",
            "placed for adoption",
            ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
            ("DOB", "DATE_PLACED", "DATE_PLACED_CEASED"),
            ("CHILD", "DATE_PLACED"),
            file_hints=("placed", "adoption"),
        ),
        TableSpec(
            "previous_permanence",
            "PrevPerm",
            "previous permanence",
            ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
            ("DOB",),
            ("CHILD",),
            file_hints=("prev", "perm"),
        ),
        TableSpec(
            "missing",
            "Missing",
            "missing or away from placement",
            ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
            ("DOB", "MIS_START", "MIS_END"),
            ("CHILD", "MIS_START"),
            file_hints=("missing",),
        ),
        TableSpec(
            "social_worker_episodes",
            "SW_Episodes",
            "social worker episodes",
            ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
            ("DOB", "SW_DECOM", "SW_DEC"),
            ("CHILD", "SW_DECOM"),
            first_year=2023,
            file_hints=("sw", "social"),
        ),
        TableSpec(
            "dolo",
            "DoLo",
            "deprivation of liberty orders",
            ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
            ("DOB", "DOLO_START", "DOLO_END"),
            ("CHILD", "DOLO_START"),
            first_year=2026,
            file_hints=("dolo", "liberty"),
        ),
    )
}

# DATE_PERM is recorded as a date but DfE allows "zz/zz/zzzz"-style partial
# dates in some systems; it is kept as text and parsed leniently by rules.

COLUMN_ALIASES: dict[str, str] = {
    "CHILDID": "CHILD",
    "CHILD_ID": "CHILD",
    "PL": "PLACE",
    "PLACEMENT": "PLACE",
    "NB_ADOPTER": "NB_ADOPTR",
    "SEX_ADOPTER": "SEX_ADOPTR",
    "LS_ADOPTER": "LS_ADOPTR",
}
"""Header spellings seen in other tools' files, mapped to the DfE column name."""


def tables_for(year: CollectionYear) -> list[TableSpec]:
    """The tables the return of this collection year contains."""
    return [spec for spec in TABLES.values() if spec.in_year(year)]


def table(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        by_dfe = {s.dfe_name.lower(): s for s in TABLES.values()}
        if name.lower() in by_dfe:
            return by_dfe[name.lower()]
        raise KeyError(f"no 903 table called '{name}'") from None
