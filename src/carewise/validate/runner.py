"""Run every DfE rule of a collection year over a return and collect the failing rows.

:func:`validate` runs each rule the engine holds for the year. A rule whose table was
not supplied, or which raises :class:`~carewise.validate.engine.Skip`, is listed as
skipped with the reason; a rule that fails unexpectedly is listed as skipped with an
"internal error" reason (and logged without child data), so one faulty rule never stops
the run. Failing rows become :class:`RuleError` records pointing at the table and the
1-based data row of the file the analyst supplied.

:func:`validate_paths` reads files first (CSV or XML): when the files cannot be read
the result holds the ingest problems and no rule is run, so a malformed file is
reported once as such rather than as hundreds of rule failures.
"""

from __future__ import annotations

import ast
import csv
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from carewise.ingest.problems import Problem, Severity
from carewise.returns.model import ROW, Return
from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear
from carewise.validate.engine import (
    FIRST_RULE_YEAR,
    LAST_RULE_YEAR,
    Context,
    ProviderLists,
    Rule,
    Skip,
    rules_for,
)

log = logging.getLogger(__name__)

_DFE_TABLES = {spec.dfe_name.lower(): spec.name for spec in TABLES.values()}
_DFE_TABLES.update({"swepisodes": "social_worker_episodes", "sw_episodes": "social_worker_episodes"})


@dataclass(frozen=True)
class RuleError:
    """One failing row: which rule, where, and what the DfE says about it."""

    rule: str
    table: str
    row: int | None
    child: str | None
    fields: tuple[str, ...]
    message: str
    explanation: str
    fix: str
    values: tuple[tuple[str, str | None], ...] = ()
    """(field, value as read) of the rule's fields on the failing row: what to look at."""

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "table": self.table,
            "row": self.row,
            "child": self.child,
            "fields": list(self.fields),
            "message": self.message,
            "values": dict(self.values),
        }

    def values_text(self) -> str:
        return "; ".join(f"{f} {'blank' if v is None else repr(v)}" for f, v in self.values)


@dataclass(frozen=True)
class SkippedRule:
    rule: str
    reason: str
    internal: bool = False
    """True when the rule failed inside carewise (a bug to report), not for want of data."""

    def as_json(self) -> dict:
        return {"rule": self.rule, "reason": self.reason}


@dataclass
class RuleInfo:
    """What the reports say about a rule: the DfE message and carewise's plain-English help."""

    code: str
    message: str
    explanation: str
    fix: str
    fields: tuple[str, ...]


