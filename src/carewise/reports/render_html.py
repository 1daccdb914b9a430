"""The pack as one self-contained HTML page (inline CSS and SVG), GOV.UK-like typography.

The same HTML, with print rules, is what weasyprint turns into the PDF (``render_pdf``). The pack
reads in the order a panel reads it: the front page (headlines beside England, region and
statistical neighbours; what changed; what the panel is asked to note or decide), then one chart
or more per section with a short definition beside it, then the tables in an appendix, then the
full definitions. Every chart carries its message in words (SVG ``<title>``, ``role="img"`` and
``aria-label``: alt text on screen and in the tagged PDF); every table has a caption and
``<th scope>`` headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from carewise.reports.model import (
    SYNTHETIC_NOTICE,
    Ask,
    ChartBlock,
    PackData,
    Section,
    TableBlock,
    chart_alt,
    small_numbers,
)

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-left { content: "Corporate parenting panel pack"; font: 8pt "DejaVu Sans", Arial, sans-serif; color: #505a5f; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", Arial, sans-serif; color: #505a5f; } }
html { font-family: "GDS Transport", Arial, Helvetica, "Liberation Sans", "DejaVu Sans", sans-serif; color: #0b0c0c; font-size: 16px; line-height: 1.35; }
body { margin: 0; background: #fff; }
.header { background: #0b0c0c; color: #fff; padding: 12px 24px; border-bottom: 8px solid #1d70b8; }
.header strong { font-size: 20px; }
main { max-width: 960px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 36px; margin: 16px 0 4px; line-height: 1.1; }
h2 { font-size: 27px; margin: 40px 0 12px; border-top: 2px solid #b1b4b6; padding-top: 16px; }
h3 { font-size: 19px; margin: 24px 0 8px; }
h2, h3 { break-after: avoid; }
.caption { color: #505a5f; font-size: 19px; margin: 0 0 12px; }
.banner { border: 5px solid #1d70b8; padding: 0 16px; margin: 16px 0; }
.cards { margin: 8px 0 16px; font-size: 0; }
.card { display: inline-block; vertical-align: top; width: 30%; min-height: 150px; margin: 0 1.5% 12px 0; box-sizing: border-box; font-size: 16px; border-left: 6px solid #1d70b8; background: #f3f2f1; padding: 10px 12px; break-inside: avoid; }
.card.better { border-left-color: #00703c; } .card.worse { border-left-color: #d4351c; }
.card .t { font-size: 14px; font-weight: bold; min-height: 2.6em; }
.card .v { font-size: 32px; font-weight: bold; line-height: 1.1; margin: 4px 0; }
.card .u, .card .c { font-size: 13px; color: #383f43; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 20px; font-size: 15px; break-inside: auto; }
div.keep { break-inside: avoid; } caption { break-after: avoid; }
thead { display: table-header-group; }
caption { text-align: left; font-weight: bold; font-size: 17px; padding-bottom: 6px; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 6px 8px 6px 0; text-align: left; vertical-align: top; }
th { font-weight: bold; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
tbody tr:first-child, tbody tr:nth-child(2) { break-after: avoid; }
tbody tr:last-child, tbody tr:nth-last-child(2) { break-before: avoid; }
h2 + .synthetic, .intro { break-after: avoid; } .listed { break-before: avoid; }
td.better { color: #00703c; font-weight: bold; } td.worse { color: #d4351c; font-weight: bold; }
.figure { break-inside: avoid; margin: 0 0 12px; }
figure.chart { margin: 4px 0; } .chart svg { max-width: 100%; height: auto; }
.definition { font-size: 14px; color: #383f43; margin: 0 0 6px; }
details { margin: 0 0 20px; } summary { color: #1d70b8; text-decoration: underline; cursor: pointer; }
a { color: #1d70b8; }
.notes li { margin-bottom: 6px; }
.asks li { margin-bottom: 6px; } .asks .kind { font-weight: bold; }
.small { font-size: 14px; color: #505a5f; }
.nodata { border-left: 5px solid #b1b4b6; padding: 4px 12px; color: #383f43; }
dl.definitions { font-size: 14px; } dl.definitions dt { font-weight: bold; margin-top: 8px; break-after: avoid; }
dl.definitions dd { margin: 0 0 4px 0; } dl.definitions .id { font-weight: normal; color: #505a5f; }
@media print {
  .header { background: #fff; color: #0b0c0c; padding: 0 0 4px; border-bottom-width: 4px; }
  .header strong { font-size: 13pt; }
  main { max-width: none; padding: 0; }
  html { font-size: 10pt; line-height: 1.3; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
  h1 { font-size: 20pt; margin-top: 8px; } h2 { font-size: 15pt; margin: 14px 0 6px; border-top: none; padding-top: 0; }
  h3 { font-size: 11.5pt; margin: 10px 0 4px; }
  .pagebreak { break-before: page; }
  table { font-size: 8.5pt; margin-bottom: 10px; } caption { font-size: 9.5pt; padding-bottom: 3px; }
  th, td { padding: 3px 6px 3px 0; }
  .caption { font-size: 10.5pt; margin-bottom: 6px; }
  .banner { border-width: 3px; margin: 6px 0; padding: 0 10px; } .banner p { margin: 5px 0; }
  .card .v { font-size: 18px; } .card .t { font-size: 9pt; }
  .card { width: 31.5%; min-height: 0; font-size: 8.5pt; padding: 5px 7px; margin-bottom: 6px; }
  .card .u, .card .c { font-size: 7.5pt; }
  .definition, .small { font-size: 8.5pt; }
  .notes li, .asks li { margin-bottom: 3px; }
  .front table { font-size: 7pt; margin-bottom: 2px; } .front th, .front td { padding: 1.2px 4px 1.2px 0; }
  .front table { table-layout: fixed; } .front thead th { width: 9%; }
  .front thead th:first-child { width: 33%; } .front thead th:nth-child(2) { width: 16%; }
  .front thead th:nth-child(3) { width: 13%; } .front .small { font-size: 6.5pt; margin: 2px 0; }
  .front p { margin: 3px 0; } .front .synthetic { margin: 3px 0; font-size: 8.5pt; }
  .front caption { font-size: 9pt; } .front h3 { font-size: 10.5pt; margin: 6px 0 2px; }
  .front ul { margin: 2px 0; } .front li { font-size: 8.5pt; margin-bottom: 1.5px; }
  .banner p { font-size: 8.5pt; }
  .front ul { padding-left: 16px; } .front h2 { margin-top: 6px; }
  dl.definitions { columns: 2; column-gap: 8mm; font-size: 7.5pt; } dl.definitions dd { break-before: avoid; }
  dl.definitions dt { margin-top: 4px; }
}
"""

