"""Care leavers (OC3), health (OC2) and missing: hand-worked examples."""

from __future__ import annotations

import pytest

from carewise.measures import evaluate


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


def _incident(child_id: str, kind: str, start: str) -> dict[str, object]:
    return {"CHILD": child_id, "DOB": "01/06/2010", "MISSING": kind, "MIS_START": start}


def test_missing_and_away_are_counted_separately(helpers):
    """DfE publishes children who went missing (M) and children away from placement without
    authorisation (A) as separate figures, each with its incidents."""
    h = helpers
    header = [h.child(c, "01/06/2010") for c in ("a", "b", "c", "d", "e")]
    eps = [h.ep(c, "01/01/2024") for c in "abcd"] + [h.ep("e", "01/01/2024", ls="V3")]
    missing = [
        _incident("a", "M", "01/05/2024"),  # a: missing twice and away once
        _incident("a", "M", "01/07/2024"),
        _incident("a", "A", "01/08/2024"),
        _incident("b", "M", "31/03/2025"),  # b: missing once, on the last day
        _incident("c", "A", "01/04/2024"),  # c: away twice, from the first day
        _incident("c", "A", "10/10/2024"),
        _incident("d", "M", "31/03/2024"),  # d: before the year
        _incident("e", "A", "01/05/2024"),  # e: short breaks only
    ]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "missing": missing})
    assert h.measure(hist, "missing_children").value == 3  # a, b, c
    went = h.measure(hist, "missing_children_missing")
    assert went.value == 2  # a, b
    assert {r.category: r.numerator for r in went.breakdowns["kind"]} == {
        "Missing only": 1,
        "Missing and away": 1,
    }
    away = h.measure(hist, "missing_children_away")
    assert away.value == 2  # a, c
    assert {r.category: r.numerator for r in away.breakdowns["kind"]} == {
        "Away only": 1,
        "Missing and away": 1,
    }
    assert h.measure(hist, "missing_incidents").value == 6
    assert h.measure(hist, "missing_incidents_missing").value == 3  # a twice, b
    assert h.measure(hist, "missing_incidents_away").value == 3  # a, c twice
    assert "LAG1" in went.dfe and "LAG1" in away.dfe


def test_separate_missing_figures_give_nothing_small_away(helpers):
    """10 children missing only, 10 away only, 3 both: the 3 is hidden, and no combination of
    the combined and separate figures gives it back."""
    h = helpers
    ids = [f"m{i}" for i in range(10)] + [f"a{i}" for i in range(10)] + ["b0", "b1", "b2"]
    header = [h.child(c, "01/06/2010") for c in ids]
    eps = [h.ep(c, "01/01/2024") for c in ids]
    missing = [_incident(c, "M", "01/05/2024") for c in ids if c[0] in "mb"]
    missing += [_incident(c, "A", "01/06/2024") for c in ids if c[0] in "ab"]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "missing": missing})
    mids = ["missing_children", "missing_children_missing", "missing_children_away"]
    results = {
        r.id: r for r in evaluate(hist, "2024-25", None, "panel", ids=mids + ["missing_incidents"])
    }
    internal = {r.id: r for r in evaluate(hist, "2024-25", None, "internal", ids=mids)}
    assert internal["missing_children_missing"].value == 13
    assert internal["missing_children_away"].value == 13
    kind = {r.category: r.numerator for r in results["missing_children"].breakdowns["kind"]}
    assert kind["Missing and away"] is None
    total = results["missing_children"].numerator
    went, away = (results[m].numerator for m in mids[1:])
    # went missing + away - all children = both: never all three shown
    assert None in (total, went, away)
    # nor a separate figure beside the "only" cell it differs from by the hidden 3
    assert went is None or kind["Missing only"] is None
    assert away is None or kind["Away only"] is None


def test_development_checks_under_5_from_oc2_health_check(helpers):
    """DfE's under-5 development assessments: OC2 HEALTH_CHECK = 1, for children under 5 at
    31 March in the OC2 cohort (looked after 12 months or more)."""
    h = helpers
    header = [h.child("baby", "01/06/2022"), h.child("tot", "01/06/2021"), h.child("four", "01/04/2020"),
              h.child("five", "31/03/2020"), h.child("new", "01/06/2022")]
    eps = [h.ep(c, "01/01/2024") for c in ("baby", "tot", "four", "five")] + [h.ep("new", "02/04/2024")]
    oc2 = [
        {"CHILD": "baby", "DOB": "01/06/2022", "HEALTH_CHECK": "1"},  # aged 2: up to date
        {"CHILD": "tot", "DOB": "01/06/2021", "HEALTH_CHECK": "0"},  # aged 3: not
        # "four": aged 4 at 31 March 2025 with no OC2 row: counts as not up to date
        {"CHILD": "five", "DOB": "31/03/2020", "HEALTH_CHECK": "1"},  # 5 on 31 March: not under 5
        {"CHILD": "new", "DOB": "01/06/2022", "HEALTH_CHECK": "1"},  # in care under 12 months
    ]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "oc2": oc2})
    r = h.measure(hist, "development_checks_under_5")
    assert (r.numerator, r.denominator, r.value) == (1, 3, 33.3)
    assert r.notes[0].startswith("annual figure for 2024-25")


def test_annual_oc2_and_oc3_figures_name_their_year_in_a_quarter(helpers):
    h = helpers
    hist = h.make_history(y2024={
        "header": [h.child("a", "01/06/2012")], "episodes": [h.ep("a", "01/01/2023")],
        "oc2": [{"CHILD": "a", "DOB": "01/06/2012", "HEALTH_ASSESSMENT": "1"}],
        "oc3": [{"CHILD": "b", "DOB": "01/06/2006", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "U1"}],
    })
    for mid in ("health_assessments", "care_leavers_in_touch"):
        r = h.measure(hist, mid, "2024-Q4")
        assert r.available and r.notes[0].startswith("annual figure for 2024-25"), mid
