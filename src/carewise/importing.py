"""Import 903 files into the store: read, validate, store — the one path the CLI and web app share.

Nothing is stored when any file cannot be read. Each collection year read is
validated against the DfE rules of its year (with earlier years from the same
import or the store for look-back rules) and the summary is kept with its batch;
a return with rule errors is still stored, flagged by that summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carewise.errors import UserFacingError
from carewise.ingest import ReadResult, read_returns
from carewise.returns.model import Return
from carewise.returns.years import CollectionYear

if TYPE_CHECKING:
    import polars as pl

    from carewise.store.store import Store

REPLACE_SHARE = 0.1
REPLACE_MIN = 5
"""A re-import is large, and needs ``--replace``, when it removes or changes more than this share
of the stored year's children (and more than ``REPLACE_MIN`` of them): a corrected return changes
a few children, while another council's or another year's files change nearly all."""


@dataclass(frozen=True)
class YearChange:
    """What importing a year again would do to the stored one, child by child."""

    year: CollectionYear
    added: int
    removed: int
    changed: int
    unchanged: int

    @property
    def stored(self) -> int:
        return self.removed + self.changed + self.unchanged

    @property
    def large(self) -> bool:
        return self.removed + self.changed > max(REPLACE_MIN, REPLACE_SHARE * self.stored)

    def describe(self) -> str:
        return (f"{self.year}: {self.added:,} children added, {self.removed:,} removed, {self.changed:,} changed, "
                f"{self.unchanged:,} unchanged (of {self.stored:,} stored)")

    def as_json(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed,
                "unchanged": self.unchanged, "large": self.large}


class ReplaceNeededError(UserFacingError):
    """A re-import would change much of a stored year; nothing was stored."""

    exit_code = 3

    def __init__(self, changes: list[YearChange]) -> None:
        self.changes = changes
        lines = "; ".join(c.describe() for c in changes if c.large)
        super().__init__(f"these files would change much of what is stored ({lines}). Nothing was stored. "
                         "Check they are the right council's and year's files; to replace the stored year(s) "
                         "anyway, import again with --replace")


def _child_fingerprints(ret: Return) -> pl.DataFrame:
    """One hash per child of every row the return holds about them (row order and file layout aside)."""
    import polars as pl

    from carewise.returns.tables import TABLES

    parts = []
    for name, frame in sorted(ret.raw.items()):
        if "CHILD" not in frame.columns or frame.height == 0:
            continue
        cols = [c for c in TABLES[name].all_columns if c != "CHILD"]
        aligned = frame.select(
            pl.col("CHILD").str.strip_chars().str.to_uppercase(),
            *[(pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.String)).alias(c) for c in cols],
        ).drop_nulls("CHILD")
        parts.append(aligned.select("CHILD", pl.struct(pl.lit(name).alias("_table"), *cols).hash().alias("h")))
    if not parts:
        return pl.DataFrame({"CHILD": [], "h": []}, schema={"CHILD": pl.String, "h": pl.UInt64})
    return (pl.concat(parts).group_by("CHILD").agg(pl.col("h").sort())
            .with_columns(pl.col("h").hash()))


def compare_with_stored(store: Store, la_code: str, returns: dict[CollectionYear, Return]) -> list[YearChange]:
    """For each year read that is already stored: children added, removed, changed and unchanged."""
    import polars as pl

    try:
        stored_years = set(store.years(la_code))
    except UserFacingError:
        return []
    changes = []
    for year, ret in sorted(returns.items()):
        if year not in stored_years:
            continue
        new = _child_fingerprints(ret)
        old = _child_fingerprints(store.load_return(la_code, year))
        both = old.join(new, on="CHILD", how="full", suffix="_new", coalesce=True)
        changes.append(YearChange(
            year,
            added=both.filter(pl.col("h").is_null()).height,
            removed=both.filter(pl.col("h_new").is_null()).height,
            changed=both.filter(pl.col("h").is_not_null() & pl.col("h_new").is_not_null()
                                & (pl.col("h") != pl.col("h_new"))).height,
            unchanged=both.filter(pl.col("h") == pl.col("h_new")).height,
        ))
    return changes


@dataclass
class ImportOutcome:
    read: ReadResult
    la_code: str
    stored: bool = False
    batches: list = field(default_factory=list)
    validation: dict[CollectionYear, Any] = field(default_factory=dict)
    """The full ValidationResult per year (for showing the errors right away)."""
    conflicts: int = 0
    """Disagreements between collection years once stitched (the later return was used)."""
    changes: list[YearChange] = field(default_factory=list)
    """For each year that was already stored, what the import changed (or would have changed)."""

    def summary(self) -> dict[str, Any]:
        data = self.read.summary()
        for b in self.batches:
            data[b.year.label]["batch"] = b.id
            data[b.year.label]["validation"] = b.validation
        for c in self.changes:
            data[c.year.label]["changes"] = c.as_json()
        return data


def validation_summary(result) -> dict[str, Any]:
    """What is kept with a batch: counts, never child-level detail."""
    return {
        "rules_run": result.rules_run,
        "rules_skipped": len(result.skipped),
        "errors": len(result.errors),
        "children_with_errors": len({e.child for e in result.errors if e.child}),
        "by_rule": result.counts_by_rule(),
    }


def problems_for(ret: Return, result: ReadResult) -> list[dict[str, Any]]:
    """The problems that concern one year's return: its files, or the year itself."""
    names = {Path(s.path).name for s in ret.sources.values()} | {s.path for s in ret.sources.values()}
    return [p.as_dict() for p in result.problems if p.year == ret.year or p.file in names]


def validate_read(read: ReadResult, store: Store, la_code: str) -> dict[CollectionYear, Any]:
    """Validate each year read, looking back through the years read and those stored."""
    from carewise.validate.runner import validate_returns

    returns: dict[CollectionYear, Return] = dict(read.returns)
    try:
        stored_years = [y for y in store.years(la_code) if y not in returns]
    except UserFacingError:
        stored_years = []
    for y in stored_years:
        if y < max(read.returns):
            returns[y] = store.load_return(la_code, y)
    providers = None
    if read.provider_files:
        from carewise.validate.providers import read_providers

        providers = read_providers(read.provider_files)
    return {year: validate_returns(returns, year, la_code=la_code, providers=providers)
            for year in sorted(read.returns)}


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    la_code: str,
    year: str | None = None,
    council_name: str | None = None,
    synthetic: bool = False,
    imported_by: str | None = None,
    validate: bool = True,
    replace: bool = False,
    read_progress: Callable[[str], None] | None = None,
    store_progress: Callable[[str, int], None] | None = None,
) -> ImportOutcome:
    read = read_returns(paths, year=year, progress=read_progress)
    outcome = ImportOutcome(read, la_code)
    if read.errors or not read.returns:
        return outcome
    outcome.changes = compare_with_stored(store, la_code, read.returns)
    if not replace and any(c.large for c in outcome.changes):
        raise ReplaceNeededError(outcome.changes)
    if validate:
        outcome.validation = validate_read(read, store, la_code)
    if council_name is None and all(c.la_code != la_code for c in store.councils()):
        from carewise.geo.authorities import la_name

        council_name = la_name(la_code)
    outcome.batches = store.import_returns(
        la_code,
        read.returns.values(),
        council_name=council_name,
        synthetic=synthetic,
        imported_by=imported_by,
        problems={y: problems_for(r, read) for y, r in read.returns.items()},
        validation={y: validation_summary(v) for y, v in outcome.validation.items()},
        progress=store_progress,
    )
    outcome.stored = True
    outcome.conflicts = store.load_history(la_code).conflicts.height
    return outcome