@dataclass
class ValidationResult:
    """The outcome of validating one collection year."""

    year: CollectionYear | None
    rules_run: int = 0
    skipped: list[SkippedRule] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Problems found while reading the files (errors stop validation; warnings do not)."""
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    """Every rule run or skipped, by code, for the reports."""
    seconds: float = 0.0
    files: dict[str, tuple[str, bool]] = field(default_factory=dict)
    """Table → (the analyst's file name, whether it is XML), so reports name files, not tables."""
    xml_lines: dict[str, list[int]] = field(default_factory=dict)
    """Table → the line of the XML file each row starts on (files read now, or stored from XML)."""

    read: bool = True
    """False when the files' layout could not be read, so no rule was run."""

    @property
    def readable(self) -> bool:
        """False when the files could not be read, so no rule was run."""
        return self.read and self.year is not None

    @property
    def read_errors(self) -> list[Problem]:
        """Errors in the files' values (a date that does not exist, a duplicate row): the rules still
        ran, but the return would be refused by ``carewise import``."""
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def internal_errors(self) -> list[SkippedRule]:
        return [s for s in self.skipped if s.internal]

    @property
    def exit_code(self) -> int:
        """0 no errors, 1 errors found (rule errors or errors in values), 3 the input could not be read."""
        if not self.readable:
            return 3
        return 1 if self.errors or self.read_errors else 0

    def as_json(self) -> dict:
        """The ``carewise validate --json`` contract (docs/cli-json.md)."""
        return {
            "year": self.year.label if self.year else None,
            "rules_run": self.rules_run,
            "rules_skipped": [s.as_json() for s in self.skipped],
            "errors": [e.as_json() for e in self.errors],
            "problems": [p.as_dict() for p in self.problems],
        }

    def file_of(self, table: str) -> str:
        """The file a table was read from (``sw_episodes.csv``), else the table's name."""
        return self.files[table][0] if table in self.files else table

    def excel_row(self, table: str, row: int | None) -> int | None:
        """The row Excel shows for a data row of a CSV file (the header is Excel's row 1); None for XML."""
        if row is None or self.files.get(table, ("", False))[1]:
            return None
        return row + 1

    def where(self, table: str, row: int | None) -> str:
        """Where to look, in the analyst's words: "sw_episodes.csv, Excel row 13" or
        "return.xml, episodes record 12 (in document order)"."""
        file = self.file_of(table)
        if row is None:
            return file
        if self.files.get(table, ("", False))[1]:
            lines = self.xml_lines.get(table)
            if lines and 0 < row <= len(lines) and lines[row - 1]:
                return f"{file}, line {lines[row - 1]} ({table} record {row})"
            return f"{file}, {table} record {row} (in document order)"
        return f"{file}, Excel row {row + 1}"

    def counts_by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.errors:
            counts[e.rule] = counts.get(e.rule, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def counts_by_child(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.errors:
            key = e.child or "(no child id)"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@cache
def _dfe_fields() -> dict[int, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]]:
    """Rule code → (affected fields, tables) per collection start year, from the shipped lists."""
    out: dict[int, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    folder = resources.files("carewise.codes") / "validation_rules"
    for entry in folder.iterdir():
        if not (entry.name.startswith("903_") and entry.name.endswith(".csv")):
            continue
        start = int(entry.name[4:8])
        year: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        with entry.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                year[row["Rule code"]] = (_as_tuple(row.get("Affected fields")), _as_tuple(row.get("Tables")))
        out[start] = year
    return out


def _as_tuple(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def rule_fields(r: Rule, year: CollectionYear) -> tuple[str, ...]:
    """The fields a rule points at: the rule's own list, else the DfE list for the year."""
    if r.fields:
        return r.fields
    return _dfe_fields().get(year.start_year, {}).get(r.code, ((), ()))[0]


def rule_info(r: Rule, year: CollectionYear) -> RuleInfo:
    return RuleInfo(r.code, r.message(year), r.explanation, r.fix, rule_fields(r, year))


def _missing_table(r: Rule, ctx: Context) -> str | None:
    for name in r.tables:
        if not ctx.has(name):
            spec = TABLES[name]
            if not spec.in_year(ctx.year):
                return f"the {spec.title} table is not part of the {ctx.year} return"
            return f"the {spec.title} table was not supplied"
    return None


def _frames(r: Rule, failures: object) -> list[tuple[str, pl.DataFrame]]:
    if isinstance(failures, pl.DataFrame):
        if not r.tables:
            raise TypeError(f"rule {r.code} returned a frame but declares no tables")
        return [(_table_of_frame(r, failures), failures)]
    if isinstance(failures, pl.LazyFrame):
        return _frames(r, failures.collect())
    if isinstance(failures, dict):
        out = []
        for name, frame in failures.items():
            table = name if name in TABLES else _DFE_TABLES.get(str(name).lower())
            if table is None:
                raise TypeError(f"rule {r.code} returned rows of an unknown table '{name}'")
            if isinstance(frame, pl.LazyFrame):
                frame = frame.collect()
            if not isinstance(frame, pl.DataFrame):
                raise TypeError(f"rule {r.code} returned {type(frame).__name__} for table '{name}'")
            out.append((table, frame))
        return out
    if failures is None:
        return []
    raise TypeError(f"rule {r.code} returned {type(failures).__name__}, not a polars frame")


def _table_of_frame(r: Rule, frame: pl.DataFrame) -> str:
    """The table a single failing frame belongs to: the rule's first table, unless the frame holds
    another of the rule's tables' columns and not the first's (rows of the typed frame keep all
    their table's columns, so the rows are attributed to the file they came from)."""
    cols = set(frame.columns)
    holds = [t for t in r.tables if set(TABLES[t].columns) <= cols]
    if not holds or r.tables[0] in holds:
        return r.tables[0]
    return holds[0]


def _errors_from(r: Rule, info: RuleInfo, failures: object) -> list[RuleError]:
    out: list[RuleError] = []
    for table, frame in _frames(r, failures):
        if frame.height == 0:
            continue
        if ROW not in frame.columns:
            raise TypeError(f"rule {r.code} returned rows of '{table}' without the {ROW} column")
        shown = [f for f in info.fields if f in frame.columns and f not in (ROW, "CHILD")]
        cols = [ROW] + (["CHILD"] if "CHILD" in frame.columns else []) + shown
        ids = frame.select(cols).unique(subset=[ROW], keep="first", maintain_order=True).sort(ROW)
        ids = ids.with_columns(pl.col(f).dt.strftime("%d/%m/%Y") if ids.schema[f] == pl.Date
                               else pl.col(f).cast(pl.String) for f in shown)
        rows = ids.get_column(ROW).to_list()
        children = ids.get_column("CHILD").to_list() if "CHILD" in ids.columns else [None] * len(rows)
        values = ids.select(shown).rows() if shown else [()] * len(rows)
        for row, child, vals in zip(rows, children, values, strict=True):
            out.append(
                RuleError(r.code, table, row, child, info.fields, info.message, info.explanation, info.fix,
                          tuple(zip(shown, vals, strict=True)))
            )
    return out


def rules_year(year: CollectionYear) -> CollectionYear:
    """The year whose rule set checks ``year``: the nearest year the DfE published rules for.

    Returns before 2022-23 are checked with the 2022-23 rules (the earliest carewise ships),
    returns after 2026-27 with the 2026-27 rules; each rule still reads the return's own dates.
    """
    return CollectionYear(min(max(year.start_year, FIRST_RULE_YEAR), LAST_RULE_YEAR))


def validate(ctx: Context, rules: Iterable[Rule] | None = None) -> ValidationResult:
    """Run every rule of the context's collection year (or the rules given) and collect failures."""
    started = time.perf_counter()
    result = ValidationResult(ctx.year)
    result.files = {name: (Path(src.path).name, src.encoding == "xml") for name, src in ctx.current.sources.items()}
    result.xml_lines = {name: src.lines for name, src in ctx.current.sources.items() if src.lines}
    if rules is None and rules_year(ctx.year) != ctx.year:
        result.problems.append(
            Problem(
                Severity.WARNING,
                "(validation)",
                f"the DfE rules for {ctx.year} are not shipped with carewise; "
                f"the {rules_year(ctx.year)} rules were used",
                "Check the few rules that changed between those years by hand.",
                year=ctx.year,
            )
        )
    chosen = list(rules) if rules is not None else rules_for(rules_year(ctx.year))
    group = None
    for r in chosen:
        if r.function.__module__ != group:  # a new group of rules (rules_100, rules_200 …)
            group = r.function.__module__
            ctx.release_shared()
        info = rule_info(r, ctx.year)
        result.rules[r.code] = info
        missing = _missing_table(r, ctx)
        if missing is None and r.needs_providers and ctx.providers is None:
            missing = "Ofsted's provider lists were not supplied (use --providers)"
        if missing is not None:
            result.skipped.append(SkippedRule(r.code, missing))
            continue
        try:
            failures = r.function(ctx)
            errors = _errors_from(r, info, failures)
        except Skip as skip:
            result.skipped.append(SkippedRule(r.code, str(skip) or "the rule could not run on this data"))
            continue
        except Exception as exc:  # one faulty rule must never stop the run
            log.exception("rule %s failed with %s", r.code, type(exc).__name__)
            result.skipped.append(
                SkippedRule(
                    r.code,
                    f"internal error in carewise ({type(exc).__name__}); the rule was not checked. "
                    "Please report this to the carewise team.",
                    internal=True,
                )
            )
            continue
        result.rules_run += 1
        result.errors.extend(errors)
    result.seconds = time.perf_counter() - started
    return result


def context_for(
    returns: dict[CollectionYear, Return],
    year: CollectionYear | str | None = None,
    *,
    providers: ProviderLists | None = None,
    la_code: str | None = None,
) -> Context:
    """The context for one year of several: last year's return and every earlier one attached."""
    if not returns:
        raise ValueError("no returns to validate")
    the_year = CollectionYear.parse(year) if year is not None else max(returns)
    if the_year not in returns:
        held = ", ".join(str(y) for y in sorted(returns))
        from carewise.errors import NotFoundError

        raise NotFoundError(f"there is no {the_year} return to validate (held: {held}); choose one with --year")
    earlier = {y: r for y, r in returns.items() if y < the_year}
    return Context(
        the_year,
        returns[the_year],
        previous=returns.get(the_year.previous),
        earlier=earlier,
        providers=providers,
        la_code=la_code,
    )


def validate_returns(
    returns: dict[CollectionYear, Return],
    year: CollectionYear | str | None = None,
    *,
    providers: ProviderLists | None = None,
    la_code: str | None = None,
) -> ValidationResult:
    """Validate one year (default: the latest) of several, using the earlier years for look-back rules."""
    return validate(context_for(returns, year, providers=providers, la_code=la_code))


def validate_paths(
    path: str | Path | Iterable[str | Path],
    year: CollectionYear | str | None = None,
    previous: str | Path | Iterable[str | Path] | None = None,
    *,
    providers: ProviderLists | None = None,
    la_code: str | None = None,
) -> ValidationResult:
    """Read 903 files (a folder, files, CSV or XML) and validate one collection year.

    ``year`` chooses the year when the files hold several (default: the latest); the
    other years read are used as earlier returns. ``previous`` points at last year's
    files. When the files cannot be read, the result holds the problems and no rule runs.
    """
    from carewise.ingest import read_returns

    paths = [path] if isinstance(path, str | Path) else list(path)
    wanted = CollectionYear.parse(year) if year is not None else None
    read = read_returns(paths)
    problems = list(read.problems)
    returns = dict(read.returns)
    if wanted is not None and wanted not in returns and len(returns) == 1 and not read.errors:
        # One year's files whose dates did not tell the year: take the analyst's word for it.
        read = read_returns(paths, year=wanted)
        problems, returns = list(read.problems), dict(read.returns)
    if previous is not None:
        prev_paths = [previous] if isinstance(previous, str | Path) else list(previous)
        target = wanted or (max(returns) if returns else None)
        prev = read_returns(prev_paths, year=target.previous if target else None)
        problems.extend(prev.problems)
        for y, r in prev.returns.items():
            returns.setdefault(y, r)
    if providers is None and read.provider_files:
        from carewise.validate.providers import read_providers

        providers = read_providers(read.provider_files)
    if wanted is None and read.returns:
        wanted = max(read.returns)
    if not returns or wanted not in returns:
        return ValidationResult(wanted, problems=problems, read=False)
    result = validate_returns(returns, wanted, providers=providers, la_code=la_code)
    result.problems = problems + result.problems
    return result


def validate_stored(
    store,
    council: str,
    year: CollectionYear | str | None = None,
    *,
    providers: ProviderLists | None = None,
) -> ValidationResult:
    """Validate a stored collection year of a council, with every earlier stored year for look-back rules."""
    returns = store.load_returns(council)
    if not returns:
        from carewise.errors import NotFoundError

        raise NotFoundError(f"no returns are stored for {council}: run `carewise import FOLDER` first")
    return validate_returns(returns, year, providers=providers, la_code=council)
