"""The panel pack's own sections: what the seeds' panel papers show, from the measures."""

from __future__ import annotations

import polars as pl

from carewise.measures import MEASURES, MeasureResult
from carewise.measures.model import format_value
from carewise.reports import charts
from carewise.reports.front import (
    headline_table,
    measure_asks,
    target_ask,
    usable,
    what_changed,
)
from carewise.reports.model import Cell, ChartBlock, PackData, Section, TableBlock, small_numbers
from carewise.reports.sections import section

# -- helpers ---------------------------------------------------------------------------------


def _day(d) -> str:
    return f"{d.day} {d:%B %Y}"


def change_text(cur: MeasureResult | None, prev: MeasureResult | None) -> str:
    """ "up 12 (5.0%)", "down 2.1 points", "no change", or "–" when either figure is hidden."""
    if not (usable(cur) and usable(prev)):
        return "–"
    assert cur is not None and prev is not None and cur.value is not None and prev.value is not None
    diff = cur.value - prev.value
    if abs(diff) < 0.05:
        return "no change"
    word = "up" if diff > 0 else "down"
    if cur.kind == "proportion":
        return f"{word} {abs(diff):.1f} points"
    if cur.kind == "count":
        return f"{word} {abs(diff):,.0f}{_relative(diff, prev.value)}"
    return f"{word} {abs(diff):,.1f}"


def _relative(diff: float, before: float) -> str:
    """A count's change as a share of where it was: one decimal under 10% so a change of 4 in
    1,047 reads "0.4%", never "0%"."""
    if not before:
        return ""
    pct = abs(diff) / before * 100
    return f" ({pct:.1f}%)" if pct < 10 else f" ({pct:.0f}%)"


def _comparator(r: MeasureResult, label: str) -> dict | None:
    return next((c for c in r.comparators if c["label"] == label), None)


def _num(v: float | None) -> float | None:
    return None if v is None else float(v)


def _decides_numerator(rows: list) -> bool:
    """True when a proportion's breakdown is the thing its numerator counts (e.g. "3 or more
    placements" by number of placements): each group is then 0% or 100%, which says nothing,
    so the pack shows how the children divide between the groups instead."""
    shown = [row.value for row in rows if not row.suppressed and row.value is not None]
    return bool(shown) and all(v in (0, 100) for v in shown) and 0 in shown and 100 in shown


def _distribution_table(r: MeasureResult, name: str, tid: str, title: str, rows: list) -> TableBlock:
    """Children in each group of the breakdown, and their share of all the measure counts."""
    total = r.denominator
    out = []
    for row in rows:
        hidden = row.suppressed or row.denominator is None
        pct = None if hidden or not total else round(row.denominator / total * 100, 1)
        out.append([
            Cell(row.category),
            Cell("x" if hidden else f"{row.denominator:,.0f}", None if hidden else _num(row.denominator)),
            Cell("x" if hidden else ("–" if pct is None else f"{pct:.1f}%"), pct),
        ])
    out.append([
        Cell("All"),
        Cell("x" if total is None else f"{total:,.0f}", _num(total)),
        Cell("100%" if total else "–", 100.0 if total else None),
    ])
    return TableBlock(tid, title, [r.breakdown_titles.get(name, name), "Children", "Percentage of all"], out,
                      detail=True)


