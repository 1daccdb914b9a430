"""Published figures for audiences that may not see children: one table family per collection
year, suppressed together, sliced for each period and filtered view asked for.

A panel member can ask for a year, each of its quarters, and the explorer's views of the year
filtered by one characteristic, and line them up. Suppressing each answer on its own lets one
answer give away what another hid (a filtered total minus the visible cells, a year minus its
quarters, 31 March in the year and in its last quarter). So every figure of the family — every
measure for the year and its quarters, and every filtered view of the explorer's measures — goes
into one :class:`carewise.disclosure.Table` with the sums that tie them, and is solved once:

- the same children are the same figure, whichever answer shows them (figures are named by the
  set of children they count, so "Asian" in the unfiltered table and the total of the view
  filtered to Asian children are one figure);
- a filtered view's categories add up to its total; the views of one filter add up to the
  unfiltered table, with the children the filter cannot place (no value at the period's end,
  or no longer looked after) as an unpublished remainder;
- a year's counts of children (starts, leavers …) are its quarters' counts less the children
  counted in two quarters (an unpublished remainder).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from carewise.disclosure import Table, UnpublishedTableError
from carewise.history import History
from carewise.measures import frames
from carewise.measures.engine import _at_date_populations, _pop_key, apply, compute_all, fill
from carewise.measures.explorer import EXPLORER_IDS, FILTERS, options_of, with_filter_columns
from carewise.measures.model import Context, Measure, MeasureResult, Options, Row
from carewise.measures.period import Period, quarter, year
from carewise.measures.registry import MEASURES
from carewise.returns.years import CollectionYear

Plan = list[tuple[MeasureResult, dict[str, str]]]


@dataclass
class Family:
    """A collection year's published figures, suppressed together."""

    periods: dict[str, list[MeasureResult]]
    """By period label: the year and each quarter within the data."""
    views: dict[tuple[str, str], list[MeasureResult]]
    """The explorer's measures for the year, by (filter, value)."""
    options: dict[str, list[str]]


def published(
    history: History,
    period: Period,
    la_code: str | None,
    audience: str,
    *,
    ids: Iterable[str] | None,
    options: Options,
    filters: dict[str, str] | None,
    with_comparators: bool,
) -> list[MeasureResult]:
    """The figures an audience that may not see children is given for a published period."""
    period = options.disclosure.published(period, audience)
    chosen = list(ids) if ids is not None else list(MEASURES)
    compute_all(history, period, la_code, [], options)  # refuses periods after the data
    family = _family(history, CollectionYear.containing(period.end), la_code, options)
    results = _view(family, period, filters, audience) if filters else family.periods[period.label]
    unknown = [i for i in chosen if i not in MEASURES]
    if unknown:
        compute_all(history, period, la_code, unknown, options)  # raises, naming them
    by_id = {r.id: r for r in results}
    out = []
    for mid in chosen:
        if mid in by_id:
            result = copy.deepcopy(by_id[mid])
            result.audience = audience
            if not with_comparators:
                result.comparators = []
            out.append(result)
    return out


def _view(family: Family, period: Period, filters: dict[str, str], audience: str) -> list[MeasureResult]:
    if len(filters) > 1:
        raise UnpublishedTableError(
            f"views for {audience} audiences are filtered by one characteristic at a time "
            f"(you chose {', '.join(FILTERS.get(k, k).lower() for k in filters)}): clear all but one")
    ((name, value),) = filters.items()
    if name not in FILTERS:
        raise UnpublishedTableError(f"'{name}' is not an explorer filter: use one of {', '.join(FILTERS)}")
    if period.kind != "year":
        raise UnpublishedTableError(
            f"filtered views for {audience} audiences are published for collection years only, "
            f"not {period.label}: choose a year")
    if (name, value) not in family.views:
        raise UnpublishedTableError(
            f"no child looked after at {period.end:%d %B %Y} has {FILTERS[name].lower()} '{value}': "
            f"choose one of {', '.join(family.options.get(name, [])) or 'the values offered'}")
    return family.views[(name, value)]


def _family(history: History, cy: CollectionYear, la_code: str | None, options: Options) -> Family:
    key = f"published-family@{cy.label}:{la_code}:{options!r}"
    return frames.once(history, key, lambda: _build(history, cy, la_code, options))


