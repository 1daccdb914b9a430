"""The panel pack's compliance sections: statutory compliance, pledges and the action plan.

Importing this module registers three sections with ``carewise.reports.section``
(``reports.build.SECTION_MODULES``). The figures come from the compliance engine
(``compliance.assess``, ``compliance.pledges.pledge_rows``, ``list_actions``); this module only
lays them out. They need the council's store (local extracts, pledges, actions), which the caller
passes to ``build_pack``/``pack_data`` (``PackData.extra["store"]``; the history as
``extra["history"]`` saves reloading): without one these sections are left out. For the panel and
public audiences a rate on too few children is shown as ``x`` (``carewise.disclosure``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from carewise.compliance.pledges import RAG_WORDS, pledge_rows
from carewise.compliance.views import SUMMARY_IDS, Assessment
from carewise.disclosure import current
from carewise.reports.front import MATERIAL_POINTS
from carewise.reports.model import Ask, Cell, ChartBlock, Headline, PackData, Section, TableBlock
from carewise.reports.sections import PANEL_ONLY, section


def pack_store(data: PackData) -> Any | None:
    """The store the pack was built from (``pack_data(store=...)``), or None: a pack built from
    files alone has no local extracts, pledges or actions."""
    return data.extra.get("store")


def _assessment(data: PackData, as_at: date) -> Assessment | None:
    cache = data.extra.setdefault("_compliance", {})
    if as_at in cache:
        return cache[as_at]
    if not data.la_code:
        return None
    from carewise.compliance import assess
    from carewise.compliance.storage import Extracts, load_extracts
    from carewise.errors import UserFacingError

    store = pack_store(data)
    try:
        history = data.extra.get("history") or (store.load_history(data.la_code) if store else None)
        if history is None:
            return None
        extracts = data.extra.get("extracts") or (load_extracts(store, data.la_code) if store else Extracts())
        data.extra["extracts"] = extracts
        data.extra.setdefault("history", history)
        first = history.first_date
        result = assess(history, extracts, as_at) if first and as_at >= first else None
    except UserFacingError:
        result = None
    cache[as_at] = result
    return result


def _shown(value: float | None, denominator: int, audience: str) -> tuple[str, float | None]:
    if value is None:
        return "–", None
    if current().hides_share(denominator, audience):
        return "x", None
    return f"{value:.1f}%", value


def _change(cur: dict[str, Any], prev: dict[str, Any] | None, audience: str) -> str:
    if prev is None or cur["value"] is None or prev["value"] is None:
        return "–"
    if current().hides_share(min(cur["denominator"], prev["denominator"]), audience):
        return "–"
    diff = cur["value"] - prev["value"]
    if abs(diff) < 0.05:
        return "no change"
    return f"{'up' if diff > 0 else 'down'} {abs(diff):.1f} points"


@section("statutory-compliance", "Statutory compliance", order=65, audiences=PANEL_ONLY)
def statutory_compliance(data: PackData) -> Section | None:
    """Visits, reviews, health, PEPs, RHIs and pathway plans on time, with the year's change."""
    a = _assessment(data, data.period.end)
    if a is None:
        return None
    year_before = _assessment(data, date(data.period.end.year - 1, data.period.end.month,
                                         min(data.period.end.day, 28)))
    headlines = []
    rows: dict[str, list[list[Cell]]] = {"window": [], "snapshot": []}
    for sid, s in a.summary.items():
        if not s["assessed"]:
            continue
        text, number = _shown(s["value"], s["denominator"], data.audience)
        prev = year_before.summary.get(sid) if year_before else None
        change = _change(s, prev, data.audience)
        # the headline says its basis, as its table does: 12 months to the date, or on the day
        headlines.append(Headline(sid, f"{s['title']} ({s['period']})", text, "%", "–", change))
        den = s["denominator"]
        den_text = current().count(den, data.audience)
        rows[s["basis"]].append([Cell(s["title"]), Cell(text, number),
                                 Cell(den_text, None if den_text == "x" else float(den)), Cell(change)])
    missing = [SUMMARY_IDS[s][1] for s in SUMMARY_IDS if not a.summary[s]["assessed"]]
    notes = [f"Due dates in the 12 months to {a.as_at:%d %B %Y}, by the statutory timescales "
             "(carewise compliance rules, versioned), counted the same way as the team and month "
             "breakdowns. Reviews come from the 903 return; the rest from the council's local extracts."]
    if rows["snapshot"]:
        notes.append(f"'On {a.as_at:%d %B %Y}' figures count young people on that day, not due dates "
                     "over the year.")
    if missing:
        notes.append("Not shown (extract not loaded): " + ", ".join(missing) + ".")
    window = TableBlock("Compliance", f"On time in the 12 months to {a.as_at:%d %B %Y}",
                        ["Requirement", "On time", "Due", "Change on a year"], rows["window"])
    chart = _on_time_chart(window, "requirement", "Of the visits, reviews, assessments and plans due, the "
                           "share done within the statutory timescale.")
    blocks: list[TableBlock | ChartBlock] = [chart or window]
    if team_chart := _team_chart(a, data.audience):
        blocks.append(team_chart)
    pa = a.summary.get("pa_contact_on_time", {})
    if pa.get("assessed") and pa.get("by_age"):
        pa_rows = []
        for band in pa["by_age"]:
            text, number = _shown(band["value"], band["denominator"], data.audience)
            den = band["denominator"]
            den_text = current().count(den, data.audience)
            pa_rows.append([Cell(band["label"]), Cell(text, number),
                            Cell(den_text, None if den_text == "x" else float(den)), Cell(band["rule"])])
        blocks.append(TableBlock("Personal Adviser contact by age",
                                 f"Personal Adviser contact by age, 12 months to {a.as_at:%d %B %Y}",
                                 ["Age on the due date", "On time", "Due", "The rule at that age"], pa_rows))
    if rows["snapshot"]:
        blocks.append(TableBlock("Compliance on the day", f"Up to date on {a.as_at:%d %B %Y}",
                                 ["Requirement", "Up to date", "Young people", "Change on a year"],
                                 rows["snapshot"]))
    asks = [Ask("note", f"{row[0].text} on time: {row[3].text} on a year, now {row[1].text}.")
            for row in rows["window"] + rows["snapshot"] if _fell(row[3].text)]
    return Section(
        "statutory-compliance", "Statutory compliance",
        intro="Whether each child was seen, reviewed and assessed on time.",
        headlines=headlines,
        blocks=blocks,
        notes=notes,
        asks=asks,
    )


