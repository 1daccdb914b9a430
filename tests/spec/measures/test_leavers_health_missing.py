"""Care leavers (OC3), health (OC2) and missing: hand-worked examples."""

from __future__ import annotations

import pytest


def _leavers(h):
    oc3 = [
        {"CHILD": "a", "DOB": "01/06/2006", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "U1"},  # 18
        {"CHILD": "b", "DOB": "01/06/2004", "IN_TOUCH": "YES", "ACTIV": "G5", "ACCOM": "S2"},  # 20
        {"CHILD": "c", "DOB": "01/06/2004", "IN_TOUCH": "NO", "ACTIV": "0", "ACCOM": "0"},
        {
            "CHILD": "d",
            "DOB": "01/06/2004",
            "IN_TOUCH": "DIED",
            "ACTIV": "0",
            "ACCOM": "0",
        },  # left out
        {
            "CHILD": "e",
            "DOB": "01/06/2006",
            "IN_TOUCH": "RHOM",
            "ACTIV": "0",
            "ACCOM": "0",
        },  # left out
    ]
    return h.make_history(y2024={"header": [], "episodes": [], "oc3": oc3})


def test_care_leavers_in_touch(helpers):
    r = helpers.measure(_leavers(helpers), "care_leavers_in_touch")
    assert (r.numerator, r.denominator) == (2, 3)
    ages = {row.category: (row.numerator, row.denominator) for row in r.breakdowns["age_group"]}
    assert ages == {"17 to 18": (1, 1), "19 to 21": (1, 2)}


def test_care_leavers_eet(helpers):
    r = helpers.measure(_leavers(helpers), "care_leavers_eet")
    assert (r.numerator, r.denominator) == (1, 3)
    assert r.value == pytest.approx(33.3)


def test_care_leavers_absent_oc3_says_so(helpers):
    hist = helpers.make_history(y2024={"header": [], "episodes": []})
    r = helpers.measure(hist, "care_leavers_eet")
    assert not r.available and "OC3" in r.notes[0]


def test_health_assessments_and_sdq(helpers):
    oc2 = [
        {
            "CHILD": "a",
            "DOB": "01/06/2012",
            "SDQ_SCORE": "12",
            "HEALTH_ASSESSMENT": "1",
            "CONVICTED": "0",
        },
        {
            "CHILD": "b",
            "DOB": "01/06/2010",
            "SDQ_SCORE": "20",
            "HEALTH_ASSESSMENT": "0",
            "CONVICTED": "1",
        },
        {
            "CHILD": "c",
            "DOB": "01/06/2022",
            "SDQ_REASON": "SDQ1",
            "HEALTH_ASSESSMENT": "1",
            "CONVICTED": "0",
        },
    ]
    hist = helpers.make_history(y2024={"header": [], "episodes": [], "oc2": oc2})
    assert helpers.measure(hist, "health_assessments").numerator == 2
    sdq = helpers.measure(hist, "sdq_mean_score")  # c is 2: outside the 5-16 group
    assert (sdq.numerator, sdq.denominator, sdq.value) == (32, 2, 16.0)
    conv = helpers.measure(hist, "convictions")  # aged 10+: a (12), b (14)
    assert (conv.numerator, conv.denominator) == (1, 2)


def test_missing_children(helpers):
    missing = [
        {
            "CHILD": "a",
            "DOB": "01/06/2010",
            "MISSING": "M",
            "MIS_START": "01/05/2024",
            "MIS_END": "02/05/2024",
        },
        {
            "CHILD": "a",
            "DOB": "01/06/2010",
            "MISSING": "A",
            "MIS_START": "01/06/2024",
            "MIS_END": "01/06/2024",
        },
        {
            "CHILD": "b",
            "DOB": "01/06/2010",
            "MISSING": "M",
            "MIS_START": "25/03/2024",
            "MIS_END": "02/04/2024",
        },
    ]
    hist = helpers.make_history(y2024={"header": [], "episodes": [], "missing": missing})
    r = helpers.measure(hist, "missing_children")
    assert r.value == 1  # b's incident started before the period
    kinds = {row.category: row.numerator for row in r.breakdowns["kind"]}
    assert kinds["Missing and away"] == 1
    assert helpers.measure(hist, "missing_incidents").value == 2
    rhi = helpers.measure(hist, "return_home_interviews")
    assert not rhi.available and "local extract" in rhi.notes[0]


def test_each_year_of_oc3_keeps_its_own_rows(helpers):
    """OC3 describes the child in that collection year: a later return does not replace it."""
    row = {"CHILD": "a", "DOB": "01/06/2005", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "U1"}
    hist = helpers.make_history(
        y2023={"header": [], "episodes": [], "oc3": [row]},
        y2024={"header": [], "episodes": [], "oc3": [dict(row, ACTIV="G5")]},
    )
    assert helpers.measure(hist, "care_leavers_eet").numerator == 0  # 2024-25: NEET
    earlier = helpers.measure(hist, "care_leavers_eet", "2023-24")
    assert earlier.available and earlier.numerator == 1  # 2023-24: in higher education
