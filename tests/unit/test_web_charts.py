"""Issue 16: charts people read correctly: counts from zero, categories in their own order,
an axis title saying what is counted."""

from __future__ import annotations

import re

from carewise.web.charts import bar_chart, line_chart


def _labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]+)</text>", svg)


def test_bars_keep_the_age_order_and_name_what_is_counted():
    rows = [{"category": "Under 1 year", "value": 5}, {"category": "1 to 4 years", "value": 30},
            {"category": "16 years and over", "value": 12}]
    svg = bar_chart(rows, "category", "value", "Children looked after by age", "Children")
    labels = _labels(svg)
    ages = [t for t in labels if t in {r["category"] for r in rows}]
    assert ages == ["Under 1 year", "1 to 4 years", "16 years and over"]
    assert "Children" in labels and "Age" not in labels
    assert 'aria-label="Children looked after by age"' in svg


def test_trend_axis_starts_at_zero():
    svg = line_chart([{"period": "2023-24", "value": 1005}, {"period": "2024-25", "value": 1047}],
                     "period", "value", "Children looked after at 31 March")
    assert "0" in _labels(svg)
