"""The rule engine: DfE 903 validation rules as small registered functions over polars frames.

A rule is a function ``(ctx: Context) -> Failures`` registered with :func:`rule`:
its DfE code, the plain-English explanation and fix, the tables and fields it
reads and the collection years it applies to. It returns the failing rows, as
one frame (rows of the rule's first table) or a dict ``{table: frame}``; each
frame must keep the ``_row`` and ``CHILD`` columns of the table it came from.

A rule that needs a table or list the analyst did not supply raises
:class:`Skip` (the engine also skips automatically when a table in
``tables`` is missing); skipped rules are reported with their reason, never
silently dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import polars as pl

from carewise.returns.model import ROW, Return
from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear

Failures = pl.DataFrame | dict[str, pl.DataFrame]

FIRST_RULE_YEAR = 2022
LAST_RULE_YEAR = 2026


SHARED_BUDGET = 64 * 2**20
"""Bytes of shared frames kept from one group of rules to the next (a large council's are a few
megabytes; a national-size return's are released between groups)."""


class Skip(Exception):
    """Raised by a rule that cannot run on the data given; the message says why."""


@dataclass
class ProviderLists:
    """Ofsted's provider lists (children's homes; social care providers), when the analyst supplies them.

    ``providers`` has at least URN (text), and where known ``PROVIDER_TYPE``,
    ``REG_DATE``, ``CLOSE_DATE``, ``POSTCODE``, ``LA`` columns.
    """

    providers: pl.DataFrame


@dataclass
class Context:
    """Everything a rule may read for one collection year."""

    year: CollectionYear
    current: Return
    previous: Return | None = None
    """Last year's return, when supplied or stored."""
    earlier: dict[CollectionYear, Return] = field(default_factory=dict)
    """Every stored return before this year (for rules looking back further than one year)."""
    providers: ProviderLists | None = None
    la_code: str | None = None
    """The council's ONS code (E06000055 …), for rules about placements inside the council."""
    _shared: dict[str, object] = field(default_factory=dict, repr=False)

    def shared(self, key: str, build: Callable[[], object]) -> object:
        """A frame several rules need (e.g. episodes joined to DOB), built once per validation run.

        ``ctx.shared("episodes_dob", lambda: ...)``: the first rule to ask builds it, the others reuse it.
        """
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]

    def release_shared(self, budget: int | None = None) -> bool:
        """Forget the shared frames when together they exceed ``budget`` bytes (polars' estimate;
        default :data:`SHARED_BUDGET`).

        The runner calls this between groups of rules, so a very large return does not keep every
        group's derived frames to the end; a frame asked for again is rebuilt, the same.
        """
        size = sum(f.estimated_size() for f in self._shared.values() if isinstance(f, pl.DataFrame))
        if size <= (SHARED_BUDGET if budget is None else budget):
            return False
        self._shared.clear()
        return True

    def t(self, name: str) -> pl.DataFrame:
        """Typed frame of a table of this year's return (empty if absent)."""
        return self.current.table(name)

    def raw(self, name: str) -> pl.DataFrame:
        """Text exactly as read, row for row with :meth:`t`."""
        if not self.current.has(name):
            raise Skip(f"the {TABLES[name].title} table was not supplied")
        return self.current.raw[name]

    def has(self, name: str) -> bool:
        return self.current.has(name)

    def last(self, name: str) -> pl.DataFrame:
        """Typed frame of a table of last year's return; skips the rule when absent."""
        if self.previous is None:
            raise Skip("last year's return was not supplied (use --previous, or import last year first)")
        if not self.previous.has(name):
            raise Skip(f"last year's {TABLES[name].title} table was not supplied")
        return self.previous.table(name)

    @property
    def collection_start(self):
        return self.year.start

    @property
    def collection_end(self):
        return self.year.end


@dataclass(frozen=True)
class Rule:
    code: str
    function: Callable[[Context], Failures]
    explanation: str
    fix: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    first_year: int
    last_year: int
    needs_previous: bool = False
    needs_providers: bool = False

    def applies_to(self, year: CollectionYear) -> bool:
        return self.first_year <= year.start_year <= self.last_year

    def message(self, year: CollectionYear) -> str:
        """The DfE's own wording of the rule for the year (nearest year if not published)."""
        messages = dfe_messages()
        for y in [year.start_year, *range(LAST_RULE_YEAR, FIRST_RULE_YEAR - 1, -1)]:
            text = messages.get(y, {}).get(self.code)
            if text:
                return text
        return self.explanation


