"""Evaluate declared measures for a period; attach comparators; apply disclosure control."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from carewise.disclosure import DEFAULT, Policy, Table
from carewise.errors import UserFacingError
from carewise.history import History
from carewise.measures.model import (
    AUDIENCES,
    Context,
    Measure,
    MeasureResult,
    Options,
    Row,
)
from carewise.measures.period import Period, annual_comparison_note, parse_period
from carewise.measures.registry import MEASURES


class BadAudienceError(UserFacingError):
    exit_code = 2


class PeriodOutsideDataError(UserFacingError):
    exit_code = 2


def _ratio(num: float | None, den: float | None, per: int) -> float | None:
    if num is None or not den:
        return None
    return round(num / den * per, 1)


def _breakdown_rows(
    measure: Measure, pop: pl.DataFrame, column: str, categories: tuple[str, ...]
) -> list[Row]:
    if column not in pop.columns:
        return []
    aggs = [pl.len().alias("n")]
    if measure.kind == "proportion" and measure.numerator is not None:
        aggs.append(measure.numerator.fill_null(False).sum().alias("k"))
    if measure.kind == "mean":
        aggs = [
            pl.col(measure.mean_column).is_not_null().sum().alias("n"),
            pl.col(measure.mean_column).sum().alias("k"),
        ]
    grouped = pop.group_by(pl.col(column).fill_null("Not recorded").alias("cat")).agg(aggs)
    found = {r["cat"]: r for r in grouped.iter_rows(named=True)}
    order = list(categories) + sorted(c for c in found if c not in categories)
    rows = []
    for cat in order:
        r = found.get(cat, {"n": 0, "k": 0})
        n = int(r["n"])
        if measure.kind in ("count", "rate"):
            rows.append(Row(cat, n, None, float(n)))
        elif measure.kind == "proportion":
            k = int(r.get("k") or 0)
            rows.append(Row(cat, k, n, _ratio(k, n, measure.per)))
        else:
            total = float(r.get("k") or 0)
            rows.append(Row(cat, total, n, round(total / n, 1) if n else None))
    return rows


def compute(measure: Measure, ctx: Context) -> MeasureResult:
    """A measure's unsuppressed figure and breakdowns for the context's period."""
    result = MeasureResult(
        id=measure.id,
        title=measure.title,
        section=measure.section,
        kind=measure.kind,
        unit=measure.unit,
        period=ctx.period,
        la_code=ctx.la_code,
        audience="internal",
        value=None,
        numerator=None,
        denominator=None,
        dfe=measure.dfe,
        description=measure.description,
        per=measure.per,
        higher_is=measure.higher_is,
        rule=measure.rule,
    )
    if measure.available is not None:
        missing = measure.available(ctx)
        if missing:
            result.available = False
            result.notes.append(missing)
            return result
    pop = measure.population(ctx)
    if measure.kind == "count":
        result.numerator = float(pop.height)
        result.value = float(pop.height)
    elif measure.kind == "proportion":
        assert measure.numerator is not None
        result.denominator = float(pop.height)
        result.numerator = float(pop.select(measure.numerator.fill_null(False).sum()).item())
        result.value = _ratio(result.numerator, result.denominator, measure.per)
    elif measure.kind == "rate":
        assert measure.denominator is not None
        result.numerator = float(pop.height)
        den, note = measure.denominator(ctx)
        result.denominator = den
        result.value = _ratio(result.numerator, den, measure.per)
        if note:
            result.notes.append(note)
    else:
        col = pl.col(measure.mean_column)
        n, total = pop.select(col.is_not_null().sum().alias("n"), col.sum().alias("s")).row(0)
        result.denominator = float(n)
        result.numerator = float(total or 0)
        result.value = round(result.numerator / n, 1) if n else None
    for b in measure.breakdowns:
        rows = _breakdown_rows(measure, pop, b.column, b.categories)
        if rows:
            result.breakdowns[b.name] = rows
            result.breakdown_titles[b.name] = b.title
    if measure.notes is not None:
        result.notes.extend(measure.notes(ctx))
    return result


def _attach_comparators(measure: Measure, result: MeasureResult, ctx: Context) -> None:
    if measure.benchmark is None or not result.available:
        return
    if measure.counts_in_period and not ctx.period.is_annual:
        result.comparison_note = annual_comparison_note(ctx.period)
        return
    from carewise.benchmarks import comparators, published

    year = ctx.period.year_ending_march
    b = measure.benchmark
    if not b.own_only:
        result.comparators = [
            c.as_dict() for c in comparators(ctx.la_code, b.column, year, b.denominator)
        ]
    own_column = b.column if b.own_only else b.published_column
    if ctx.la_code and own_column:
        own = published(ctx.la_code, own_column, year, b.denominator)
        if own is not None:
            result.comparators.append(own.as_dict())


def _at_date_populations() -> frozenset[str]:
    """Populations fixed by the period's end alone (those of "at date" measures)."""
    return frozenset(m.population_id or m.population.__name__ for m in MEASURES.values() if m.at_date)


