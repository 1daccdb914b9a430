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
from typing import Any

from carewise.errors import UserFacingError
from carewise.ingest import ReadResult, read_returns
from carewise.returns.model import Return
from carewise.returns.years import CollectionYear


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

    def summary(self) -> dict[str, Any]:
        data = self.read.summary()
        for b in self.batches:
            data[b.year]["batch"] = b.id
            data[b.year]["validation"] = b.validation
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
    return [p.as_dict() for p in result.problems if p.year == str(ret.year) or p.file in names]


def validate_read(read: ReadResult, store, la_code: str) -> dict[CollectionYear, Any]:
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
    return {year: validate_returns(returns, year, la_code=la_code) for year in sorted(read.returns)}


def import_paths(
    store,
    paths: Iterable[str | Path],
    *,
    la_code: str,
    year: str | None = None,
    council_name: str | None = None,
    synthetic: bool = False,
    imported_by: str | None = None,
    validate: bool = True,
    read_progress: Callable[[str], None] | None = None,
    store_progress: Callable[[str, int], None] | None = None,
) -> ImportOutcome:
    read = read_returns(paths, year=year, progress=read_progress)
    outcome = ImportOutcome(read, la_code)
    if read.errors or not read.returns:
        return outcome
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
