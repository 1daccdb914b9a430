"""Issue 16 items 2 and 3: the pack a panel reads in 15 minutes, and reads with a screen reader.

The front page (headlines beside England, region and statistical neighbours; what changed; what
the panel is asked to note or decide), a chart per section with its tables in an appendix, alt text
on every chart, the public pack shorter than the panel's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from carewise.history import stitch
from carewise.reports import ChartBlock, Section, TableBlock, build_sections, pack_data
from carewise.reports.builtin import change_text
from carewise.reports.front import (
    MATERIAL_POINTS,
    headline_table,
    measure_asks,
    what_changed,
)
from carewise.reports.model import chart_alt, small_numbers
from carewise.reports.render_html import pages_for, render_html
from carewise.returns.build import return_from_rows


@pytest.fixture(scope="module")
def history():
    from carewise.synth import generate_council

    return stitch(generate_council(80, "2022-23..2024-25", seed=16).returns)


@pytest.fixture(scope="module")
def panel(history):
    data = pack_data(history, "2024-25", "E06000056", "panel")
    return data, build_sections(data)


def _with(result, value, comparators=None):
    """A measure's result with another value (and comparators), for hand-worked cases."""
    return replace(result, value=value, suppressed=False, available=True,
                   comparators=result.comparators if comparators is None else comparators)


def _comparators(england, region, neighbours):
    return [
        {"label": "England", "value": england, "year": 2025, "release": "2025"},
        {"label": "East Midlands", "value": region, "year": 2025, "release": "2025"},
        {"label": "Statistical neighbours (median)", "value": neighbours, "year": 2025, "release": "2025"},
    ]


def test_front_page_sets_each_headline_beside_england_region_and_neighbours(panel):
    data, _ = panel
    long_term = data.current["stability_long_term"]
    data = replace(data, current={**data.current, "stability_long_term": _with(
        long_term, 60.0, _comparators(68.0, 66.0, 70.0))})
    table = headline_table(data, ["stability_long_term", "cla_at_date"], change_text)
    assert table.columns[3:6] == ["England", "East Midlands", "Statistical neighbours"]
    row = next(r for r in table.rows if r[0].text == long_term.title)
    assert [c.text for c in row[3:]] == ["68.0%", "66.0%", "70.0%", "Worse"]
    # a count is compared through its rate per 10,000 (DfE compares rates, not counts)
    cla = next(r for r in table.rows if r[0].text == data.current["cla_at_date"].title)
    assert "per 10,000" in cla[1].text and cla[3].text != "–"
    assert not any(r[0].text == data.current["cla_rate_per_10k"].title for r in table.rows)


def test_what_changed_says_only_material_moves_and_why(panel):
    data, _ = panel
    before = data.last_year["health_assessments"]
    now_ = _with(data.current["health_assessments"], 80.0)
    small = _with(before, 80.0 - MATERIAL_POINTS / 2)
    large = _with(before, 80.0 + MATERIAL_POINTS * 2)
    quiet = replace(data, current={**data.current, "health_assessments": now_},
                    last_year={**data.last_year, "health_assessments": small})
    loud = replace(quiet, last_year={**data.last_year, "health_assessments": large})
    assert what_changed(quiet, ["health_assessments"], change_text)[0].startswith("No headline figure moved")
    (sentence,) = what_changed(loud, ["health_assessments"], change_text)
    assert "84.0% a year earlier, now 80.0%, down 4.0 points." in sentence
    assert "A deterioration for children: higher is better" in sentence


def test_panel_is_asked_to_decide_on_a_figure_worse_than_england_that_got_worse(panel):
    data, _ = panel
    mid = "stability_three_plus_placements"  # lower is better
    cur = _with(data.current[mid], 14.0, _comparators(10.0, 11.0, 9.0))
    worse = replace(data, current={**data.current, mid: cur},
                    last_year={**data.last_year, mid: _with(data.last_year[mid], 9.0)})
    steady = replace(worse, last_year={**data.last_year, mid: _with(data.last_year[mid], 14.0)})
    better = replace(worse, current={**data.current, mid: _with(cur, 8.0)})
    (ask,) = measure_asks(worse, [mid], change_text)
    assert ask.kind == "decide" and "worse than England (10.0%)" in ask.text
    (ask,) = measure_asks(steady, [mid], change_text)
    assert ask.kind == "note"
    assert measure_asks(better, [mid], change_text) == []


