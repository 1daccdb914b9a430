"""What matching guidance weighs, each as a named criterion with its source: the child's
wishes and feelings (CA 1989 s22(4)-(5)), who the child lives alongside and pets (national
Placement Standard; Fostering NMS 15.1), education (s22C(8)(b); CPPCR 2010 reg 10), connected
persons first and the s22C(6) order, in area / adjoining / at a distance (s22C(9); reg 11),
framework or spot and inspection recency, and in-house care at full cost."""

from __future__ import annotations

import pytest

from carewise.matching import shortlist

HOME_E, MILE = 429317.0, 1609.3  # as in conftest.BASE


def _run(market, settings, today, referral=None, **tables):
    tables.setdefault("providers", [])
    tables.setdefault("vacancies", [])
    return shortlist(market(referrals=[referral or {}], **tables), "R1", settings, today=today)


def _crit(found, option_id):
    cand = next(c for c in found.candidates if c["option_id"] == option_id)
    return {k["criterion"]: k for k in cand["criteria"]} | {"_": cand}


def _reasons(found):
    return {e["option_id"]: e["reasons"] for e in found.excluded}


def test_wishes_and_feelings_recorded_shown_and_scored(market, settings, today):
    ref = {"wishes_feelings": "I want to live with a family near my friends in Headingley",
           "preferred_types": "in_house_fostering", "preferred_areas": "LS6"}
    found = _run(market, settings, today, ref,
                 carers=[{"household_id": "H1", "postcode": "LS6 2AB"},
                         {"household_id": "H2", "postcode": "BD5 0AA"}],
                 providers=[{"urn": "SC1", "postcode": "LS6 2AA"}],
                 vacancies=[{"vacancy_id": "V1", "urn": "SC1"}])
    assert found.as_dict()["wishes_feelings"].startswith("I want to live with a family")
    # half for the kind, half for the area
    assert _crit(found, "H1")["wishes"]["score"] == 1.0
    assert _crit(found, "H2")["wishes"]["score"] == 0.5
    assert _crit(found, "V1")["wishes"]["score"] == 0.5
    assert "s22(4)" in _crit(found, "H1")["wishes"]["why"]


def test_solo_placement_and_pets_are_hard(market, settings, today):
    found = _run(market, settings, today, {"cared_for_alongside": "solo",
                                           "can_live_with_pets": "no"},
                 carers=[{"household_id": "H1"},
                         {"household_id": "H2", "current_children": 1, "vacancies": 1},
                         {"household_id": "H3", "pets": "Y"}])
    assert {c["option_id"] for c in found.candidates} == {"H1"}
    assert _reasons(found) == {"H2": ["household"], "H3": ["household"]}


def test_only_with_older_children(market, settings, today):
    there = {"current_children": 1, "vacancies": 1}
    found = _run(market, settings, today, {"cared_for_alongside": "older_children_only"},
                 carers=[{"household_id": "H1", **there, "current_youngest_age": 15},
                         {"household_id": "H2", **there, "current_youngest_age": 9},
                         {"household_id": "H3", **there},
                         {"household_id": "H4"}])
    scores = {h: _crit(found, h)["household"] for h in ("H1", "H2", "H3", "H4")}
    assert [scores[h]["score"] for h in ("H1", "H2", "H4")] == [1.0, 0.0, 1.0]
    assert scores["H3"]["score"] is None and scores["H3"]["note"]  # ages not known


def test_education_exam_years_and_ehcp_weigh_school_more(market, settings, today):
    ref = {"school_postcode": "LS1 1BA", "keep_school": "Y", "school_year": 10, "ehcp": "Y"}
    found = _run(market, settings, today, ref,
                 carers=[{"household_id": "H1"},
                         {"household_id": "H2", "easting": HOME_E + 12 * MILE}])
    # 1.5 x keep school 2 x exam year 1.5 x EHCP 1.5
    assert _crit(found, "H1")["distance_school"]["weight"] == pytest.approx(6.75)
    assert _crit(found, "H1")["_"]["school_change_approval"] is None
    assert "reg 10" in _crit(found, "H2")["_"]["school_change_approval"]


