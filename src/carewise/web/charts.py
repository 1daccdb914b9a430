"""Charts for pages: Altair specifications rendered offline to SVG (vl-convert), each with a table beside it.

SVG is inlined in the page so it needs no script and no network; the page also
shows the same figures as a table, which is the chart's accessible alternative.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import altair as alt
import vl_convert as vlc

BLUE = "#1d70b8"


def _svg(chart: alt.Chart, title: str, height: int = 220, label_limit: int = 260) -> str:
    spec = chart.properties(width=560, height=height).configure_axis(
        labelFont="Arial", titleFont="Arial", labelFontSize=12, titleFontSize=12, labelLimit=label_limit
    ).configure_view(stroke=None).to_json()
    return _render(spec, title)


@lru_cache(maxsize=256)
def _render(spec: str, title: str) -> str:
    svg = vlc.vegalite_to_svg(spec)
    # Give the picture a name for screen readers; the table below holds the figures.
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(title)}" ', 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def line_chart(rows: list[dict[str, Any]], x: str, y: str, title: str) -> str:
    points = tuple((r[x], r[y]) for r in rows if r.get(y) is not None)
    return _line(points, x, y, title)


def bar_chart(rows: list[dict[str, Any]], category: str, value: str, title: str,
              axis_title: str | None = None) -> str:
    """Bars in the rows' own order (age bands young to old, not by size), counted from zero;
    ``axis_title`` says what is counted (``title``, also the chart's label, says what by)."""
    return _bar(tuple((r[category], r[value]) for r in rows), category, value, title, axis_title or title)


# Building an Altair chart validates its whole spec against the Vega-Lite schema (about 50 ms a
# chart), so the SVG is cached by the figures it draws: pages re-render the same charts each visit.

@lru_cache(maxsize=512)
def _line(points: tuple[tuple[Any, Any], ...], x: str, y: str, title: str) -> str:
    data = alt.Data(values=[{x: a, y: b} for a, b in points])
    chart = alt.Chart(data).mark_line(point=True, color=BLUE).encode(
        x=alt.X(f"{x}:O", title=None), y=alt.Y(f"{y}:Q", title=title, scale=alt.Scale(zero=True))
    )
    return _svg(chart, title)


@lru_cache(maxsize=512)
def _bar(points: tuple[tuple[Any, Any], ...], category: str, value: str, title: str, axis_title: str) -> str:
    data = alt.Data(values=[{category: a, value: b} for a, b in points])
    chart = alt.Chart(data).mark_bar(color=BLUE).encode(
        y=alt.Y(f"{category}:N", title=None, sort=[a for a, _ in points]),
        x=alt.X(f"{value}:Q", title=axis_title, scale=alt.Scale(zero=True)),
    )
    # bars of one height whatever their number, so a two-bar chart is not a wall of blue
    return _svg(chart, title, height=max(40, 26 * len(points)))


SERIES_COLOURS = ("#1d70b8", "#505a5f", "#f47738", "#85994b")
"""The council first (GOV.UK blue), then its comparators (dark grey, orange, green)."""


def comparison_chart(rows: list[dict[str, Any]], title: str, axis_title: str,
                     percent: bool = True) -> str:
    """Grouped bars: one group per measure (in the rows' own order), one bar per series (the
    council, England …), counted from zero (to 100 for percentages). ``rows`` hold ``label``,
    ``series`` and ``value``; the page shows the same figures as a table beside the chart."""
    points = tuple((r["label"], r["series"], r["value"]) for r in rows if r.get("value") is not None)
    return _grouped(points, title, axis_title, percent)


LINE = "|"
"""Where a long category label breaks onto its next line (split by the axis's labelExpr)."""


def _wrapped(label: str, width: int = 28) -> str:
    """A label in lines of about ``width`` characters, so none is cut short at the chart's edge."""
    import textwrap

    return LINE.join(textwrap.wrap(label.replace(LINE, "/"), width)) or label


@lru_cache(maxsize=256)
def _grouped(points: tuple[tuple[str, str, float], ...], title: str, axis_title: str, percent: bool) -> str:
    wrapped = {a: _wrapped(a) for a in dict.fromkeys(p[0] for p in points)}
    labels = list(wrapped.values())
    series = list(dict.fromkeys(p[1] for p in points))
    data = alt.Data(values=[{"label": wrapped[a], "series": s, "value": v} for a, s, v in points])
    scale = alt.Scale(domain=[0, 100]) if percent else alt.Scale(zero=True)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=labels,
                axis=alt.Axis(labelExpr=f"split(datum.label, '{LINE}')",
                              # a label of n lines moves up by half its extra lines, so it sits
                              # centred on its bars rather than hanging below them
                              labelOffset=alt.ExprRef(f"-7 * (length(split(datum.value, '{LINE}')) - 1)"))),
        yOffset=alt.YOffset("series:N", sort=series),
        x=alt.X("value:Q", title=axis_title, scale=scale),
        color=alt.Color("series:N", sort=series, title=None,
                        scale=alt.Scale(domain=series, range=list(SERIES_COLOURS[:len(series)])),
                        legend=alt.Legend(orient="top")),
    )
    lines = sum(label.count(LINE) + 1 for label in labels)
    return _svg(chart, title, height=max(40, 18 * len(points) + 8 * len(labels) + 10 * lines), label_limit=0)
