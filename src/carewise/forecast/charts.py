"""Fan charts of a forecast (Altair), offline SVG through vl-convert, for reports and the web app.

Functions return Altair charts and the frames behind them; reports/ and web/ render them.
"""

from __future__ import annotations

import altair as alt
import polars as pl


def fan_frame(summary: pl.DataFrame, state: str = "total", history: pl.DataFrame | None = None) -> pl.DataFrame:
    """The rows of one state from :func:`carewise.forecast.summarise`, plus observed history."""
    rows = summary.filter(pl.col("state") == state).select(
        "date", "median", "mean", "p10", "p90", "p2_5", "p97_5"
    )
    if history is not None and history.height:
        rows = rows.join(history.select("date", pl.col("count").alias("observed")), on="date", how="full", coalesce=True)
    return rows.sort("date")


def fan_chart(summary: pl.DataFrame, state: str = "total", title: str | None = None,
              history: pl.DataFrame | None = None) -> alt.LayerChart:
    """Median line with 80% and 95% bands, the deterministic mean dashed, history as points."""
    frame = fan_frame(summary, state, history)
    data = alt.Data(values=frame.with_columns(pl.col("date").cast(pl.String)).to_dicts())
    base = alt.Chart(data).encode(x=alt.X("date:T", title="Date"))
    y_title = "Children looked after"
    band95 = base.mark_area(opacity=0.2, color="#1d70b8").encode(
        y=alt.Y("p2_5:Q", title=y_title), y2="p97_5:Q", tooltip=["date:T", "p2_5:Q", "p97_5:Q"]
    )
    band80 = base.mark_area(opacity=0.35, color="#1d70b8").encode(y="p10:Q", y2="p90:Q")
    median = base.mark_line(color="#0b0c0c").encode(y="median:Q", tooltip=["date:T", "median:Q", "p10:Q", "p90:Q"])
    mean = base.mark_line(color="#d4351c", strokeDash=[4, 3]).encode(y="mean:Q")
    layers = [band95, band80, median, mean]
    if history is not None and "observed" in frame.columns:
        layers.append(base.mark_point(color="#0b0c0c", filled=True, size=18).encode(y="observed:Q"))
    return alt.LayerChart(layer=layers).properties(title=title or state, width=520, height=260)


def difference_chart(diff: pl.DataFrame, state: str = "total", title: str | None = None) -> alt.LayerChart:
    """A scenario's difference from the baseline (median and 80%/95% bands)."""
    chart = fan_chart(diff, state, title=title or f"Difference from baseline: {state}")
    return chart


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text, rendered offline (no browser, no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_json())
