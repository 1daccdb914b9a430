"""Hard constraints: each removes exactly the options it should, with its own reason.

Every test builds one referral and two options that differ only in what the constraint reads:
the first passes every rule, the second fails this rule alone.
"""

from __future__ import annotations

from datetime import date

from carewise.matching import shortlist

TODAY = date(2026, 11, 10)  # as conftest.TODAY: the day matching is run


def _reasons(found) -> dict[str, list[str]]:
    return {e["option_id"]: e["reasons"] for e in found.excluded}


def _check(market, settings, constraint: str, *, referral: dict | None = None, **tables):
    m = market(referrals=[referral or {}], **tables)
    found = shortlist(m, "R1", settings, today=TODAY)
    reasons = _reasons(found)
    passed = {c["option_id"] for c in found.candidates}
    return passed, reasons


def test_vacancy_no_free_place_or_not_free_by_the_date_needed(market, settings):
    passed, reasons = _check(market, settings, "vacancy", carers=[
        {"household_id": "H1"}, {"household_id": "H2", "vacancies": 0},
        {"household_id": "H3", "available_from": "2026-11-21"}], providers=[], vacancies=[])
    assert passed == {"H1"}
    assert reasons == {"H2": ["vacancy"], "H3": ["vacancy"]}


def test_provider_without_a_vacancy_row_is_excluded_for_vacancy(market, settings):
    passed, reasons = _check(market, settings, "vacancy", carers=[],
                             providers=[{"urn": "SC1"}, {"urn": "SC2"}],
                             vacancies=[{"urn": "SC1"}])
    assert passed == {"V1"}
    assert reasons == {"SC2": ["vacancy"]}


def test_placement_type_not_sought(market, settings):
    passed, reasons = _check(market, settings, "placement_type",
                             referral={"placement_types": "in_house_fostering"})
    assert passed == {"H1"}
    assert reasons == {"V1": ["placement_type"]}


def test_registration_home_must_be_registered_for_the_childs_needs(market, settings):
    passed, reasons = _check(
        market, settings, "registration", referral={"need_disability": "Y"}, carers=[],
        providers=[{"urn": "SC1", "categories": "disability"},
                   {"urn": "SC2", "categories": "emotional_behavioural"},
                   {"urn": "SC3", "categories": "disability", "active": "N"}],
        vacancies=[{"vacancy_id": "V1", "urn": "SC1"}, {"vacancy_id": "V2", "urn": "SC2"},
                   {"vacancy_id": "V3", "urn": "SC3"}])
    assert passed == {"V1"}
    assert reasons == {"V2": ["registration"], "V3": ["registration"]}


