"""Forecast definitions on tiny hand-built returns, with hand-worked answers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from carewise.forecast import CATEGORIES, fit, spells, stock_on
from carewise.forecast.simulate import StartingPopulation, deterministic
from carewise.history import stitch
from carewise.returns.build import return_from_rows

IH, AG = CATEGORIES.index("fostering_in_house"), CATEGORIES.index("fostering_agency")


def _history(episodes, header):
    return stitch([return_from_rows("2023-24", episodes=episodes, header=header)])


def _ep(child, decom, dec, place, provider, rne="S", rec=None):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "PLACE": place, "PLACE_PROVIDER": provider,
            "RNE": rne, "REC": rec, "LS": "C2", "CIN": "N1"}


def test_u4_u6_split_by_provider_not_by_code():
    """U4-U6 with PR1 are in-house, with PR4/PR5 agency; the code alone says neither."""
    h = _history(
        [_ep("1", "01/04/2023", None, "U4", "PR1"), _ep("2", "01/04/2023", None, "U6", "PR4"),
         _ep("3", "01/04/2023", None, "U5", "PR5"), _ep("4", "01/04/2023", None, "U3", "PR1")],
        [{"CHILD": c, "SEX": "1", "DOB": "01/01/2015"} for c in "1234"],
    )
    sp = spells(h, as_at=date(2024, 3, 31)).sort("CHILD")
    assert sp["category"].to_list() == ["fostering_in_house", "fostering_agency", "fostering_agency", "family_and_friends"]


def test_stock_at_31_march_excludes_episodes_ending_that_day():
    h = _history(
        [_ep("1", "01/04/2023", "31/03/2024", "U4", "PR1", rec="E4A"), _ep("2", "01/04/2023", None, "U4", "PR1")],
        [{"CHILD": c, "SEX": "1", "DOB": "01/01/2015"} for c in "12"],
    )
    sp = spells(h, as_at=date(2024, 3, 31))
    assert stock_on(sp, date(2024, 3, 31))["CHILD"].to_list() == ["2"]


def test_rates_are_moves_per_child_day():
    """Two children in in-house care for 100 and 200 days in the window; one moves to agency
    care, one leaves care: each rate is 1 / 300 child-days."""
    h = _history(
        [
            _ep("1", "01/04/2023", "10/07/2023", "U4", "PR1"),  # 100 days in-house
            _ep("1", "10/07/2023", None, "U6", "PR4", rne="P"),
            _ep("2", "01/04/2023", "18/10/2023", "U4", "PR1", rec="E4A"),  # 200 days, leaves care
        ],
        [{"CHILD": c, "SEX": "1", "DOB": "01/01/2015"} for c in "12"],
    )
    sp = spells(h, as_at=date(2024, 3, 31))
    rates = fit(sp, date(2023, 4, 1), date(2024, 3, 31))
    band = 2  # aged 8: the 5 to 9 band
    assert rates.exposure[band, IH] == 300
    assert rates.hazards[band, IH, AG] == pytest.approx(1 / 300)
    assert rates.hazards[band, IH, len(CATEGORIES)] == pytest.approx(1 / 300)
    assert rates.exposure[band, AG] == (date(2024, 4, 1) - date(2023, 7, 10)).days
    assert rates.entries == 2  # both started a period of care in the window


def test_legal_status_change_in_same_placement_is_not_a_move():
    h = _history(
        [_ep("1", "01/04/2023", "01/06/2023", "U4", "PR1"), _ep("1", "01/06/2023", None, "U4", "PR1", rne="L")],
        [{"CHILD": "1", "SEX": "1", "DOB": "01/01/2015"}],
    )
    sp = spells(h, as_at=date(2024, 3, 31))
    assert sp.height == 1 and sp["end"].to_list() == [None]


def test_deterministic_projection_decays_exponentially():
    """100 children with exit hazard h and no entrants: h·d of them leave over d days in
    expectation, 100·exp(−h·d) stay (one move per month at most, probability 1 − exp(−h·d))."""
    h = _history(
        [_ep(str(i), "01/04/2023", "01/10/2023" if i < 10 else None, "U4", "PR1", rec="E4A" if i < 10 else None)
         for i in range(100)],
        [{"CHILD": str(i), "SEX": "1", "DOB": "01/01/2015"} for i in range(100)],
    )
    sp = spells(h, as_at=date(2024, 3, 31))
    rates = fit(sp, date(2023, 4, 1), date(2024, 3, 31))
    hazard = 10 / (10 * 183 + 90 * 366)
    rates.entrant_age_days = rates.entrant_age_days[:0]
    rates.entrant_category = rates.entrant_category[:0]
    start = StartingPopulation(date(2024, 3, 31), np.full(100, 3000, dtype=np.int32), np.full(100, IH, dtype=np.int8))
    mean = deterministic(rates, start, [date(2024, 4, 30), date(2024, 5, 31)])
    assert mean[1].sum() == pytest.approx(100 * np.exp(-hazard * 30))
    assert mean[2].sum() == pytest.approx(100 * np.exp(-hazard * 61))


def test_children_leave_care_at_18():
    h = _history(
        [_ep("1", "01/04/2023", None, "H5", "PR4")],
        [{"CHILD": "1", "SEX": "1", "DOB": "15/04/2006"}],
    )
    sp = spells(h, as_at=date(2024, 3, 31))
    rates = fit(sp, date(2023, 4, 1), date(2024, 3, 31))
    rates.entrant_age_days = rates.entrant_age_days[:0]
    rates.entrant_category = rates.entrant_category[:0]
    age = (date(2024, 3, 31) - date(2006, 4, 15)).days
    start = StartingPopulation(date(2024, 3, 31), np.array([age], dtype=np.int32), np.array([4], dtype=np.int8))
    mean = deterministic(rates, start, [date(2024, 4, 30)])
    assert mean[0].sum() == 1 and mean[1].sum() == 0


def test_short_breaks_are_not_periods_of_care():
    """Children looked after under an agreed series of short-term placements (LS V3/V4) are
    left out of DfE's children looked after figures, so they neither enter nor are counted."""
    eps = [_ep("1", "01/04/2023", None, "U4", "PR1")]
    for start, end in [("05/05/2023", "07/05/2023"), ("01/06/2023", "03/06/2023")]:
        eps.append({**_ep("2", start, end, "U4", "PR1", rec="E8"), "LS": "V3"})
    eps.append({**_ep("3", "01/03/2024", None, "U4", "PR1"), "LS": "V4"})
    h = _history(eps, [{"CHILD": c, "SEX": "1", "DOB": "01/01/2015"} for c in "123"])
    sp = spells(h, as_at=date(2024, 3, 31))
    assert sp["CHILD"].to_list() == ["1"]
    assert stock_on(sp, date(2024, 3, 31))["CHILD"].to_list() == ["1"]
    assert fit(sp, date(2023, 4, 1), date(2024, 3, 31)).entries == 1
