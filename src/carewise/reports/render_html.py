"""The pack as one self-contained HTML page (inline CSS and SVG), GOV.UK-like typography.

The same HTML, with print rules, is what weasyprint turns into the PDF.
"""

from __future__ import annotations

from jinja2 import Environment, select_autoescape

from carewise.reports.model import SYNTHETIC_NOTICE, ChartBlock, PackData, Section, TableBlock

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
.caption { color: #505a5f; font-size: 19px; margin: 0 0 12px; }
.banner { border: 5px solid #1d70b8; padding: 0 16px; margin: 16px 0; }
.cards { margin: 8px 0 16px; font-size: 0; }
.card { display: inline-block; vertical-align: top; width: 30%; min-height: 150px; margin: 0 1.5% 12px 0; box-sizing: border-box; font-size: 16px; border-left: 6px solid #1d70b8; background: #f3f2f1; padding: 10px 12px; break-inside: avoid; }
.card.better { border-left-color: #00703c; } .card.worse { border-left-color: #d4351c; }
.card .t { font-size: 14px; font-weight: bold; min-height: 2.6em; }
.card .v { font-size: 32px; font-weight: bold; line-height: 1.1; margin: 4px 0; }
.card .u, .card .c { font-size: 13px; color: #383f43; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 20px; font-size: 15px; break-inside: auto; }
caption { text-align: left; font-weight: bold; font-size: 17px; padding-bottom: 6px; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 6px 8px 6px 0; text-align: left; vertical-align: top; }
th { font-weight: bold; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.chart { margin: 8px 0 4px; break-inside: avoid; } .chart svg { max-width: 100%; height: auto; }
details { margin: 0 0 20px; } summary { color: #1d70b8; text-decoration: underline; cursor: pointer; }
.notes li { margin-bottom: 6px; }
.small { font-size: 14px; color: #505a5f; }
@media print {
  .header { background: #fff; color: #0b0c0c; padding: 0 0 6px; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 26px; } h2 { font-size: 20px; margin-top: 20px; break-before: page; border-top: none; padding-top: 0; }
  h2.first { break-before: avoid; } h3 { font-size: 15px; }
  html { font-size: 11pt; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; } table { font-size: 9.5pt; } .card .v { font-size: 22px; } .card .t { font-size: 10pt; }
  .card { width: 31.5%; min-height: 0; font-size: 9pt; padding: 6px 8px; margin-bottom: 8px; }
  .card .u, .card .c { font-size: 8pt; }
  details > summary { display: none; } details { display: block; }
  .caption { font-size: 13pt; }
}
"""

SYNTHETIC_CSS = """
@page { @top-center { content: "NOTICE"; font: bold 9pt "DejaVu Sans", Arial, sans-serif; color: #d4351c; } }
.synthetic { background: #d4351c; color: #fff; font-weight: bold; padding: 6px 12px; margin: 12px 0; }
@media print { .synthetic { background: #fff; color: #d4351c; border: 2px solid #d4351c; padding: 2px 8px; } }
""".replace("NOTICE", SYNTHETIC_NOTICE)
"""A synthetic council's pack says so on every printed page (running header) and above every
section on screen, so a demo pack cannot circulate as a real council's."""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><style>{{ css | safe }}</style></head>
<body>
<div class="header"><strong>{{ data.council_name }}{% if data.synthetic %} (synthetic data){% endif %}</strong> · Corporate parenting panel</div>
<main>
{% if data.synthetic %}<p class="synthetic" role="note">{{ notice }}: these figures are made up by carewise's generator (England and regional figures beside them are real).</p>{% endif %}
<h1>Children looked after: {{ data.period.label }}</h1>
<p class="caption">{{ data.period.start.strftime('%-d %B %Y') }} to {{ data.period.end.strftime('%-d %B %Y') }} ·
 {{ audience_text }} · produced {{ data.generated.strftime('%-d %B %Y') }}</p>
{# the bold x leads the sentence: weasyprint breaks a line that ends in an inline element
   followed by punctuation at its first break opportunity (the PDF showed "Small" alone) #}
{% if data.audience != 'internal' %}<div class="banner"><p><strong>x</strong> stands for a small number (1 to 4), or for a figure from which a small number could be worked out.</p></div>{% endif %}
{% for s in sections %}
<section id="{{ s.id }}">
<h2 class="{{ 'first' if loop.first else '' }}">{{ s.title }}</h2>
{% if data.synthetic %}<p class="synthetic">{{ notice }}</p>{% endif %}
{% if s.intro %}<p>{{ s.intro }}</p>{% endif %}
{% if s.headlines %}<div class="cards">{% for h in s.headlines %}
<div class="card {{ h.status }}"><div class="t">{{ h.title }}</div><div class="v">{{ h.value }}</div>
<div class="u">{{ h.unit }}</div>
<div class="c">Since last quarter: {{ h.change_quarter }}<br>Since last year: {{ h.change_year }}{% if h.comparison %}<br>{{ h.comparison }}{% endif %}
{% if h.status %}<br>{{ 'Better' if h.status == 'better' else 'Worse' }} than England{% endif %}</div></div>
{% endfor %}</div>{% endif %}
{% if s.notes %}<h3>{{ s.notes_title }}</h3><ul class="notes">{% for n in s.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
{% for b in s.blocks %}
{% if b.svg is defined %}
<h3>{{ b.title }}</h3>{% if b.description %}<p class="small">{{ b.description }}</p>{% endif %}
<figure class="chart" role="img" aria-label="{{ b.title }} (the table below gives the same figures)">{{ b.svg | safe }}</figure>
{% if for_print %}{{ table(b.table) }}{% else %}<details><summary>Show the figures as a table</summary>{{ table(b.table) }}</details>{% endif %}
{% else %}{{ table(b) }}{% endif %}
{% endfor %}
</section>
{% endfor %}
</main></body></html>
"""

TABLE = """{% macro table(t) %}<table id="t-{{ t.id }}"><caption>{{ t.title }}</caption>
<thead><tr>{% for c in t.columns %}<th scope="col" class="{{ 'n' if t.numeric(loop.index0) else '' }}">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in t.rows %}<tr>{% for cell in row %}{% if loop.first %}<th scope="row">{{ cell.text }}</th>{% else %}<td class="{{ 'n' if t.numeric(loop.index0) else '' }}">{{ cell.text }}</td>{% endif %}{% endfor %}</tr>{% endfor %}</tbody>
</table>{% if t.caption %}<p class="small">{{ t.caption }}</p>{% endif %}{% endmacro %}"""

_env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
_AUDIENCE = {
    "internal": "internal: all figures shown (do not share outside the service)",
    "panel": "for the corporate parenting panel",
    "public": "for publication",
}


def render_html(data: PackData, sections: list[Section], for_print: bool = False) -> str:
    """The pack as HTML; ``for_print`` shows chart tables open (for the PDF)."""
    template = _env.from_string(TABLE + TEMPLATE)
    return template.render(
        data=data,
        sections=sections,
        for_print=for_print,
        css=CSS + (SYNTHETIC_CSS if data.synthetic else ""),
        title=data.title,
        notice=SYNTHETIC_NOTICE,
        audience_text=_AUDIENCE.get(data.audience, data.audience),
        ChartBlock=ChartBlock,
        TableBlock=TableBlock,
    )