def _fell(change: str) -> bool:
    """A share on time that fell by at least ``front.MATERIAL_POINTS`` on a year ("down 5.5 points")."""
    words = change.split()
    return len(words) == 3 and words[0] == "down" and float(words[1]) >= MATERIAL_POINTS


def _team_chart(a: Assessment, audience: str) -> ChartBlock | None:
    """Due dates met on time by team, every requirement together (``compliance.views.by_group``),
    unallocated last; a team's rate on too few due dates is hidden (``carewise.disclosure``)."""
    import polars as pl

    from carewise.compliance.views import by_group

    teams = by_group(a, "team")
    if not teams.height:
        return None
    totals = teams.group_by("team").agg(pl.col("due").sum(), pl.col("on_time").sum())
    rows = []
    for r in sorted(totals.iter_rows(named=True), key=lambda r: _team_order(r["team"])):
        text, number = _shown(100 * r["on_time"] / r["due"] if r["due"] else None, r["due"], audience)
        due = current().count(r["due"], audience)
        rows.append([Cell(r["team"]), Cell(text, number), Cell(due, None if due == "x" else float(r["due"]))])
    table = TableBlock("Compliance by team", f"Due dates met on time by team, 12 months to {a.as_at:%d %B %Y}",
                       ["Team", "On time", "Due"], rows)
    return _on_time_chart(table, "team", "Every requirement together: visits, reviews, health assessments, "
                          "PEPs, return interviews and pathway plans due in the 12 months, by the allocated team.")