def _build(history: History, cy: CollectionYear, la_code: str | None, options: Options) -> Family:
    last = history.last_date
    windows = [year(cy), *(quarter(cy.start_year, q) for q in range(1, 5))]
    windows = [w for w in windows if last is None or w.end <= last]
    table = Table(threshold=options.disclosure.threshold)
    periods: dict[str, list[MeasureResult]] = {}
    plan: Plan = []
    for w in windows:
        periods[w.label] = compute_all(history, w, la_code, None, options)
        plan += fill(table, periods[w.label])
    names = {id(result): n for result, n in plan}
    if len(windows) == 5:
        _tie_quarters(table, [periods[w.label] for w in windows], names)
    views: dict[tuple[str, str], list[MeasureResult]] = {}
    filter_values: dict[str, list[str]] = {}
    if windows and windows[0].kind == "year":
        filter_values = _views(table, history, windows[0], periods[windows[0].label], names, la_code, options,
                               views, plan)
    hidden = table.solve()
    for result, n in plan:
        apply(result, n, hidden, options.disclosure)
    return Family(periods, views, filter_values)


def _tie_quarters(table: Table, by_window: list[list[MeasureResult]], names: dict[int, dict[str, str]]) -> None:
    """A year's count of children = its quarters' counts - the children counted in two."""
    the_year, *quarters = ({r.id: r for r in results} for results in by_window)
    for mid, result in the_year.items():
        measure = MEASURES[mid]
        if measure.kind != "count" or measure.at_date or not result.available:
            continue
        parts = [p for p in (q.get(mid) for q in quarters) if p is not None and p.available]
        if len(parts) < len(quarters):
            continue
        cells = [("numerator", [result] + parts)]
        for bname in result.breakdowns:
            cells.append((bname, [result] + parts))
        for cell, results in cells:
            for category in _categories(results, cell):
                keyed = [_cell(table, names[id(r)], r, cell, category) for r in results]
                year_key, *quarter_keys = keyed
                values = [table.entries[k].value for k in keyed]
                both = f"{year_key}|sum of quarters"
                table.add(both, sum(values[1:]), derived=True)
                table.add(f"{year_key}|in two quarters", sum(values[1:]) - values[0], implicit=True)
                table.tie(both, quarter_keys)
                table.tie(both, [year_key, f"{year_key}|in two quarters"])


def _categories(results: list[MeasureResult], cell: str) -> list[str | None]:
    if cell == "numerator":
        return [None]
    found: dict[str, None] = {}
    for r in results:
        for row in r.breakdowns.get(cell, []):
            found[row.category] = None
    return list(found)


def _cell(table: Table, names: dict[str, str], result: MeasureResult, cell: str, category: str | None) -> str:
    """The table key of one count of a result (a known zero when the category is absent)."""
    key = names.get("numerator") if category is None else names.get(f"{cell}|{category}|numerator")
    if key is not None and key in table.entries:
        return key
    zero = f"{result.id}@{result.period.label}|{cell}={category}|absent"
    table.add(zero, 0, implicit=True)
    return zero


# -- the explorer's filtered views ----------------------------------------------------------------
#
# A view's figure is named by the conditions that pick its children ("sex=Male|ethnic_group=Asian"),
# so the same figure reached two ways (the total of the view filtered to Asian children and the
# Asian cell of the unfiltered table; Male in the Asian view and Asian in the Male view) is one
# figure. A filter is the same condition as a breakdown when both are read at the same date from
# the same children (the "at date" populations): then its values are that breakdown's categories.


def _grouped(frame: pl.DataFrame, by: list[str]) -> dict[tuple, int]:
    grouped = frame.group_by([pl.col(c).cast(pl.String).fill_null("Not recorded") for c in by]).agg(pl.len())
    return {tuple(r[:-1]): int(r[-1]) for r in grouped.iter_rows()}


def _same_as_breakdown(pop: pl.DataFrame, column: str, breakdowns: list) -> tuple[str, dict[str, str]] | None:
    """The breakdown a filter column is the same partition as (and its category per value)."""
    for b in breakdowns:
        pairs = pop.filter(pl.col(column).is_not_null()).select(
            pl.col(column), pl.col(b.column).cast(pl.String).fill_null("Not recorded")).unique()
        if pairs.height and pairs[column].n_unique() == pairs.height == pairs[b.column].n_unique():
            return b.name, dict(zip(pairs[column].to_list(), pairs[b.column].to_list(), strict=True))
    return None


def _name(pop_key: str, conditions: dict[str, str]) -> str:
    return "|".join([pop_key, *(f"{a}={v}" for a, v in sorted(conditions.items()))])