class _Charts(HTMLParser):
    """Each <svg>: its attributes and whether its first child is a <title> with text."""

    def __init__(self):
        super().__init__()
        self.svgs: list[dict] = []
        self._last_start = ""

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs.append({"attrs": dict(attrs), "title": ""})
        elif tag == "title" and self._last_start == "svg":
            self.svgs[-1]["title"] = "pending"
        self._last_start = tag

    def handle_data(self, data):
        if self.svgs and self.svgs[-1]["title"] == "pending":
            self.svgs[-1]["title"] = data


@pytest.mark.parametrize("for_print", [False, True])
def test_every_chart_has_its_message_in_words(panel, for_print):
    data, sections = panel
    charts = [b for s in sections for b in s.blocks if isinstance(b, ChartBlock)]
    assert len(charts) >= 6
    parser = _Charts()
    parser.feed(render_html(data, sections, for_print=for_print))
    assert len(parser.svgs) == len(charts)
    for svg, chart in zip(parser.svgs, charts, strict=True):
        assert svg["attrs"]["role"] == "img"
        assert svg["attrs"]["aria-label"] == svg["title"] == chart_alt(chart)
        assert len(svg["title"]) > len(chart.title)


def test_alt_text_from_the_table_names_the_highest_and_lowest():
    table = TableBlock("t", "Children by age", ["Age", "Children"], [])
    from carewise.reports.model import Cell

    table.rows = [[Cell("Under 1"), Cell("5", 5.0)], [Cell("10 to 15"), Cell("40", 40.0)], [Cell("1 to 4"), Cell("x")]]
    alt = chart_alt(ChartBlock("Children by age", "<svg></svg>", table))
    assert "highest 10 to 15, 40" in alt and "lowest Under 1, 5" in alt


def test_a_chart_for_every_section_with_figures_and_tables_in_the_appendix(panel):
    data, sections = panel
    by_id = {s.id: s for s in sections}
    for sid in ("population", "placements", "stability", "permanence", "health", "care_leavers", "missing"):
        assert any(isinstance(b, ChartBlock) for b in by_id[sid].blocks), sid
    html = render_html(data, sections, for_print=True)
    body, appendix = html.split('<section id="appendix"')
    assert "<table id=" not in body.split('class="front"')[1]  # no table in the body after page 1
    assert appendix.count("<table id=") == sum(len(p.listed(True)) for p in pages_for(sections, "panel"))
    assert re.search(r"<caption>Table 1\.1: ", appendix)


def test_public_pack_leaves_out_breakdowns_and_panel_only_sections(history, panel):
    data, sections = panel
    public_data = pack_data(history, "2024-25", "E06000056", "public")
    public = build_sections(public_data)
    panel_tables = sum(len(p.listed(True)) for p in pages_for(sections, "panel"))
    public_tables = sum(len(p.listed(True)) for p in pages_for(public, "public"))
    assert public_tables < panel_tables
    assert {s.id for s in public} <= {s.id for s in sections}
    assert "forecast" in {s.id for s in sections} and "forecast" not in {s.id for s in public}


def test_a_section_without_figures_says_so(panel):
    data, sections = panel
    empty = Section("empty", "Nothing yet", intro="No extract loaded.")
    html = render_html(data, [*sections[:2], empty])
    assert "No figures for this section in this period." in html


def test_the_small_number_note_follows_the_disclosure_policy(monkeypatch):
    from carewise import disclosure

    monkeypatch.setattr(disclosure, "current", lambda: disclosure.Policy(threshold=10))
    assert "(1 to 9)" in small_numbers("public") and small_numbers("internal") == ""


def test_tables_keep_small_ones_whole_and_repeat_long_headers(panel):
    data, sections = panel
    html = render_html(data, sections, for_print=True)
    assert 'class="keep"' in html and "thead { display: table-header-group; }" in html
    assert "div.keep { break-inside: avoid; }" in html and "tr { break-inside: avoid; }" in html


def test_front_page_without_history_before_the_year(panel):
    """A council's first year has no year-earlier figures: the front page still says so in words."""
    header = [{"CHILD": str(i), "SEX": "MF"[i % 2], "DOB": "01/06/2012", "ETHNIC": "WBRI"} for i in range(12)]
    eps = [{"CHILD": str(i), "DECOM": "01/05/2024", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4",
            "PLACE_PROVIDER": "PR1"} for i in range(12)]
    history = stitch([return_from_rows("2024-25", header=header, episodes=eps)])
    data = pack_data(history, "2024-25", None, "panel")
    html = render_html(data, build_sections(data))
    assert "What the panel is asked to note or decide" in html and "No headline figure moved" in html