SYNTHETIC_CSS = """
@page { @top-center { content: "NOTICE"; font: bold 9pt "DejaVu Sans", Arial, sans-serif; color: #d4351c; } }
.synthetic { background: #d4351c; color: #fff; font-weight: bold; padding: 6px 12px; margin: 12px 0; }
@media print { .synthetic { background: #fff; color: #d4351c; border: 2px solid #d4351c; padding: 2px 8px; margin: 6px 0; } }
""".replace("NOTICE", SYNTHETIC_NOTICE)
"""A synthetic council's pack says so on every printed page (running header) and above every
section on screen, so a demo pack cannot circulate as a real council's."""

SMALL_TABLE = 20
"""Tables of up to this many rows are kept on one page (never split leaving a row alone); longer
ones may split, their header row repeated on the next page."""

TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{{ title }}">
<title>{{ title }}</title><style>{{ css | safe }}</style></head>
<body>
<header class="header"><strong>{{ data.council_name }}{% if data.synthetic %} (synthetic data){% endif %}</strong> · Corporate parenting panel</header>
<main>
<h1>Children looked after: {{ data.period.label }}</h1>
<p class="caption">{{ data.period.start.strftime('%-d %B %Y') }} to {{ data.period.end.strftime('%-d %B %Y') }} ·
 {{ audience_text }} · produced {{ data.generated.strftime('%-d %B %Y') }}</p>
{# the bold x leads the sentence: weasyprint breaks a line that ends in an inline element
   followed by punctuation at its first break opportunity (the PDF showed "Small" alone) #}
{% if small %}<div class="banner"><p><strong>x</strong>{{ small[1:] }}</p></div>{% endif %}
{% if front %}
<section id="{{ front.id }}" class="front" aria-labelledby="h-{{ front.id }}">
{% if data.synthetic %}<p class="synthetic">{{ notice }}: these figures are made up by carewise's generator (England and regional figures beside them are real).</p>{% endif %}
<h2 id="h-{{ front.id }}">{{ front.title }}</h2>
{% if front.intro %}<p>{{ front.intro }}</p>{% endif %}
{% for b in front.blocks %}{{ table(b, None) if b.svg is not defined }}{% endfor %}
{% if front.notes %}<h3>{{ front.notes_title }}</h3><ul class="notes">{% for n in front.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
<h3>What the panel is asked to note or decide</h3>
{% if asks %}<ul class="asks">{% for a in asks %}<li><span class="kind">{{ 'Decide' if a.kind == 'decide' else 'Note' }}:</span> {{ a.text }}</li>{% endfor %}</ul>
{% if more %}<p class="small">More to note in: {% for title, n in more.items() %}{{ title }} ({{ n }}){{ ', ' if not loop.last else '.' }}{% endfor %}</p>{% endif %}
{% else %}<p>Nothing in these figures asks for a decision: no headline is worse than England or got materially worse, and no pledge, action or forecast is flagged.</p>{% endif %}
{% if left_out %}<p class="small">Not in this pack (no data for the period): {{ left_out | join(', ') }}.</p>{% endif %}
</section>
{% endif %}
{% for p in body %}
{% set s = p.section %}
<section id="{{ s.id }}" class="{{ 'pagebreak' if loop.first else '' }}" aria-labelledby="h-{{ s.id }}">
<h2 id="h-{{ s.id }}">{{ s.title }}</h2>
{% if data.synthetic %}<p class="synthetic">{{ notice }}</p>{% endif %}
{% if s.intro %}<p class="intro">{{ s.intro }}</p>{% endif %}
{% if s.headlines and not p.charts %}<div class="cards">{% for h in s.headlines %}
<div class="card {{ h.status }}"><div class="t">{{ h.title }}</div><div class="v">{{ h.value }}</div>
<div class="u">{{ h.unit }}</div>
<div class="c">Since last quarter: {{ h.change_quarter }}<br>Since last year: {{ h.change_year }}{% if h.comparison %}<br>{{ h.comparison }}{% endif %}
{% if h.status %}<br>{{ 'Better' if h.status == 'better' else 'Worse' }} than England{% endif %}</div></div>
{% endfor %}</div>{% endif %}
{% for c in p.charts %}
<div class="figure">
<h3>{{ c.title }}</h3>
{% if c.description %}<p class="definition">{{ c.description }}</p>{% endif %}
<figure class="chart">{{ labelled(c) }}</figure>
{% if for_print %}<p class="small">The figures: <a href="#{{ p.anchor(c.table) }}">table {{ p.number(c.table) }}</a> in the appendix.</p>
{% else %}<details><summary>Show the figures as a table</summary>{{ table(c.table, None) }}</details>{% endif %}
</div>
{% endfor %}
{% if not p.charts and not s.headlines %}<p class="nodata">{% if p.tables %}No chart for this section: its figures are in the appendix.{% else %}No figures for this section in this period.{% endif %}</p>{% endif %}
{% if s.asks %}<h3>For the panel</h3><ul class="asks">{% for a in s.asks %}<li><span class="kind">{{ 'Decide' if a.kind == 'decide' else 'Note' }}:</span> {{ a.text }}</li>{% endfor %}</ul>{% endif %}
{% if s.notes %}<h3>{{ s.notes_title }}</h3><ul class="notes">{% for n in s.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
{% set listed = p.listed(for_print) %}
{% if listed %}<p class="small listed">{% if listed | length == 1 %}Table in the appendix: <a href="#{{ p.anchor(listed[0]) }}">{{ p.number(listed[0]) }} {{ listed[0].title }}</a>.{% else %}Tables in the appendix: <a href="#{{ p.anchor(listed[0]) }}">{{ p.number(listed[0]) }} to {{ p.number(listed[-1]) }}</a> ({{ listed | length }} tables).{% endif %}</p>{% endif %}
</section>
{% endfor %}
{% if appendix %}
<section id="appendix" class="pagebreak" aria-labelledby="h-appendix">
<h2 id="h-appendix">Appendix: tables</h2>
{% if data.synthetic %}<p class="synthetic">{{ notice }}</p>{% endif %}
<p class="small">The figures behind each section's charts{{ '' if data.audience == 'public' else ' and the detailed breakdowns' }}, numbered by section.</p>
{% for p in appendix %}
<h3>{{ p.section.title }}</h3>
{% for t in p.listed(for_print) %}{{ table(t, p) }}{% endfor %}
{% endfor %}
</section>
{% endif %}
{% for s in reference %}
<section id="{{ s.id }}" class="pagebreak" aria-labelledby="h-{{ s.id }}">
<h2 id="h-{{ s.id }}">{{ s.title }}</h2>
{% if data.synthetic %}<p class="synthetic">{{ notice }}</p>{% endif %}
{% if s.notes %}<ul class="notes">{% for n in s.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
{% for t in s.blocks %}<h3>{{ t.title }}</h3>
<dl class="definitions">{% for row in t.rows %}<dt>{{ row[0].text }} <span class="id">({{ row[1].text }})</span></dt><dd>{{ row[2:] | map(attribute='text') | join(' ') }}</dd>{% endfor %}</dl>
{% endfor %}
</section>
{% endfor %}
</main></body></html>
"""

TABLE = """{% macro table(t, p) %}<div class="{{ 'keep' if t.rows | length <= small_table else 'long' }}"><table{% if p %} id="{{ p.anchor(t) }}"{% endif %}><caption>{% if p %}Table {{ p.number(t) }}: {% endif %}{{ t.title }}</caption>
<thead><tr>{% for c in t.columns %}<th scope="col" class="{{ 'n' if t.numeric(loop.index0) else '' }}">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in t.rows %}<tr>{% for cell in row %}{% if loop.first %}<th scope="row">{{ cell.text }}</th>{% else %}<td class="{{ 'n' if t.numeric(loop.index0) else '' }}{{ verdict(cell.text) }}">{{ cell.text }}</td>{% endif %}{% endfor %}</tr>{% endfor %}</tbody>
</table>{% if t.caption %}<p class="small">{{ t.caption }}</p>{% endif %}</div>{% endmacro %}"""

_env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
_AUDIENCE = {
    "internal": "internal: all figures shown (do not share outside the service)",
    "panel": "for the corporate parenting panel",
    "public": "for publication",
}


@dataclass
class Page:
    """One section of the body and the tables it sends to the appendix (numbered ``3.2``: the
    section's place, then the table's)."""

    section: Section
    place: int
    charts: list[ChartBlock] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)
    """Tables on their own (not behind a chart), in the order the section gives them."""

    def listed(self, for_print: bool) -> list[TableBlock]:
        """The appendix's tables for this section: in print the charts' tables too (a printed
        page cannot open a table under its chart, as the screen does)."""
        return ([c.table for c in self.charts] if for_print else []) + self.tables

    def number(self, table: TableBlock) -> str:
        everything = [c.table for c in self.charts] + self.tables
        return f"{self.place}.{next(i for i, t in enumerate(everything, 1) if t is table)}"

    def anchor(self, table: TableBlock) -> str:
        return "table-" + self.number(table).replace(".", "-")


def pages_for(sections: list[Section], audience: str) -> list[Page]:
    """The body's sections (not the front page, not reference matter), each with its charts and
    tables; the public pack leaves out detailed breakdowns (``TableBlock.detail``)."""
    out = []
    body = [s for s in sections if s.id != "summary" and not s.reference]
    for place, s in enumerate(body, 1):
        page = Page(s, place)
        for b in s.blocks:
            if isinstance(b, ChartBlock):
                page.charts.append(b)
            elif not (b.detail and audience == "public"):
                page.tables.append(b)
        out.append(page)
    return out


def labelled(chart: ChartBlock) -> Markup:
    """The chart's SVG with its message in words: ``role="img"`` and ``aria-label`` for screen
    readers, ``<title>`` for the tagged PDF's alternate text (weasyprint reads it)."""
    alt = escape(chart_alt(chart))
    svg = chart.svg.strip()
    opening = re.match(r"<svg\b[^>]*>", svg)
    if opening:  # the one label is the block's: any the chart maker gave its root is replaced
        root = re.sub(r'\s(?:role|aria-label)="[^"]*"', "", opening.group(0))
        svg = root + svg[opening.end():]
    svg = re.sub(r"^<svg\b", f'<svg role="img" aria-label="{alt}"', svg, count=1)
    svg = re.sub(r"^(<svg\b[^>]*>)", lambda m: f"{m.group(1)}<title>{alt}</title>", svg, count=1)
    return Markup(svg)  # noqa: S704 - Vega's own SVG; the only text added is escaped above


def _verdict(text: str) -> str:
    """A class colouring "Better"/"Worse" beside England (the word says it; colour only helps)."""
    return {"Better": " better", "Worse": " worse"}.get(text, "")


FRONT_ASKS = 8
"""Asks listed on the front page: every decision and every note on the headline figures, then
other sections' notes up to this many in all; the rest are named by section (each section lists
its own asks), so the front page stays one page."""


def front_asks(sections: list[Section]) -> tuple[list[Ask], dict[str, int]]:
    """The asks on the front page, decisions first, and how many more each section holds."""
    decide = [a for s in sections for a in s.asks if a.kind == "decide"]
    headline = [a for s in sections if s.id == "summary" for a in s.asks if a.kind != "decide"]
    others = [(s.title, a) for s in sections if s.id != "summary" for a in s.asks if a.kind != "decide"]
    room = max(0, FRONT_ASKS - len(decide) - len(headline))
    more: dict[str, int] = {}
    for title, _ in others[room:]:
        more[title] = more.get(title, 0) + 1
    return decide + headline + [a for _, a in others[:room]], more


def render_html(data: PackData, sections: list[Section], for_print: bool = False) -> str:
    """The pack as HTML; ``for_print`` sends every chart's table to the appendix (for the PDF)."""
    template = _env.from_string(TABLE + TEMPLATE)
    pages = pages_for(sections, data.audience)
    asks, more = front_asks(sections)
    return template.render(
        data=data,
        front=next((s for s in sections if s.id == "summary"), None),
        appendix=[p for p in pages if p.listed(for_print)],
        body=[p for p in pages if not p.section.appendix_only],
        reference=[s for s in sections if s.reference],
        asks=asks,
        more=more,
        left_out=data.extra.get("left_out", []),
        for_print=for_print,
        css=CSS + (SYNTHETIC_CSS if data.synthetic else ""),
        title=data.title,
        notice=SYNTHETIC_NOTICE,
        small=small_numbers(data.audience),
        small_table=SMALL_TABLE,
        audience_text=_AUDIENCE.get(data.audience, data.audience),
        labelled=labelled,
        verdict=_verdict,
    )