def breakdown_table(
    r: MeasureResult, name: str, tid: str, title: str | None = None
) -> TableBlock | None:
    """A breakdown as the seeds lay it out: category, number, percentage (and the total)."""
    rows = r.breakdowns.get(name)
    if not rows:
        return None
    title = title or f"{r.title}: {r.breakdown_titles.get(name, name).lower()}"
    out: list[list[Cell]] = []
    if r.kind in ("count", "rate"):
        total = r.numerator
        for row in rows:
            pct = (
                None
                if row.suppressed or not total or row.numerator is None
                else round(row.numerator / total * 100, 1)
            )
            out.append(
                [
                    Cell(row.category),
                    Cell("x" if row.suppressed else f"{row.numerator:,.0f}", _num(row.numerator)),
                    Cell(
                        "x"
                        if pct is None and row.suppressed
                        else ("–" if pct is None else f"{pct:.1f}%"),
                        pct,
                    ),
                ]
            )
        out.append(
            [
                Cell("Total"),
                Cell(
                    r.display
                    if r.kind == "count"
                    else format_value(r.numerator, "count", 1, r.suppressed),
                    _num(r.numerator),
                ),
                Cell("100%" if r.numerator else "–", 100.0 if r.numerator else None),
            ]
        )
        return TableBlock(
            tid, title, [r.breakdown_titles.get(name, name), "Number", "Percentage"], out,
            detail=True,
        )
    if r.kind == "proportion" and _decides_numerator(rows):
        return _distribution_table(r, name, tid, title, rows)
    if r.kind == "proportion":
        for row in rows:
            out.append(
                [
                    Cell(row.category),
                    Cell(
                        "x" if row.numerator is None else f"{row.numerator:,.0f}",
                        _num(row.numerator),
                    ),
                    Cell(
                        "x" if row.denominator is None else f"{row.denominator:,.0f}",
                        _num(row.denominator),
                    ),
                    Cell(format_value(row.value, "proportion", 100, row.suppressed), row.value),
                ]
            )
        out.append(
            [
                Cell("All"),
                Cell("x" if r.numerator is None else f"{r.numerator:,.0f}", _num(r.numerator)),
                Cell(
                    "x" if r.denominator is None else f"{r.denominator:,.0f}", _num(r.denominator)
                ),
                Cell(r.display, r.value),
            ]
        )
        return TableBlock(
            tid, title, [r.breakdown_titles.get(name, name), "Number", "Out of", "Percentage"], out,
            detail=True,
        )
    for row in rows:
        out.append(
            [
                Cell(row.category),
                Cell(
                    "x" if row.denominator is None else f"{row.denominator:,.0f}",
                    _num(row.denominator),
                ),
                Cell(format_value(row.value, "mean", 1, row.suppressed), row.value),
            ]
        )
    out.append(
        [
            Cell("All"),
            Cell("x" if r.denominator is None else f"{r.denominator:,.0f}", _num(r.denominator)),
            Cell(r.display, r.value),
        ]
    )
    return TableBlock(
        tid, title, [r.breakdown_titles.get(name, name), "Children", f"Average ({r.unit})"], out,
        detail=True,
    )


def measures_table(data: PackData, ids: list[str], tid: str, title: str) -> TableBlock:
    """One row per measure: this period, last quarter, last year, England."""
    rows = []
    for mid in ids:
        r = data.current.get(mid)
        if r is None:
            continue
        q, y = data.last_quarter.get(mid), data.last_year.get(mid)
        eng = _comparator(r, "England")
        rows.append(
            [
                Cell(r.title),
                Cell(r.display, r.value if usable(r) else None),
                Cell(q.display if q else "–", q.value if usable(q) else None),
                Cell(y.display if y else "–", y.value if usable(y) else None),
                Cell(
                    format_value(eng["value"], r.kind, r.per) if eng else "–",
                    eng["value"] if eng else None,
                ),
            ]
        )
    return TableBlock(
        tid,
        title,
        ["Measure", data.period.label, "A quarter earlier", "A year earlier", "England"],
        rows,
    )


def measures_chart(
    data: PackData, ids: list[str], tid: str, title: str, axis: str
) -> ChartBlock | None:
    """The section's figures of one kind (all percentages, or all counts of children) as bars,
    with the measures table (a quarter and a year earlier, England) as its table; None when no
    figure can be shown. The short definition of each bar is printed beside the chart."""
    shown = [r for mid in ids if usable(r := data.current.get(mid)) and r is not None]
    if not shown:
        return None
    frame = pl.DataFrame({"measure": [r.title for r in shown], "value": [r.value for r in shown]},
                         schema={"measure": pl.String, "value": pl.Float64})
    return ChartBlock(
        title,
        charts.bars(frame, "measure", "value", axis),
        measures_table(data, ids, tid, title),
        " ".join(f"{r.title}: {r.description[0].lower()}{r.description[1:]}" for r in shown
                 if r.description),
        alt=f"{title}, {data.period.label}: " + "; ".join(f"{r.title} {r.display}" for r in shown) + ".",
    )


def _rules_for(data: PackData, ids: list[str]) -> list[str]:
    """Each measure's counting rule, stated beside its figure (``Measure.rule``): what counts as a
    placement or a move is not guessable, so it is not left to the definitions at the end."""
    return [f"{r.title}: {r.rule}" for mid in ids if (r := data.current.get(mid)) is not None and r.rule]


