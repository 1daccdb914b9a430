"""PA caseload from a council's own table: seed 002 (Central Bedfordshire, February 2019) as
published, and where its arithmetic disagrees with its own inputs."""

from __future__ import annotations

from datetime import date

import pytest

from carewise.forecast.pa_caseload import SEED_002, TableYear, table_caseload


def test_seed_002_table_reproduced_from_its_own_inputs():
    table, notes = table_caseload(SEED_002)
    rows = {r["date"]: r for r in table.iter_rows(named=True)}
    # para 16, 2019 row: 259 young people over 7..11 advisers -> 37, 32, 29, 26, 24
    assert [round(rows[date(2019, 3, 31)][f"caseload_{n}"]) for n in (7, 8, 9, 10, 11)] == [37, 32, 29, 26, 24]
    # para 15: 7 advisers -> 37, 36, 37
    assert [round(rows[d]["caseload_7"]) for d in sorted(rows)] == [37, 36, 37]
    # para 22: 11 advisers for the 232 requiring statutory support in 2020 -> 21.1
    assert rows[date(2020, 3, 31)]["requiring_caseload_11"] == pytest.approx(21.1, abs=0.05)
    assert rows[date(2019, 3, 31)]["cost_7"] == 7 * 28_500


def test_seed_002_disagreements_are_named():
    _, notes = table_caseload(SEED_002)
    assert "31/03/2020, 9 advisers: the table shows 29, but 254 / 9 = 28.2." in notes
    assert not any(n.startswith("31/03/2019") for n in notes)
    # the 2021 caseloads (39, 35, 31, 28, 25) do not come from its 258 young people
    assert sum(n.startswith("31/03/2021, ") for n in notes) == 5
    assert "31/03/2021: the published caseloads imply 273 to 280 young people, not the 258" in notes[-1]


def test_a_table_without_requiring_figures():
    table, notes = table_caseload([TableYear(date(2025, 3, 31), 100)], advisers=(4, 5))
    row = table.row(0, named=True)
    assert row["caseload_4"] == 25 and row["caseload_5"] == 20 and row["requiring_caseload_5"] is None
    assert notes == []