def _views(table: Table, history: History, w: Period, year_results: list[MeasureResult],
           names: dict[int, dict[str, str]], la_code: str | None, options: Options,
           views: dict[tuple[str, str], list[MeasureResult]], plan: Plan) -> dict[str, list[str]]:
    """Add the explorer's views of the year filtered by one characteristic to the table."""
    at = with_filter_columns(frames.looked_after_at(history, w.end))
    values = options_of(at)
    columns = [f for f in FILTERS if f in at.columns]
    at = at.select("CHILD", *[pl.col(f).cast(pl.String).alias(f"__f_{f}") for f in columns]).unique("CHILD")
    ctx = Context(history, w, la_code, options)
    by_id = {r.id: r for r in year_results}
    at_date = _at_date_populations()
    for mid in EXPLORER_IDS:
        measure, base = MEASURES[mid], by_id.get(mid)
        if base is None or not base.available or measure.kind != "count":
            continue
        pop = measure.population(ctx).join(at, on="CHILD", how="left")
        breakdowns = [b for b in measure.breakdowns if b.name in base.breakdowns and b.column in pop.columns]
        same_date = (measure.population_id or measure.population.__name__) in at_date
        for f in columns:
            same = _same_as_breakdown(pop, f"__f_{f}", breakdowns) if same_date else None
            _add_filter(table, measure, base, names[id(base)], pop, f, values.get(f, []), breakdowns, w,
                        same, views, plan)
    return values


def _add_filter(table: Table, measure: Measure, base: MeasureResult, base_names: dict[str, str],
                pop: pl.DataFrame, f: str, values: list[str], breakdowns: list, w: Period,
                same: tuple[str, dict[str, str]] | None,
                views: dict[tuple[str, str], list[MeasureResult]], plan: Plan) -> None:
    column = f"__f_{f}"
    pop_key = _pop_key(measure, w)
    attribute = same[0] if same else f"{f} at {w.end}"

    def label(value: str) -> str:
        """The breakdown's category for the value (a value this population lacks: "None")."""
        return str(same[1].get(value)) if same else value

    shown = [b for b in breakdowns if b.name != attribute]
    placed = pop.filter(pl.col(column).is_not_null() & pl.col(column).is_in(values))
    rest = pop.filter(~(pl.col(column).is_not_null() & pl.col(column).is_in(values)))
    rest_condition = {attribute: "Not recorded" if same else "(none)"}
    rest_key = _name(pop_key, rest_condition)
    # children the filter cannot place are shown only as a "Not recorded" category, if at all
    unpublished = not same or f"{attribute}|Not recorded|numerator" not in base_names
    table.add(rest_key, rest.height, implicit=unpublished)
    totals = _grouped(placed, [column])
    cells = {b.name: _grouped(placed, [column, b.column]) for b in shown}
    view_names: list[dict[str, str]] = []
    for value in values:
        n_total = totals.get((value,), 0)
        condition = {attribute: label(value)}
        n = {"numerator": _name(pop_key, condition)}
        table.add(n["numerator"], n_total)
        result = MeasureResult(
            id=base.id, title=base.title, section=base.section, kind=base.kind, unit=base.unit, period=w,
            la_code=base.la_code, audience=base.audience, value=float(n_total), numerator=float(n_total),
            denominator=None, dfe=base.dfe, description=base.description, per=base.per,
            higher_is=base.higher_is,
            notes=[f"only children whose {FILTERS[f].lower()} at {w.end:%d %B %Y} was {value}"],
        )
        for b in shown:
            rows, parts = [], []
            for r in base.breakdowns[b.name]:
                count = cells[b.name].get((value, r.category), 0)
                key = _name(pop_key, {**condition, b.name: r.category})
                table.add(key, count)
                n[f"{b.name}|{r.category}|numerator"] = key
                parts.append(key)
                rows.append(Row(r.category, float(count), None, float(count)))
            result.breakdowns[b.name] = rows
            result.breakdown_titles[b.name] = base.breakdown_titles.get(b.name, b.name)
            table.tie(n["numerator"], parts)
        views.setdefault((f, value), []).append(result)
        plan.append((result, n))
        view_names.append(n)
    table.tie(base_names["numerator"], [n["numerator"] for n in view_names] + [rest_key])
    for b in shown:
        rest_cells = _grouped(rest, [b.column])
        rest_parts = []
        for r in base.breakdowns[b.name]:
            rest_part = _name(pop_key, {**rest_condition, b.name: r.category})
            table.add(rest_part, rest_cells.get((r.category,), 0), implicit=unpublished)
            rest_parts.append(rest_part)
            whole = base_names.get(f"{b.name}|{r.category}|numerator")
            if whole is not None:
                table.tie(whole, [*(n[f"{b.name}|{r.category}|numerator"] for n in view_names), rest_part])
        table.tie(rest_key, rest_parts)