def _annual_label(data: PackData, ids: list[str]) -> list[str]:
    """The collection year an annual (OC2/OC3) section's figures belong to, said once: a quarter's
    pack shows the year's figures."""
    for mid in ids:
        r = data.current.get(mid)
        if r is not None and r.available and r.notes and r.notes[0].startswith("annual figure"):
            return [r.notes[0][0].upper() + r.notes[0][1:] + "."]
    return []


def _comparison_notes(data: PackData) -> list[str]:
    """Say plainly which figures are not set beside DfE's annual ones, and why (once)."""
    left_out = [r.title for r in data.current.values() if r.comparison_note]
    if not left_out:
        return []
    first = next(r for r in data.current.values() if r.comparison_note)
    return [f"{first.comparison_note} Figures not compared: {', '.join(left_out)}."]


def _notes_for(data: PackData, ids: list[str]) -> list[str]:
    out = []
    for mid in ids:
        r = data.current.get(mid)
        if r is None:
            continue
        if not r.available:
            out.append(f"{r.title}: not shown — {r.notes[0] if r.notes else 'data not available'}.")
    return out


# -- sections --------------------------------------------------------------------------------

HEADLINES = [m.id for m in MEASURES.values() if m.headline]


@section("summary", "At a glance", order=10)
def summary(data: PackData) -> Section:
    """The front page: headlines beside England, region and statistical neighbours (a table),
    what changed and why it matters, and the asks the figures raise (``reports.front``)."""
    asks = measure_asks(data, HEADLINES, change_text)
    target = data.extra.get("in_house_target", 70.0)
    if ask := target_ask(data, "foster_in_house_share_mainstream", target,
                         "Children with mainstream foster carers who live with the council's own carers"):
        asks.append(ask)
    return Section(
        "summary",
        "At a glance",
        blocks=[headline_table(data, HEADLINES, change_text)],
        notes=what_changed(data, HEADLINES, change_text) + _comparison_notes(data),
        notes_title="What changed and why it matters",
        asks=asks,
    )


def _trend_block(data: PackData) -> ChartBlock | None:
    found = [(d, res.get("cla_at_date"), res.get("cla_rate_per_10k")) for d, res in data.trend]
    points = [(d, c, r) for d, c, r in found if c is not None and c.available]
    if len(points) < 2:
        return None
    frame = pl.DataFrame(
        {
            "date": [d.isoformat() for d, _, _ in points],
            "children": [c.value for _, c, _ in points],
        },
        schema={"date": pl.String, "children": pl.Float64},
    )
    svg = charts.line(frame.drop_nulls(), "date", "children", None, "Children looked after")
    rows = [
        [
            Cell(f"{d:%d %b %Y}"),
            Cell(c.display, c.value),
            Cell(r.display if r else "–", r.value if r and usable(r) else None),
        ]
        for d, c, r in points
    ]
    table = TableBlock(
        "cla_trend",
        "Children looked after at each quarter end",
        ["Date", "Children looked after", "Per 10,000 children"],
        rows,
    )
    first, last = points[0], points[-1]
    way = _way(first[1].value, last[1].value)
    return ChartBlock(
        "Children looked after at each quarter end",
        svg,
        table,
        "Number of children looked after on the last day of each quarter.",
        alt=(f"Line chart: children looked after {way} from {first[1].display} on {_day(first[0])} "
             f"to {last[1].display} on {_day(last[0])}."),
    )


def _way(before: float | None, after: float | None) -> str:
    """How a figure moved between two dates, for a chart's text ("changed" when either is hidden)."""
    if before is None or after is None:
        return "changed"
    return "rose" if after > before else "fell" if after < before else "stayed"


def _flows_block(data: PackData) -> ChartBlock | None:
    found = [
        (d, res.get("started_in_quarter"), res.get("ceased_in_quarter")) for d, res in data.trend
    ]
    pts = [(d, s, c) for d, s, c in found if s is not None and c is not None]
    if len(pts) < 2:
        return None
    records = []
    for d, s, c in pts:
        for label, r in (("Started", s), ("Ceased", c)):
            if usable(r):
                records.append({"quarter": f"{d:%b %y}", "series": label, "children": r.value})
    if not records:
        return None
    svg = charts.grouped_bars(pl.DataFrame(records), "quarter", "children", "series", "Children")
    rows = [
        [
            Cell(f"Quarter to {d:%d %b %Y}"),
            Cell(s.display, s.value if usable(s) else None),
            Cell(c.display, c.value if usable(c) else None),
        ]
        for d, s, c in pts
    ]
    table = TableBlock(
        "flows",
        "Children starting and ceasing to be looked after, by quarter",
        ["Quarter", "Started", "Ceased"],
        rows,
    )
    started = sum(s.value for _, s, _ in pts if usable(s) and s.value is not None)
    ceased = sum(c.value for _, _, c in pts if usable(c) and c.value is not None)
    return ChartBlock(
        "Children starting and ceasing to be looked after, by quarter", svg, table,
        "Children who started or ceased to be looked after in each quarter.",
        alt=(f"Bar chart by quarter, {_day(pts[0][0])} to {_day(pts[-1][0])}: {started:,.0f} "
             f"starts and {ceased:,.0f} children ceasing to be looked after where shown."),
    )