def _pop_key(measure: Measure, period: Period) -> str:
    """The name of a measure's population for a period: by its date when it is an "at date"
    population, so a year, its last quarter and that date share its figures (and their
    disclosure control); by its window otherwise."""
    name = measure.population_id or measure.population.__name__
    if name in _at_date_populations():
        return f"{name}@{period.end}"
    return f"{name}@{period.start}:{period.end}"


def _keys(measure: Measure, result: MeasureResult) -> dict[str, str]:
    """Names for a result's figures; the same population's figures share names across measures."""
    pop = _pop_key(measure, result.period)
    window = "" if measure.at_date else f"@{result.period.start}:{result.period.end}"
    numer = f"{pop}|{measure.id}{window}" if measure.kind in ("proportion", "mean") else pop
    if measure.same_as is not None:
        other, breakdown, category = measure.same_as
        numer = f"{_pop_key(MEASURES[other], result.period)}|{breakdown}={category}"
    return {"pop": pop, "numer": numer}


def suppress(results: Iterable[MeasureResult], policy: Policy | int = DEFAULT) -> None:
    """Hide small counts and any figure from which one could be derived (see carewise.disclosure)."""
    policy = policy if isinstance(policy, Policy) else Policy(threshold=policy)
    table = Table(threshold=policy.threshold)
    plan = fill(table, results)
    hidden = table.solve()
    for result, names in plan:
        apply(result, names, hidden, policy)


def fill(table: Table, results: Iterable[MeasureResult]) -> list[tuple[MeasureResult, dict[str, str]]]:
    """Put results' figures and the sums tying them into a disclosure table; returns which
    figure of each result has which name there."""
    results = [r for r in results if r.available]
    plan: list[tuple[MeasureResult, dict[str, str]]] = []
    rest: list[tuple[str, list[str]]] = []
    for result in results:
        measure = MEASURES[result.id]
        k = _keys(measure, result)
        names: dict[str, str] = {}
        if measure.rest_of is not None:
            other, breakdown, category = measure.rest_of
            src = MEASURES[other]
            total = _pop_key(src, result.period)
            rest.append((total, [k["numer"], f"{total}|{breakdown}={category}"]))
        if result.kind in ("count", "rate"):
            table.add(k["numer"], result.numerator)
            names["numerator"] = k["numer"]
            for bname, rows in result.breakdowns.items():
                parts = []
                for row in rows:
                    key = f"{k['pop']}|{bname}={row.category}"
                    table.add(key, row.numerator)
                    parts.append(key)
                    names[f"{bname}|{row.category}|numerator"] = key
                table.tie(k["numer"], parts)
        elif result.kind == "proportion":
            den, num, comp = k["pop"], k["numer"], k["numer"] + "|not"
            table.add(den, result.denominator)
            table.add(num, result.numerator)
            if result.denominator is not None and result.numerator is not None:
                table.add(comp, result.denominator - result.numerator, implicit=True)
                table.tie(den, [num, comp])
            names.update(numerator=num, denominator=den)
            for bname, rows in result.breakdowns.items():
                nparts, dparts = [], []
                for row in rows:
                    d, n = f"{den}|{bname}={row.category}", f"{num}|{bname}={row.category}"
                    table.add(d, row.denominator)
                    table.add(n, row.numerator)
                    table.add(
                        n + "|not", (row.denominator or 0) - (row.numerator or 0), implicit=True
                    )
                    table.tie(d, [n, n + "|not"])
                    nparts.append(n)
                    dparts.append(d)
                    names[f"{bname}|{row.category}|numerator"] = n
                    names[f"{bname}|{row.category}|denominator"] = d
                table.tie(num, nparts)
                table.tie(den, dparts)
        else:  # mean: counts of children, sums of their values
            den, num = k["pop"] + f"|{measure.value_column}", k["numer"] + "|sum"
            table.add(den, result.denominator)
            table.add(num, result.numerator, is_count=False)
            table.link(num, den)
            names.update(numerator=num, denominator=den)
            for bname, rows in result.breakdowns.items():
                nparts, dparts = [], []
                for row in rows:
                    d, n = f"{den}|{bname}={row.category}", f"{num}|{bname}={row.category}"
                    table.add(d, row.denominator)
                    table.add(n, row.numerator, is_count=False)
                    table.link(n, d)
                    nparts.append(n)
                    dparts.append(d)
                    names[f"{bname}|{row.category}|numerator"] = n
                    names[f"{bname}|{row.category}|denominator"] = d
                table.tie(num, nparts)
                table.tie(den, dparts)
        plan.append((result, names))
    for total, parts in rest:  # once every measure's figures are in the table
        if len(parts) == len([p for p in parts if p in table.entries]):
            table.tie(total, parts)
    return plan