_REGISTRY: dict[str, list[Rule]] = {}


def rule(
    code: str,
    *,
    explanation: str,
    fix: str,
    tables: tuple[str, ...],
    fields: tuple[str, ...] = (),
    years: tuple[int, int] | None = None,
    needs_previous: bool = False,
    needs_providers: bool = False,
) -> Callable[[Callable[[Context], Failures]], Callable[[Context], Failures]]:
    """Register a DfE rule.

    ``years`` is (first, last) collection start years inclusive; by default the
    years whose published rule list holds the code. Register the same code twice
    with disjoint ``years`` where the DfE changed the rule's logic.
    """

    def decorate(fn: Callable[[Context], Failures]) -> Callable[[Context], Failures]:
        if years is None:
            published = sorted(y for y, codes in dfe_messages().items() if code in codes)
            first, last = (published[0], published[-1]) if published else (FIRST_RULE_YEAR, LAST_RULE_YEAR)
        else:
            first, last = years
        for t in tables:
            if t not in TABLES:
                raise ValueError(f"rule {code}: unknown table '{t}'")
        new = Rule(code, fn, explanation, fix, tables, fields, first, last, needs_previous, needs_providers)
        for existing in _REGISTRY.get(code, []):
            if not (last < existing.first_year or first > existing.last_year):
                raise ValueError(f"rule {code} registered twice for overlapping years")
        _REGISTRY.setdefault(code, []).append(new)
        return fn

    return decorate


def registered() -> dict[str, list[Rule]]:
    _load_rule_modules()
    return _REGISTRY


def rules_for(year: CollectionYear) -> list[Rule]:
    _load_rule_modules()
    found = [r for versions in _REGISTRY.values() for r in versions if r.applies_to(year)]
    return sorted(found, key=lambda r: _code_sort_key(r.code))


def _code_sort_key(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits and code[0].isdigit() else 10**6, code)


@cache
def dfe_messages() -> dict[int, dict[str, str]]:
    """Rule code → DfE message, per collection start year, from the shipped rule lists."""
    out: dict[int, dict[str, str]] = {}
    folder = resources.files("carewise.codes") / "validation_rules"
    for entry in folder.iterdir():
        name = entry.name
        if not name.startswith("903_") or not name.endswith(".csv"):
            continue
        start = int(name[4:8])
        with entry.open(encoding="utf-8") as fh:
            out[start] = {row["Rule code"]: row["Rule message"] for row in csv.DictReader(fh)}
    return out


def dfe_codes(year: CollectionYear) -> set[str]:
    """The DfE rule codes published for a year (the validator's own INT/EPI checks excluded)."""
    codes = set(dfe_messages().get(year.start_year, {}))
    return {c for c in codes if not (c.startswith("INT") or c in {"EPI", "NoE"})}


_LOADED = False


def _load_rule_modules() -> None:
    global _LOADED
    if _LOADED:
        return
    import importlib
    import pkgutil

    from carewise.validate import rules as rules_pkg

    for module in pkgutil.iter_modules(rules_pkg.__path__):
        importlib.import_module(f"{rules_pkg.__name__}.{module.name}")
    _LOADED = True


def failing_rows(frame: pl.DataFrame, condition: pl.Expr) -> pl.DataFrame:
    """The rows of ``frame`` where ``condition`` is true (null counts as not failing)."""
    return frame.filter(condition.fill_null(False))


def same_child(k: int) -> pl.Expr:
    """True where the row ``k`` rows back (forward when ``k`` is negative) holds the same child,
    in a frame sorted by CHILD (each child's rows together; blank CHILDs together, one group as
    in a window ``over("CHILD")``)."""
    near = pl.col("CHILD").shift(k).eq_missing(pl.col("CHILD"))
    index = pl.int_range(pl.len())
    return near & (index >= k) if k > 0 else near & (index < pl.len() + k)


def child_shift(column: str, k: int) -> pl.Expr:
    """``column`` of the same child's row ``k`` rows back (forward when ``k`` is negative), null
    where there is none: ``pl.col(column).shift(k).over("CHILD")`` for a frame sorted by CHILD,
    without the window (ten times faster on a council's return, fifty on a national one)."""
    return pl.when(same_child(k)).then(pl.col(column).shift(k))


def keep_row_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """Just the columns the engine needs from a failing frame."""
    cols = [c for c in (ROW, "CHILD") if c in frame.columns]
    return frame.select(cols)