def _comparison_chart(data: PackData, mid: str, tid: str) -> ChartBlock | None:
    r = data.current.get(mid)
    if r is None or not usable(r) or not r.comparators:
        return None
    name = data.council_name
    records = [{"area": name, "value": r.value}] + [
        {"area": c["label"], "value": c["value"]}
        for c in r.comparators
        if c["value"] is not None and c["label"] != "Published (this council)"
    ]
    frame = pl.DataFrame(records)
    svg = charts.bars(frame, "area", "value", r.unit, highlight=name)
    rows = [[Cell(name), Cell(r.display, r.value), Cell(f"carewise, {data.period.label}")]] + [
        [
            Cell(c["label"]),
            Cell(format_value(c["value"], r.kind, r.per), c["value"]),
            Cell(f"DfE {c['release']} release, year to 31 March {c['year']}"),
        ]
        for c in r.comparators
    ]
    table = TableBlock(tid, f"{r.title}: comparison", ["Area", r.unit, "Source"], rows)
    return ChartBlock(f"{r.title} compared", svg, table)


@section("population", "Our children looked after", order=20)
def population(data: PackData) -> Section:
    s = Section(
        "population",
        "Our children looked after",
        intro=(
            "Who is looked after on the last day of the period (short breaks excluded, as DfE does)."
        ),
    )
    s.blocks.append(
        measures_table(
            data,
            [
                "cla_at_date",
                "cla_6_months_earlier",
                "cla_12_months_earlier",
                "cla_rate_per_10k",
                "uasc_at_date",
                "turning_18_next_6_months",
                "time_in_care_days",
            ],
            "summary_population",
            "Summary",
        )
    )
    for block in (
        _trend_block(data),
        _comparison_chart(data, "cla_rate_per_10k", "rate_comparison"),
    ):
        if block:
            s.blocks.append(block)
    cla = data.current.get("cla_at_date")
    if cla is not None and cla.available:
        for name, tid in (
            ("age_band", "age"),
            ("sex", "sex"),
            ("ethnic_group", "ethnicity"),
            ("legal_status", "legal_status"),
            ("need", "need"),
            ("uasc_status", "uasc"),
        ):
            t = breakdown_table(cla, name, tid)
            if t:
                s.blocks.append(t)
    for mid, name, tid in (
        ("started_in_period", "need", "starts_need"),
        ("ceased_in_period", "reason", "ceased_reason"),
    ):
        r = data.current.get(mid)
        if r is not None and (t := breakdown_table(r, name, tid)):
            s.blocks.append(t)
    if b := _flows_block(data):
        s.blocks.append(b)
    return s


@section("placements", "Where children live", order=30)
def placements(data: PackData) -> Section:
    s = Section("placements", "Where children live")
    r = data.current.get("placement_type_at_date")
    if r is not None and r.available:
        t = breakdown_table(
            r, "placement_type", "placement_type", "Placement type (foster care by provider)"
        )
        if t:
            s.blocks.append(t)
            rows = [
                row
                for row in r.breakdowns["placement_type"]
                if not row.suppressed and row.numerator
            ]
            if rows:
                frame = pl.DataFrame(
                    {"type": [x.category for x in rows], "children": [x.numerator for x in rows]}
                )
                s.blocks.append(
                    ChartBlock(
                        "Children by placement type",
                        charts.bars(frame, "type", "children", "Children"),
                        TableBlock(
                            "placement_chart",
                            "Children by placement type",
                            ["Placement", "Children"],
                            [
                                [Cell(x.category), Cell(f"{x.numerator:,.0f}", x.numerator)]
                                for x in rows
                            ],
                        ),
                    )
                )
        if t := breakdown_table(
            r, "placement_group", "placement_group", "Placement type (DfE groups)"
        ):
            s.blocks.append(t)
    share = data.current.get("foster_in_house_share")
    if (
        share is not None
        and share.available
        and (
            t := breakdown_table(
                share, "placement_type", "foster_provider", "Fostered children by provider"
            )
        )
    ):
        s.blocks.append(t)
        mainstream = data.current.get("foster_in_house_share_mainstream")
        s.notes.append(
            f"In-house share on two bases: {share.display} of all fostered children (family and "
            "friends included); "
            + (f"{mainstream.display} of children with mainstream carers, in-house or agency. "
               if mainstream is not None else "")
            + f"The target, {data.extra.get('in_house_target', 70.0):.0f}%, is on the mainstream basis."
        )
    s.blocks.append(
        measures_table(
            data,
            [
                "foster_share_at_date",
                "foster_in_house_share",
                "foster_in_house_share_mainstream",
                "childrens_homes_share_at_date",
                "placed_outside_council",
            ],
            "placement_measures",
            "Placement measures",
        )
    )
    s.notes += _notes_for(data, ["placed_outside_council"])
    return s


