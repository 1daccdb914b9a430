"""The commissioning report: counted in children; the true binding constraint (capacity or the
eligibility rule that binds); in-house share of mainstream fostering against the strategy's
target; placements over 20 miles (DfE) and out of area (CPPCR 2010 reg 11); total weekly cost;
capacity suggestions in each kind's own terms (registration categories for homes, terms of
approval for carers: FSR 2011 reg 27)."""

from __future__ import annotations

from carewise.matching import Addition
from carewise.matching.report import batch_report

AT = {"easting": "", "northing": ""}


def test_capacity_binds_when_suitable_places_are_taken(market, settings, today):
    m = market(referrals=[{"referral_id": "R1", "child_id": "C1"},
                          {"referral_id": "R2", "child_id": "C2"}],
               carers=[{"household_id": "H1", "approved_places": 1, "vacancies": 1,
                        "sibling_group_max": 1}], providers=[], vacancies=[])
    report = batch_report(m, settings, today=today)
    (group,) = report["unmet_groups"]
    assert group["binding_constraint"] == "capacity" and group["limited_by"] == "capacity"
    assert report["summary"]["children_unmet"] == 1


def test_eligibility_binds_with_the_rule_not_the_placement_type(market, settings, today):
    # a 16-year-old for fostering; the only carer is approved up to 12 and a home (a type not
    # sought) has room: the rule that binds is the age range, not the placement type
    m = market(referrals=[{"age": 16, "placement_types": "in_house_fostering"}],
               carers=[{"household_id": "H1", "max_age": 12}])
    (group,) = batch_report(m, settings, today=today)["unmet_groups"]
    assert group["binding_constraint"] == "age_range" and group["limited_by"] == "eligibility"


def test_commissioning_figures_in_children(market, settings, today):
    m = market(
        referrals=[{"referral_id": "R1", "child_id": "C1", "age": 8,
                    "placement_types": "in_house_fostering"},
                   {"referral_id": "R2", "child_id": "C2", "age": 8,
                    "placement_types": "agency_fostering"},
                   {"referral_id": "R3", "child_id": "C3", "age": 12,
                    "placement_types": "childrens_home"}],
        carers=[{"household_id": "H1", "postcode": "LS6 2AB", **AT}],  # Leeds, 2.3 miles
        providers=[{"urn": "SC1", "provider_type": "agency", "min_age": 0, "categories": "",
                    "postcode": "BD5 0AA", "price_standard": 850, "price_complex": 850,
                    "price_specialist": 850, **AT},  # Bradford: adjoining, 8.2 miles
                   {"urn": "SC2", "postcode": "M1 1AE", **AT}],  # Manchester: at a distance
        vacancies=[{"vacancy_id": "V1", "urn": "SC1"}, {"vacancy_id": "V2", "urn": "SC2"}])
    c = batch_report(m, settings, today=today)["commissioning"]
    assert c["children_placed"] == 3 and c["children_unmet"] == 0
    # one in-house, one agency: share 0.5 against 0.7; one more in-house child reaches it
    assert c["fostering"] | {"basis": None} == {
        "basis": None, "children_in_house": 1, "children_agency": 1, "in_house_share": 0.5,
        "target": 0.7, "gap_children": 1}
    assert (c["over_20_miles"], c["out_of_area"], c["at_a_distance"]) == (1, 2, 1)
    # in-house at full cost 450 + 200, agency 850, home standard band 4000
    assert c["weekly_cost"] == 650 + 850 + 4000


def test_capacity_suggestions_in_each_kinds_own_terms():
    home = Addition(kind="childrens_home", count=2, places=1, min_age=11, max_age=17,
                    skills=["emotional_behavioural", "exploitation"])
    assert home.terms() == {
        "registration_categories": ["emotional and behavioural difficulties"],
        "ages": [11, 17], "places": 1, "staff_skills": ["exploitation"]}
    assert "registered for emotional and behavioural difficulties" in home.describe("E08000035")
    carer = Addition(kind="in_house_fostering", count=3, places=2, min_age=5, max_age=9)
    assert carer.terms()["approval"] == {"min_age": 5, "max_age": 9, "children": 2,
                                         "sibling_group_max": 2}
    assert "approved for ages 5-9, 2 children each" in carer.describe("E08000035")