def test_age_range_inclusive_at_both_ends(market, settings):
    passed, reasons = _check(market, settings, "age_range", providers=[], vacancies=[], carers=[
        {"household_id": "H1", "min_age": 12, "max_age": 12},
        {"household_id": "H2", "min_age": 13, "max_age": 17},
        {"household_id": "H3", "min_age": 0, "max_age": 11}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["age_range"], "H3": ["age_range"]}


def test_sex_accepted(market, settings):
    passed, reasons = _check(market, settings, "sex", providers=[], vacancies=[], carers=[
        {"household_id": "H1", "sex_accepted": "F"}, {"household_id": "H2", "sex_accepted": "M"}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["sex"]}


def test_setting_age_no_under_16s_in_supported_accommodation(market, settings):
    sa = {"provider_type": "supported_accommodation", "min_age": 0, "categories": ""}
    types = "supported_accommodation"
    passed, reasons = _check(market, settings, "setting_age", carers=[],
                             referral={"age": 15, "placement_types": types},
                             providers=[{"urn": "SC1"} | sa], vacancies=[{"urn": "SC1"}])
    assert passed == set() and reasons == {"V1": ["setting_age"]}
    passed, _ = _check(market, settings, "setting_age", carers=[],
                       referral={"age": 16, "placement_types": types, "referral_id": "R1"},
                       providers=[{"urn": "SC1"} | sa], vacancies=[{"urn": "SC1"}])
    assert passed == {"V1"}


def test_sibling_capacity_when_the_group_must_stay_together(market, settings):
    group = {"sibling_group_size": 3, "siblings_together_required": "Y", "age": 8}
    passed, reasons = _check(market, settings, "sibling_capacity", referral=group, providers=[],
                             vacancies=[], carers=[
                                 {"household_id": "H1", "approved_places": 3, "vacancies": 3,
                                  "sibling_group_max": 3},
                                 {"household_id": "H2", "approved_places": 3, "vacancies": 2,
                                  "sibling_group_max": 3},
                                 {"household_id": "H3", "approved_places": 3, "vacancies": 3,
                                  "sibling_group_max": 2}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["sibling_capacity"], "H3": ["sibling_capacity"]}


def test_fostering_limit_of_three_unless_all_siblings_or_exempt(market, settings):
    pair = {"sibling_group_size": 2, "siblings_together_required": "Y", "age": 8}
    passed, reasons = _check(market, settings, "fostering_limit", referral=pair, providers=[],
                             vacancies=[], carers=[
                                 # 2 there + 2 = 4 > 3: over the limit
                                 {"household_id": "H1", "approved_places": 4, "vacancies": 2,
                                  "current_children": 2, "sibling_group_max": 2},
                                 # same, with an exemption
                                 {"household_id": "H2", "approved_places": 4, "vacancies": 2,
                                  "current_children": 2, "sibling_group_max": 2,
                                  "fostering_limit_exemption": "Y"},
                                 # 1 there + 2 = 3: within the limit
                                 {"household_id": "H3", "approved_places": 3, "vacancies": 2,
                                  "current_children": 1, "sibling_group_max": 2}])
    assert passed == {"H2", "H3"}
    assert reasons == {"H1": ["fostering_limit"]}


def test_four_siblings_may_go_to_an_empty_household(market, settings):
    four = {"sibling_group_size": 4, "siblings_together_required": "Y", "age": 8}
    passed, _ = _check(market, settings, "fostering_limit", referral=four, providers=[],
                       vacancies=[], carers=[{"household_id": "H1", "approved_places": 4,
                                              "vacancies": 4, "sibling_group_max": 4}])
    assert passed == {"H1"}


def test_terms_of_approval_duration_and_parent_and_child(market, settings):
    passed, reasons = _check(market, settings, "terms_of_approval",
                             referral={"duration": "long_term"}, providers=[], vacancies=[],
                             carers=[{"household_id": "H1"},
                                     {"household_id": "H2", "long_term": "N"}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["terms_of_approval"]}


def test_exclusions_named_and_restrictions(market, settings):
    passed, reasons = _check(market, settings, "exclusions",
                             referral={"excluded": "H2", "need_offending": "Y"}, providers=[],
                             vacancies=[], carers=[{"household_id": "H1"}, {"household_id": "H2"},
                                                   {"household_id": "H3",
                                                    "cannot_accept": "offending"}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["exclusions"], "H3": ["exclusions"]}


def test_distance_cap_excludes_known_distances_over_the_cap_only(market, settings):
    HOME_E, HOME_N, MILE = 429317.0, 433507.0, 1609.3  # as in conftest.BASE

    passed, reasons = _check(market, settings, "distance_cap",
                             referral={"max_distance_miles": 10}, providers=[], vacancies=[],
                             carers=[{"household_id": "H1", "easting": HOME_E + 9.9 * MILE},
                                     {"household_id": "H2", "easting": HOME_E + 10.1 * MILE,
                                      "northing": HOME_N}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["distance_cap"]}


def test_ofsted_floor_default_excludes_inadequate_only(market, settings):
    passed, reasons = _check(
        market, settings, "ofsted_floor", carers=[],
        providers=[{"urn": "SC1", "ofsted_grade": "requires_improvement"},
                   {"urn": "SC2", "ofsted_grade": "inadequate"},
                   {"urn": "SC3", "ofsted_grade": "not_yet_inspected"}],
        vacancies=[{"vacancy_id": "V1", "urn": "SC1"}, {"vacancy_id": "V2", "urn": "SC2"},
                   {"vacancy_id": "V3", "urn": "SC3"}])
    assert passed == {"V1", "V3"}
    assert reasons == {"V2": ["ofsted_floor"]}


def test_nothing_fits_names_the_constraint_that_excluded_most(market, settings):
    m = market(referrals=[{"age": 16, "placement_types": "in_house_fostering"}], providers=[],
               vacancies=[], carers=[{"household_id": "H1", "max_age": 10},
                                     {"household_id": "H2", "max_age": 12},
                                     {"household_id": "H3", "vacancies": 0, "max_age": 12}])
    found = shortlist(m, "R1", settings)
    assert found.nothing_fits
    assert found.most_excluding["constraint"] == "age_range"
    funnel = {f["constraint"]: (f["excluded"], f["only_reason"]) for f in found.funnel}
    assert funnel["age_range"] == (3, 2)
    assert funnel["vacancy"] == (1, 0)