def apply(result: MeasureResult, names: dict[str, str], hidden: set[str], policy: Policy = DEFAULT) -> None:
    """Hide a result's figures named in ``hidden``; round the counts shown (policy.rounding)."""
    num_hidden = names.get("numerator") in hidden
    den_hidden = names.get("denominator") in hidden
    if num_hidden or den_hidden:
        result.suppressed = True
        result.value = None
        if num_hidden:
            result.numerator = None
        if den_hidden:
            result.denominator = None
    for bname, rows in result.breakdowns.items():
        for row in rows:
            n_h = names.get(f"{bname}|{row.category}|numerator") in hidden
            d_h = names.get(f"{bname}|{row.category}|denominator") in hidden
            if n_h or d_h:
                row.suppressed = True
                row.value = None
                if n_h:
                    row.numerator = None
                if d_h:
                    row.denominator = None
    if policy.rounding > 1:
        _round_counts(result, policy)


def _round_counts(result: MeasureResult, policy: Policy) -> None:
    """Counts shown rounded to the policy's base (rates and shares keep their unrounded basis,
    as DfE computes percentages from unrounded figures)."""
    rows: list[MeasureResult | Row] = [result, *(row for rows in result.breakdowns.values()
                                                 for row in rows)]
    for row in rows:
        for name in ("numerator", "denominator"):
            value = getattr(row, name)
            if value is not None and (result.kind != "mean" or name == "denominator"):
                setattr(row, name, policy.rounded(value))
        if result.kind == "count" and row.value is not None:
            row.value = policy.rounded(row.value)


def evaluate(
    history: History,
    period: Period | str,
    la_code: str | None = None,
    audience: str = "internal",
    *,
    ids: Iterable[str] | None = None,
    options: Options | None = None,
    with_comparators: bool = True,
    filters: dict[str, str] | None = None,
) -> list[MeasureResult]:
    """Every measure (or those in ``ids``) for the period, for an audience.

    ``internal`` shows every figure; audiences the disclosure policy protects (``panel`` and
    ``public`` by default) get figures for published periods only, from one table family
    suppressed together (``carewise.measures.family``), optionally filtered by one explorer
    characteristic (``filters``). Raises a user-facing error when the period ends after the
    last return stored.
    """
    if audience not in AUDIENCES:
        raise BadAudienceError(f"unknown audience '{audience}': use one of {', '.join(AUDIENCES)}")
    opts = options or Options()
    if opts.disclosure.protects(audience):
        from carewise.measures.family import published

        return published(history, parse_period(period), la_code, audience, ids=ids, options=opts,
                         filters=filters, with_comparators=with_comparators)
    if filters:
        raise UserFacingError("filtered figures are made from the filtered history for internal use")
    results = compute_all(history, parse_period(period), la_code, ids, opts, with_comparators)
    if audience != "internal":  # an audience the council's policy leaves uncontrolled
        for r in results:
            r.audience = audience
    return results


def compute_all(
    history: History,
    the_period: Period,
    la_code: str | None,
    ids: Iterable[str] | None,
    opts: Options,
    with_comparators: bool = True,
) -> list[MeasureResult]:
    """Unsuppressed results of the measures (all, or ``ids``) for one period."""
    if history.last_date is not None and the_period.end > history.last_date:
        raise PeriodOutsideDataError(
            f"the period {the_period.label} ends on {the_period.end:%d %B %Y}, after the last return "
            f"stored (to {history.last_date:%d %B %Y}): choose an earlier period or import the next return"
        )
    ctx = Context(history, the_period, la_code, opts)
    chosen = list(ids) if ids is not None else list(MEASURES)
    unknown = [i for i in chosen if i not in MEASURES]
    if unknown:
        raise UserFacingError(f"unknown measure id(s): {', '.join(unknown)}; see docs/measures.md")
    results = []
    for mid in chosen:
        measure = MEASURES[mid]
        result = compute(measure, ctx)
        if with_comparators:
            _attach_comparators(measure, result, ctx)
        results.append(result)
    return results