def _team_order(team: str) -> tuple:
    """Teams in natural order ("Children in care 2" before "… 10"), unallocated last."""
    return (team == "(unallocated)", [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", team)])


def _on_time_chart(table: TableBlock, by: str, note: str) -> ChartBlock | None:
    """The table's shown shares on time (its second column) as bars from zero, one per row named
    by its first column (``by``: requirement, team); hidden shares are left out of the picture."""
    import polars as pl

    from carewise.reports import charts

    shown = [(row[0].text, row[1].number) for row in table.rows if row[1].number is not None]
    if not shown:
        return None
    frame = pl.DataFrame({by: [r for r, _ in shown], "on_time": [v for _, v in shown]},
                         schema={by: pl.String, "on_time": pl.Float64})
    return ChartBlock(table.title, charts.bars(frame, by, "on_time", "% on time"), table, note)


@section("pledges", "Our pledges", order=70)
def pledges_section(data: PackData) -> Section | None:
    """Each pledge beside the figure that shows whether it is kept (RAG in words, not colour alone)."""
    if not data.la_code:
        return None
    store = pack_store(data)
    if store is None:
        return None
    try:
        _, rows = pledge_rows(store, data.la_code, data.period.end, data.audience,
                              data.extra.get("history"), data.extra.get("extracts"))
    except Exception:  # noqa: BLE001 - a council without pledges tables/data gets no section
        return None
    if not rows:
        return None
    table = [[Cell(r["ref"]), Cell(r["pledge"]), Cell(r["measure_title"] or r["measure"]),
              Cell(str(r["display"]) if r["display"] is not None else "–", r["value"]),
              Cell(f"{r['target']:g}", r["target"]), Cell(RAG_WORDS[r["rag"]])] for r in rows]
    kept = sum(r["rag"] == "green" for r in rows)
    pledge_table = TableBlock("Pledges", "Pledges and the figures that show them",
                              ["Ref", "Pledge", "Measure", "Figure", "Target", "RAG"], table)
    asks = [Ask("decide" if r["rag"] == "red" else "note",
                f"Pledge {r['ref']} ({r['pledge']}): {RAG_WORDS[r['rag']].lower()} — "
                f"{r['measure_title'] or r['measure']} {r['display']} against a target of {r['target']:g}"
                + (": agree what will change." if r["rag"] == "red" else "."))
            for r in rows if r["rag"] in ("red", "amber")]
    return Section("pledges", "Our pledges", intro=f"{kept} of {len(rows)} pledges kept on {data.period.end:%d %B %Y}.",
                   blocks=[_pledges_chart(rows, pledge_table) or pledge_table], asks=asks)


def _pledges_chart(rows: list[dict[str, Any]], table: TableBlock) -> ChartBlock | None:
    """Each pledge's figure as a bar; the table beside it gives the target and whether it is kept."""
    import polars as pl

    from carewise.reports import charts

    shown = [r for r in rows if r["value"] is not None]
    if not shown:
        return None
    frame = pl.DataFrame({"pledge": [f"{r['ref']}: {r['measure_title'] or r['measure']}" for r in shown],
                          "figure": [float(r["value"]) for r in shown]},
                         schema={"pledge": pl.String, "figure": pl.Float64})
    return ChartBlock(
        "Our pledges: the figure that shows each", charts.bars(frame, "pledge", "figure", "Figure"), table,
        "Each pledge is kept when its figure reaches the target the council set for it.",
        alt="Bar chart of each pledge's figure: " + "; ".join(
            f"{r['ref']} {r['display']} against a target of {r['target']:g}, {RAG_WORDS[r['rag']].lower()}"
            for r in shown) + ".",
    )


@section("action-plan", "Action plan", order=75, audiences=PANEL_ONLY)
def action_plan_section(data: PackData) -> Section | None:
    """The action plan: each action's owner, due date, status and RAG, and its latest update."""
    if not data.la_code:
        return None
    from carewise.compliance.pledges import list_actions

    store = pack_store(data)
    if store is None:
        return None
    try:
        acts = list_actions(store, data.la_code)
    except Exception:  # noqa: BLE001 - no plan stored for this council
        return None
    if not acts:
        return None
    on = data.period.end
    rows = []
    for a in acts:
        last = a.updates[-1] if a.updates else None
        rows.append([Cell(a.ref), Cell(a.action), Cell(a.owner), Cell(f"{a.current_due:%d/%m/%Y}"),
                     Cell(a.status.replace("_", " ") + (" (overdue)" if a.overdue(on) else "")),
                     Cell(a.rag.capitalize()),
                     Cell(f"{last.at:%d/%m/%Y}: {last.note}" if last else "")])
    counts = {r: sum(a.rag == r for a in acts) for r in ("green", "amber", "red")}
    asks = [Ask("decide", f"Action {a.ref} ({a.action}) is "
                + ("overdue" if a.overdue(on) else "red")
                + f", due {a.current_due:%d/%m/%Y}, owner {a.owner}: agree a new date or escalate.")
            for a in acts if a.overdue(on) or a.rag == "red"]
    return Section("action-plan", "Action plan",
                   intro=f"{len(acts)} actions: {counts['green']} green, {counts['amber']} amber, "
                         f"{counts['red']} red.",
                   blocks=[TableBlock("Action plan", "Actions, owners and progress",
                                      ["Ref", "Action", "Owner", "Due", "Status", "RAG", "Latest update"], rows)],
                   asks=asks)
