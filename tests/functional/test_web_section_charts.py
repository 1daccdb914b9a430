"""Issue 16 item 5: a chart on the stability, care leavers, health and compliance pages, each
labelled for screen readers with its figures as a table; DfE's comparators on headline tiles."""

from __future__ import annotations

import re
from html import unescape

import pytest
from web_helpers import load_compliance_extracts, page_text, sign_in, synthetic_app

PASSWORD = "section-charts-password-1"
SVG_LABEL = re.compile(r'<svg role="img" aria-label="([^"]+)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-section-charts")
    app, store, council = synthetic_app(root, ("analyst", "panel"), PASSWORD, 160, "2023-24..2024-25", seed=9)
    load_compliance_extracts(store, council.la_code, root)
    return app


@pytest.fixture(scope="module")
def analyst(app):
    return sign_in(app, "analyst", PASSWORD)


def _chart_and_table(html: str) -> tuple[str, str]:
    """The chart's label and the caption of the table that carries its figures (must agree)."""
    label = unescape(SVG_LABEL.search(html).group(1))
    caption = re.search(r'<caption[^>]*id="[\w-]+-table-caption">([^<]+)</caption>', html)
    return label, unescape(caption.group(1))


@pytest.mark.parametrize(("path", "shows"), [
    ("/stability", "Children with 3 or more placements in the period"),
    ("/care-leavers", "Care leavers in touch"),
    ("/health", "Annual health assessment up to date"),
])
def test_a_section_page_has_a_chart_with_its_table(analyst, path, shows):
    html = analyst.get(path).text
    label, caption = _chart_and_table(html)
    assert label == caption and "percent" in label.lower()
    table = html[html.index('-table-caption'):]
    assert shows in page_text(table[:table.index("</table>")])


def test_the_stability_chart_puts_the_council_beside_england(analyst):
    label, _ = _chart_and_table(analyst.get("/stability").text)
    assert "this council beside England" in label and "Statistical neighbours" in label


def test_compliance_has_a_chart_by_team_for_every_role(app, analyst):
    for client in (analyst, sign_in(app, "panel", PASSWORD)):
        html = client.get("/compliance").text
        label, caption = _chart_and_table(html)
        assert label == caption and "by team" in label


def test_count_tiles_carry_the_comparable_rate_with_england(analyst):
    text = page_text(analyst.get("/").text)
    assert re.search(r"Starts per 10,000 children: [\d.]+; England [\d.]+", text)
    assert re.search(r"Share of children looked after who are UASC: [\d.]+%; England [\d.]+%", text)
    assert re.search(r"Children with 3 or more placements in the period .*England: [\d.]+%.*"
                     r"Statistical neighbours \(median\): [\d.]+%", text)


def test_population_headlines_carry_comparators(analyst):
    text = page_text(analyst.get("/population").text)
    assert re.search(r"Children looked after per 10,000 children: [\d.]+; England [\d.]+", text)


def test_population_breakdowns_sit_beside_dfes_published_shares(analyst):
    text = page_text(analyst.get("/population").text)
    assert "England and East of England: DfE's published shares at 31 March 2025" in text
    assert re.search(r"Under 1 year \d+ \d+% \d+% \d+%", text)
    filtered = page_text(analyst.get("/population", params={"sex": "Male"}).text)
    assert "published shares" not in filtered, "a filtered view has no published counterpart"
