"""The pack states each figure's basis in words (issue 18): rules beside the stability figures,
no England comparison for a quarter's flows (said plainly), annual OC2/OC3 figures named by year."""

from __future__ import annotations

import pytest

from carewise.history import stitch
from carewise.reports import builtin, pack_data


@pytest.fixture(scope="module")
def quarter_pack():
    from carewise.synth import generate_council

    made = generate_council(120, "2023-24..2024-25", seed=11)
    returns = made.returns.values() if isinstance(made.returns, dict) else made.returns
    data = pack_data(stitch(list(returns)), "2024-Q4", made.la_code, "internal")
    built = (builtin.summary, builtin.stability, builtin.health, builtin.comparison)
    return data, {s.id: s for s in (make(data) for make in built)}


def test_a_quarter_pack_says_flows_are_not_compared_with_englands_year(quarter_pack):
    data, sections = quarter_pack
    # the front page's headline table (issue 16): one row per headline, "Beside England" in words
    (table,) = sections["summary"].blocks
    rows = {r[0].text: r for r in table.rows}
    starts = rows[data.current["started_in_period"].title]
    assert starts[3].text == "–" and starts[-1].text == "Not compared"  # no England figure beside it
    three = rows[data.current["stability_three_plus_placements"].title]
    assert three[-1].text == "Not compared"
    assert any(n.startswith("Not compared with England") for n in sections["summary"].notes)
    assert any(n.startswith("Not compared with England") for n in sections["comparison"].notes)


def test_stability_rules_and_annual_years_are_stated(quarter_pack):
    _, sections = quarter_pack
    assert any("same carers" in n for n in sections["stability"].notes)
    assert any("went home and came back" in n for n in sections["stability"].notes)
    assert any(n.startswith("Annual figure for 2024-25") for n in sections["health"].notes)