@section("stability", "Stability", order=40)
def stability(data: PackData) -> Section:
    ids = [
        "stability_three_plus_placements",
        "stability_long_term",
        "stability_one_plus_moves",
        "placement_moves_per_child",
    ]
    s = Section(
        "stability",
        "Stability",
        intro="DfE's placement stability measures and the placement part of the Children's Commissioner's stability index.",
    )
    if chart := measures_chart(data, ids[:3], "stability", "Placement stability", "% of children"):
        s.blocks.append(chart)
    s.notes += _rules_for(data, ids)
    s.notes_title = "How moves and placements are counted"
    s.blocks.append(measures_table(data, ids[3:], "stability_moves", "Placement moves"))
    if b := _comparison_chart(data, "stability_long_term", "long_term_comparison"):
        s.blocks.append(b)
    r = data.current.get("stability_three_plus_placements")
    if r is not None and (
        t := breakdown_table(
            r,
            "placements",
            "placements_in_year",
            "Children looked after by placements in the period",
        )
    ):
        s.blocks.append(t)
    return s


@section("permanence", "Permanence and adoption", order=50)
def permanence(data: PackData) -> Section:
    s = Section("permanence", "Permanence and adoption")
    left = ["ceased_adopted", "ceased_sgo", "ceased_cao", "ceased_returned_home"]
    if chart := measures_chart(data, left, "permanence", "How children left care", "Children"):
        s.blocks.append(chart)
    s.blocks.append(
        measures_table(data, ["adopted_share_of_leavers"], "adopted_share", "Adopted, as a share of leavers")
    )
    score = [
        "adoption_a1_days",
        "adoption_a1_days_3y",
        "adoption_a10_days",
        "adoption_a10_days_3y",
        "adoption_a2_days",
        "adoption_a2_days_3y",
    ]
    s.blocks.append(
        measures_table(
            data, score, "scorecard", "Adoption scorecard (days; DfE thresholds A1/A10 426, A2 121)"
        )
    )
    s.blocks.append(
        measures_table(
            data,
            [
                "adoption_days_decision_to_order",
                "adoption_days_order_to_match",
                "adoption_days_match_to_placed",
                "adoption_days_placed_to_adopted",
            ],
            "adoption_journey",
            "Adoption journey, children adopted in the period (days)",
        )
    )
    r = data.current.get("adoption_pipeline")
    if r is not None and (
        t := breakdown_table(r, "stage", "pipeline", "Children on the way to adoption")
    ):
        s.blocks.append(t)
    s.notes += _notes_for(data, score)
    return s


@section("health", "Health and wellbeing", order=60)
def health(data: PackData) -> Section | None:
    ids = [
        "health_assessments",
        "dental_checks",
        "immunisations",
        "development_checks_under_5",
        "sdq_completed",
        "sdq_mean_score",
        "substance_misuse",
        "convictions",
    ]
    s = Section(
        "health",
        "Health and wellbeing",
        intro="Children looked after for 12 months or more at 31 March (the OC2 group), from the collection year's return.",
    )
    shares = [mid for mid in ids if mid != "sdq_mean_score"]
    chart = measures_chart(data, shares, "health", "Health and wellbeing", "% of children")
    s.blocks.append(chart or measures_table(data, shares, "health", "Health and wellbeing"))
    s.blocks.append(measures_table(data, ["sdq_mean_score"], "sdq_score", "Average SDQ score"))
    s.notes += _annual_label(data, ids)
    s.notes += _notes_for(data, ids[:1])
    return s


