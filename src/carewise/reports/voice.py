"""The pack's "What children told us" section: per pledge what children said over the years, the
review consultations, care leavers' views beside their outcomes, "you said, we did", quotes the
council marked for publication, and the national comparison when one was supplied.

Importing this module registers the section (``reports.build.SECTION_MODULES``). Every figure
comes from ``voice.summary.voice_summary`` for the pack's audience, so panel and public packs see
small groups as ``x`` (``carewise.disclosure``).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from carewise.reports.model import Ask, Cell, ChartBlock, PackData, Section, TableBlock
from carewise.reports.sections import section
from carewise.voice.extracts import AGE_GROUP_TITLES

GROUPS = (*AGE_GROUP_TITLES, "all")
GROUP_TITLES = {**AGE_GROUP_TITLES, "all": "All"}
LEAVER_OUTCOMES = ("care_leavers_in_touch", "care_leavers_eet", "care_leavers_suitable_accommodation")
"""Care leavers' outcomes (DfE measures, 903 OC3) shown beside what care leavers said."""


def _cell(group: dict[str, Any]) -> Cell:
    return Cell(group["share"], group["value"])


def _pledge_block(p: dict[str, Any]) -> ChartBlock | TableBlock:
    """Shares by year and age group: a chart with its table (the table alone when nothing is shown)."""
    rows = [[Cell(str(y["year"])), *[_cell(y["groups"][g]) for g in GROUPS]] for y in p["years"]]
    table = TableBlock(f"Voice {p['ref']}"[:31], f"{p['ref']}. {p['pledge']}: share who agree",
                       ["Year", *[GROUP_TITLES[g] for g in GROUPS]], rows,
                       caption="Questions: " + "; ".join(q["text"] for q in p["questions"]))
    points = [{"year": str(y["year"]), "group": GROUP_TITLES[g], "share": y["groups"][g]["value"]}
              for y in p["years"] for g in AGE_GROUP_TITLES if y["groups"][g]["value"] is not None]
    if not points:
        return table
    from carewise.reports.charts import grouped_bars

    svg = grouped_bars(pl.DataFrame(points), "year", "share", "group", "% who agree")
    return ChartBlock(f"{p['ref']}. {p['pledge']}", svg, table,
                      description="Share of children who agree, by survey year and age group "
                                  "(groups too small to show are left out).")


def _leavers_block(data: PackData, pledges: list[dict[str, Any]]) -> TableBlock | None:
    """Care leavers' views (latest survey) beside their outcomes for the period."""
    rows = []
    for p in pledges:
        latest = next((y for y in reversed(p["years"]) if y["groups"]["care_leaver"]["children"] != "0"), None)
        if latest is not None:
            g = latest["groups"]["care_leaver"]
            rows.append([Cell(f"Said: {p['pledge']} ({latest['year']})"), Cell(g["share"], g["value"])])
    for mid in LEAVER_OUTCOMES:
        m = data.current.get(mid)
        if m is not None:
            text = "x" if m.suppressed else ("–" if m.value is None else f"{m.value:.0f}%")
            rows.append([Cell(f"Outcome: {m.title}"), Cell(text, None if m.suppressed else m.value)])
    if not rows:
        return None
    return TableBlock("Care leavers views", "Care leavers: what they said beside their outcomes",
                      ["", "Share"], rows)


def _asks_block(asks: list[dict[str, Any]]) -> TableBlock:
    rows = [[Cell(a["ref"]), Cell(a["you_said"]), Cell(a["owner"]), Cell(f"{a['due']:%d/%m/%Y}"),
             Cell(a["status"].replace("_", " ") + (" (overdue)" if a["overdue"] else "")),
             Cell(a["we_did"] or ""), Cell(a["pledge"] or "")] for a in asks]
    return TableBlock("You said we did", "You said, we did",
                      ["Ref", "You said", "Owner", "Due", "Status", "We did", "Pledge"], rows)


def _consultation_block(items: list[dict[str, Any]]) -> TableBlock:
    rows = [[Cell(f"{i['year']}: {label}"), *[_cell(i[flag][g]) for g in GROUPS]]
            for i in items for flag, label in (("listened_to", "felt listened to"),
                                               ("understood_plan", "understood their plan"))]
    return TableBlock("Review consultations", "Before their reviews, children who…",
                      ["Year", *[GROUP_TITLES[g] for g in GROUPS]], rows)


@section("voice", "What children told us", order=72)
def voice_section(data: PackData) -> Section | None:
    """Per pledge, what children said over time and what was done about it."""
    if not data.la_code:
        return None
    from carewise.reports.compliance import pack_store
    from carewise.voice.summary import voice_summary

    store = pack_store(data)
    if store is None:
        return None
    got = voice_summary(store, data.la_code, data.audience, data.period.end, data.extra.get("history"),
                        rag_at=data.period.end, extracts=data.extra.get("extracts"))
    if not got["loaded"]:
        return None
    end = data.period.end.year
    for p in got["pledges"]:
        p["years"] = [y for y in p["years"] if y["year"] <= end]
    blocks: list[TableBlock | ChartBlock] = [_pledge_block(p) for p in got["pledges"] if p["years"]]
    leavers = _leavers_block(data, got["pledges"])
    if leavers:
        blocks.append(leavers)
    consultations = [i for i in got["consultations"] if i["year"] <= end]
    if consultations:
        blocks.append(_consultation_block(consultations))
    if got["asks"]:
        blocks.append(_asks_block(got["asks"]))
    quotes = [q for q in got["quotes"] if q["year"] <= end]
    if quotes:
        blocks.append(TableBlock("In their words", "In their words (comments the council agreed to publish)",
                                 ["Said", "Age group", "Year", "Pledge"],
                                 [[Cell(f"“{q['quote']}”"), Cell(q["age_group"]), Cell(str(q["year"])),
                                   Cell(q["pledge"] or "")] for q in quotes]))
    if got["benchmarks_supplied"]:
        bench = [[Cell(p["ref"]), Cell(AGE_GROUP_TITLES[b["age_group"]]), Cell(f"{b['share']:.0f}%", b["share"]),
                  Cell(b["source"])] for p in got["pledges"] for b in p["benchmarks"]]
        blocks.append(TableBlock("National comparison", "National survey results",
                                 ["Pledge", "Age group", "Share who agree", "Source"], bench))
    s = got["asks_summary"]
    notes = ["Share who agree: of the children who answered at least one of the pledge's questions "
             "(\"don't know\" left out), those whose every answer agreed (top two points of a scale, or "
             "yes); each child once per pledge. Years are the calendar years of the surveys.",
             "x: not shown to protect confidentiality (a small group, or a figure that would give one "
             "away); –: nobody in the group answered."]
    if got["benchmark_note"]:
        notes.append(got["benchmark_note"])
    asks = [Ask("decide", f"{s['overdue']} of the {s['total']} asks from the Children in Care Council and "
                "care leavers' forum are overdue for a response: agree who answers and by when.")
            ] if s["overdue"] else []
    return Section("voice", "What children told us",
                   intro=f"{s['total']} asks from the Children in Care Council and care leavers' forum: "
                         f"{s['answered']} answered, {s['overdue']} overdue for a response.",
                   blocks=blocks, notes=notes, asks=asks)
