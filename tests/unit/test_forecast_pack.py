"""The panel pack's "Sufficiency forecast" section, on a small synthetic council."""

from __future__ import annotations

import pytest

from carewise.history import stitch
from carewise.reports import ChartBlock, TableBlock, build_pack, pack_data
from carewise.reports.forecast import sufficiency_forecast
from carewise.reports.sections import SECTIONS


@pytest.fixture(scope="module")
def history():
    from carewise.synth import generate_council

    return stitch(generate_council(80, "2021-22..2024-25", seed=12).returns)


def _blocks(section) -> dict[str, TableBlock]:
    out = {}
    for b in section.blocks:
        table = b.table if isinstance(b, ChartBlock) else b
        out[table.id] = table
    return out


def test_section_is_registered_when_the_pack_builds(tmp_path, history):
    (path,) = build_pack(history, "2024-25", "E06000056", "internal", ["html"], tmp_path)
    html = path.read_text()
    assert SECTIONS["forecast"].build is sufficiency_forecast
    assert "Sufficiency forecast" in html and "Personal Adviser" in html and "<svg" in html


def test_section_shows_fan_chart_years_spend_backtest_and_pa(history):
    data = pack_data(history, "2024-25", "E06000056", "internal")
    section = sufficiency_forecast(data)
    assert section is not None
    chart = section.blocks[0]
    assert isinstance(chart, ChartBlock) and chart.svg.startswith("<svg")
    blocks = _blocks(section)
    years = blocks["forecast_years"]
    assert years.rows[0][0].text == "All children looked after"
    assert years.columns == ["Placement", "At", "Median", "80% from", "80% to"]  # long, not 10 wide
    assert [r[1].text for r in years.rows[:3]] == [f"31 March {y}" for y in (2026, 2027, 2028)]
    median, low, high = (c.number for c in years.rows[0][2:5])
    assert low <= median <= high
    assert len(blocks["forecast_spend"].rows) == 3
    trust = blocks["forecast_backtest"]
    assert [r[0].text for r in trust.rows][:3] == [f"Average error of the total at {h} months" for h in (3, 6, 12)]
    assert all(r[1].text.endswith("%") for r in trust.rows)
    calibration = blocks["forecast_calibration"]
    assert calibration.rows[0][0].text == "All children looked after"
    assert {r[0].text for r in calibration.rows} > {"All children looked after"}
    assert "2025-26 prices" in blocks["forecast_spend"].caption
    assert len(blocks["pa_needing"].rows) == 3
    assert [r[0].text for r in blocks["pa_caseload"].rows] == ["7", "8", "9", "10", "11"]


def test_panel_pack_hides_figures_under_5(history):
    internal = _blocks(sufficiency_forecast(pack_data(history, "2024-25", "E06000056", "internal")))
    panel = _blocks(sufficiency_forecast(pack_data(history, "2024-25", "E06000056", "panel")))
    hidden = 0
    for tid in ("forecast_years", "pa_needing"):
        for row_i, row_p in zip(internal[tid].rows, panel[tid].rows, strict=True):
            for ci, cp in zip(row_i[1:], row_p[1:], strict=True):  # the date column never hides
                if ci.number is not None and 1 <= ci.number <= 4:
                    assert cp.text == "x" and cp.number is None
                    hidden += 1
                else:
                    assert cp.text == ci.text
    assert hidden > 0