@section("care_leavers", "Care leavers", order=65)
def care_leavers(data: PackData) -> Section:
    ids = ["care_leavers_in_touch", "care_leavers_eet", "care_leavers_suitable_accommodation"]
    s = Section(
        "care_leavers",
        "Care leavers",
        intro="Care leavers around their 17th to 21st birthdays in the collection year (OC3).",
    )
    chart = measures_chart(data, ids, "care_leavers", "Care leavers", "% of care leavers")
    s.blocks.append(chart or measures_table(data, ids, "care_leavers", "Care leavers"))
    for mid in ids:
        r = data.current.get(mid)
        if (
            r is not None
            and r.available
            and (t := breakdown_table(r, "age_group", f"{mid[12:]}_age"[:31]))
        ):
            s.blocks.append(t)
    s.notes += _annual_label(data, ids)
    s.notes += _notes_for(data, ids[:1])
    return s


@section("missing", "Missing from care", order=68)
def missing(data: PackData) -> Section:
    s = Section("missing", "Missing from care")
    children = ["missing_children", "missing_children_missing", "missing_children_away"]
    incidents = ["missing_incidents", "missing_incidents_missing", "missing_incidents_away"]
    chart = measures_chart(data, children, "missing", "Children missing or away from placement",
                           "Children")
    s.blocks.append(chart or measures_table(data, children, "missing", "Missing or away from placement"))
    s.blocks.append(measures_table(data, incidents, "missing_incidents", "Missing or away incidents"))
    r = data.current.get("missing_children")
    if r is not None and (
        t := breakdown_table(r, "kind", "missing_kind", "Children missing or away")
    ):
        s.blocks.append(t)
    s.notes += _notes_for(data, ["return_home_interviews"])
    return s


@section("comparison", "National comparison", order=80)
def comparison(data: PackData) -> Section:
    rows = []
    for r in data.current.values():
        comps = {c["label"]: c for c in r.comparators}
        eng = comps.get("England")
        if not r.available or eng is None:
            continue
        region = next(
            (
                c
                for c in r.comparators
                if c["label"]
                not in ("England", "Statistical neighbours (median)", "Published (this council)")
            ),
            None,
        )
        sn = comps.get("Statistical neighbours (median)")

        def cell(c, r=r):
            return Cell(
                "–" if not c or c["value"] is None else format_value(c["value"], r.kind, r.per),
                c["value"] if c else None,
            )

        rows.append(
            [
                Cell(r.title),
                Cell(r.display, r.value if usable(r) else None),
                cell(eng),
                cell(region),
                cell(sn),
                Cell(f"{eng['year']} (DfE {eng['release']} release)"),
            ]
        )
    t = TableBlock(
        "comparison",
        "This council beside England, its region and statistical neighbours",
        [
            "Measure",
            data.council_name,
            "England",
            "Region",
            "Statistical neighbours (median)",
            "Comparator year",
        ],
        rows,
        caption="DfE revises earlier years in each release; the release of every comparator is shown. Statistical neighbours: DfE 2025 model.",
    )
    return Section("comparison", "National comparison", blocks=[t], notes=_comparison_notes(data),
                   appendix_only=True)


@section("about", "About these figures", order=90)
def about(data: PackData) -> Section:
    notes = [
        "Children looked after under an agreed series of short breaks (legal status V3/V4) are left out of every figure, as DfE does.",
        "Starts count the first time each child started to be looked after in the period; leavers count the last time each child left.",
    ]
    if small := small_numbers(data.audience):
        notes.append(f"Disclosure control: {small} Figures are hidden (x) wherever they would let a "
                     "small number be worked out by subtraction.")
    notes.append(
        "Sources: the council's SSDA903 returns; DfE 'Children looked after in England including adoptions' (releases 2023-2025); ONS mid-year population estimates. Contains public sector information licensed under the Open Government Licence v3.0."
    )
    rows = [[Cell(m.title), Cell(m.id), Cell(f"{m.dfe}. {m.rule}" if m.rule else m.dfe)]
            for m in MEASURES.values()]
    return Section(
        "about",
        "About these figures",
        reference=True,
        notes=notes,
        blocks=[
            TableBlock(
                "definitions", "How each figure is defined", ["Measure", "Id", "Definition"], rows
            )
        ],
    )