def test_connected_person_first_and_only_for_their_child(market, settings, today):
    found = _run(market, settings, today, {}, carers=[
        {"household_id": "H1"},
        {"household_id": "H2", "connected_person_for": "C1",
         "easting": HOME_E + 30 * MILE},
        {"household_id": "H3", "connected_person_for": "C9"}])
    assert [c["option_id"] for c in found.candidates][:2] == ["H2", "H1"]
    assert _crit(found, "H2")["_"]["score"] < _crit(found, "H1")["_"]["score"]
    assert _crit(found, "H2")["_"]["connected_person"] is True
    assert _reasons(found) == {"H3": ["connected_person"]}


def test_s22c_order_of_preference_scores(market, settings, today):
    found = _run(market, settings, today,
                 {"age": 16, "placement_types": "in_house_fostering;childrens_home;"
                                                "supported_accommodation"},
                 carers=[{"household_id": "H1", "connected_person_for": "C1"},
                         {"household_id": "H2"}],
                 providers=[{"urn": "SC1"},
                            {"urn": "SC2", "provider_type": "supported_accommodation",
                             "categories": ""}],
                 vacancies=[{"vacancy_id": "V1", "urn": "SC1"},
                            {"vacancy_id": "V2", "urn": "SC2"}])
    order = {h: _crit(found, h)["placement_order"]["score"] for h in ("H1", "H2", "V1", "V2")}
    assert order == {"H1": 1.0, "H2": 0.75, "V1": 0.5, "V2": 0.25}


def test_in_area_adjoining_at_a_distance_scored(market, settings, today):
    found = _run(market, settings, today, {}, carers=[
        {"household_id": "H1", "easting": "", "northing": "", "postcode": "LS6 2AB"},
        {"household_id": "H2", "easting": "", "northing": "", "postcode": "BD7 1DP"},
        {"household_id": "H3", "easting": "", "northing": "", "postcode": "M1 1AE"}])
    assert [_crit(found, h)["locality"]["score"] for h in ("H1", "H2", "H3")] == [1.0, 0.5, 0.0]


def test_framework_or_spot_and_inspection_recency(market, settings, today):
    # today 10/11/2026: inspected 6 months ago scores 1; 24 months: halfway from 12 to 36 -> 0.5
    found = _run(market, settings, today, {"placement_types": "childrens_home"}, carers=[],
                 providers=[{"urn": "SC1", "contract": "framework", "ofsted_date": "2026-05-10"},
                            {"urn": "SC2", "contract": "spot", "ofsted_date": "2024-11-10"},
                            {"urn": "SC3", "contract": "spot"}],
                 vacancies=[{"vacancy_id": f"V{i}", "urn": f"SC{i}"} for i in (1, 2, 3)])
    assert _crit(found, "V1")["contract"]["score"] == 1.0
    assert _crit(found, "V2")["contract"]["score"] == 0.5
    assert _crit(found, "V1")["inspection"]["score"] == 1.0
    assert _crit(found, "V2")["inspection"]["score"] == pytest.approx(0.5, abs=0.01)
    assert _crit(found, "V3")["inspection"]["level"] == "N/A"


def test_in_house_compared_on_full_cost(market, settings, today):
    found = _run(market, settings, today, {}, carers=[
        {"household_id": "H1", "weekly_cost": 450},
        {"household_id": "H2", "weekly_cost": 450, "full_weekly_cost": 720}])
    assert _crit(found, "H1")["_"]["weekly_price"] == 650.0  # 450 + 200 overhead
    assert _crit(found, "H2")["_"]["weekly_price"] == 720.0
    assert _crit(found, "H1")["_"]["cost_basis"].startswith("full cost")
