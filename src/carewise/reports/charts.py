"""Charts drawn with Altair and rendered offline to SVG (vl-convert): no browser, no network."""

from __future__ import annotations

import textwrap

import altair as alt
import polars as pl
import vl_convert as vlc

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
"""DejaVu Sans first: the font the PDF is printed in, so Vega measures labels with the widths
they are drawn at (measured in Helvetica, DejaVu's wider labels ran off the left edge)."""
LABEL_WIDTH = 32
"""Characters per line of a category label; longer labels wrap onto more lines, never cut."""
LINE = "|"
BLUE = "#1d70b8"
COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#b58840", "#28a197"]


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12, grid=False)
        .configure_view(strokeWidth=0)
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom")
    )


def to_svg(chart: alt.TopLevelMixin) -> str:
    svg = vlc.vegalite_to_svg(_config(chart).to_dict())
    # the SVG sits inside HTML: drop the XML prolog if any
    return svg[svg.index("<svg") :]


def line(
    frame: pl.DataFrame, x: str, y: str, series: str | None, title_y: str, width: int = 560
) -> str:
    """A line chart over dates (x), one line per ``series``."""
    base = alt.Chart(frame.to_pandas() if False else alt.Data(values=frame.to_dicts()))
    colour = (alt.Color(f"{series}:N", title=None, scale=alt.Scale(range=COLOURS)) if series
              else alt.value(BLUE))
    chart = (
        base.mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6)),
            y=alt.Y(f"{y}:Q", title=title_y, scale=alt.Scale(zero=True)),
            color=colour,
        )
        .properties(width=width, height=220)
    )
    return to_svg(chart)


def wrapped(label: str) -> str:
    """A category label broken into lines of :data:`LABEL_WIDTH` characters (joined by
    :data:`LINE`, which the axis splits), so a long placement type is shown whole."""
    return LINE.join(textwrap.wrap(str(label), LABEL_WIDTH)) or str(label)


def bars(
    frame: pl.DataFrame,
    category: str,
    value: str,
    title_x: str,
    width: int = 520,
    highlight: str | None = None,
) -> str:
    """Horizontal bars, in the frame's order; ``highlight`` names the bar drawn in blue. Counts
    start from zero (Vega-Lite's default for bars); long labels wrap rather than being cut."""
    frame = frame.with_columns(pl.col(category).map_elements(wrapped, return_dtype=pl.String))
    order = frame[category].to_list()
    lines = max((label.count(LINE) + 1 for label in order), default=1)
    colour = (
        alt.condition(alt.datum[category] == wrapped(highlight), alt.value(BLUE), alt.value("#b1b4b6"))
        if highlight
        else alt.value(BLUE)
    )
    chart = (
        alt.Chart(alt.Data(values=frame.to_dicts()))
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{category}:N",
                sort=order,
                title=None,
                axis=alt.Axis(labelExpr=f"split(datum.value, '{LINE}')", labelLimit=0,
                              labelPadding=6),
            ),
            x=alt.X(f"{value}:Q", title=title_x),
            color=colour,
        )
        .properties(width=width - 240, height=max(60, (10 + 12 * lines) * len(order)))
    )
    text = chart.mark_text(align="left", dx=4, fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=",.1~f"), color=alt.value("#0b0c0c")
    )
    return to_svg(alt.LayerChart(layer=[chart, text]))


def grouped_bars(
    frame: pl.DataFrame, x: str, value: str, series: str, title_y: str, width: int = 560
) -> str:
    """Vertical bars per ``x`` (e.g. quarter), side by side per ``series``."""
    chart = (
        alt.Chart(alt.Data(values=frame.to_dicts()))
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset(f"{series}:N"),
            y=alt.Y(f"{value}:Q", title=title_y),
            color=alt.Color(f"{series}:N", title=None, scale=alt.Scale(range=COLOURS)),
        )
        .properties(width=width, height=220)
    )
    return to_svg(chart)
