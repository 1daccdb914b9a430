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


def test_oc2_cohort_is_looked_after_continuously_for_12_months(helpers):
    """DfE's OC2 figures are for children looked after continuously for 12 months at 31 March:
    the cohort comes from the episodes, and each child's OC2 row gives the outcome."""
    h = helpers
    header = [h.child(c, "01/06/2012") for c in ("year", "new", "norow", "gap")]
    eps = [
        h.ep("year", "01/04/2024"),  # began on 1 April: 12 months at 31 March -> in
        h.ep("new", "02/04/2024"),  # one day short -> out, although it has an OC2 row
        h.ep("norow", "01/01/2023"),  # in the cohort but no OC2 row -> denominator only
        # went home in the year and came back -> not continuous -> out
        h.ep("gap", "01/01/2023", dec="01/06/2024", rec="E4A"),
        h.ep("gap", "01/07/2024"),
    ]
    oc2 = [
        {"CHILD": c, "DOB": "01/06/2012", "HEALTH_ASSESSMENT": "1", "SDQ_SCORE": "10"}
        for c in ("year", "new", "gap", "nostays")
    ]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "oc2": oc2})
    r = h.measure(hist, "health_assessments")
    # year (1), norow (0), and nostays: an OC2 row with no episodes stored is kept
    assert (r.numerator, r.denominator) == (2, 3)
    assert any("no OC2 row" in n for n in r.notes) and any("left out" in n for n in r.notes)
    sdq = h.measure(hist, "sdq_completed")
    assert (sdq.numerator, sdq.denominator) == (2, 3)


def test_care_leavers_exclusions_and_ages(helpers):
    """17 to 21 at the birthday in the year; care taken over by another authority (E3) and
    short-break-only children are left out; 22 to 25-year-olds are not in the 17-21 figures."""
    h = helpers
    header = [h.child(c, "01/06/2006") for c in ("moved", "breaks", "left")]
    eps = [
        h.ep("moved", "01/01/2021", dec="01/01/2023", rec="E3"),
        h.ep("breaks", "01/01/2021", ls="V3", dec="01/01/2023", rec="E8"),
        h.ep("left", "01/01/2021", dec="01/06/2024", rec="E17"),
    ]
    row = {"IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "U1"}
    oc3 = [
        dict(row, CHILD="moved", DOB="01/06/2006"),
        dict(row, CHILD="breaks", DOB="01/06/2006"),
        dict(row, CHILD="left", DOB="01/06/2006"),  # 18 on 1 June 2024
        dict(row, CHILD="older", DOB="01/01/2003"),  # 22 in the year: not 17-21
        dict(row, CHILD="edge", DOB="31/03/2004"),  # 21 on 31 March 2025: in
    ]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "oc3": oc3})
    r = h.measure(hist, "care_leavers_in_touch")
    assert (r.numerator, r.denominator) == (2, 2)
    ages = {row.category: row.denominator for row in r.breakdowns["age_group"]}
    assert ages == {"17 to 18": 1, "19 to 21": 1}


def test_missing_leaves_out_short_break_only_children(helpers):
    h = helpers
    header = [h.child(c, "01/06/2010") for c in ("cared", "breaks")]
    eps = [h.ep("cared", "01/01/2024"), h.ep("breaks", "01/01/2024", ls="V4")]
    missing = [
        {"CHILD": c, "DOB": "01/06/2010", "MISSING": "M", "MIS_START": "01/05/2024"}
        for c in ("cared", "breaks")
    ]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "missing": missing})
    assert h.measure(hist, "missing_children").value == 1
    assert h.measure(hist, "missing_incidents").value == 1


def test_notes_never_show_a_small_count(helpers):
    """Notes are text, outside the disclosure control: 1-4 is written "fewer than 5"."""
    h = helpers
    header = [h.child("norow", "01/06/2012"), h.child("row", "01/06/2012")]
    eps = [h.ep("norow", "01/01/2023"), h.ep("row", "01/01/2023")]
    oc2 = [{"CHILD": "row", "DOB": "01/06/2012", "HEALTH_ASSESSMENT": "1"}]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "oc2": oc2})
    notes = h.measure(hist, "health_assessments", audience="panel").notes
    assert any(n.startswith("fewer than 5 child(ren)") for n in notes)
