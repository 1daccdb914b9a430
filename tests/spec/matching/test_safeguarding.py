"""Safeguarding geography: a child who must be kept away from home (risk of exploitation,
gangs, harmful adults) is protected by hard constraints, never by a score, and no score pulls
that child back toward home. Sources: the child's safeguarding plan; CA 1989 s22C(7)-(8)
("so far as reasonably practicable ... consistent with the child's welfare"); the RCC home
search standard ("locations to avoid") and national Placement Standard (deprivation of liberty
order)."""

from __future__ import annotations

HOME_E, HOME_N, MILE = 429317.0, 433507.0, 1609.3  # as in conftest.BASE (LS1 1BA)


def _split(found):
    return ({c["option_id"] for c in found.candidates},
            {e["option_id"]: e["reasons"] for e in found.excluded})


def _shortlist(market, settings, today, referral, **tables):
    from carewise.matching import shortlist

    tables.setdefault("providers", [])
    tables.setdefault("vacancies", [])
    return shortlist(market(referrals=[referral], **tables), "R1", settings, today=today)


def test_minimum_distance_excludes_nearer_options_and_unknown_distances(market, settings, today):
    found = _shortlist(market, settings, today, {"min_distance_miles": 10}, carers=[
        {"household_id": "H1", "easting": HOME_E + 4 * MILE},
        {"household_id": "H2", "easting": HOME_E + 12 * MILE},
        {"household_id": "H3", "easting": "", "northing": ""}])
    passed, reasons = _split(found)
    assert passed == {"H2"}
    assert reasons == {"H1": ["min_distance"], "H3": ["min_distance"]}


def test_minimum_distance_switches_off_the_pull_of_home(market, settings, today):
    # 12 and 30 miles away, otherwise the same: neither is preferred for being nearer home
    found = _shortlist(market, settings, today, {"min_distance_miles": 10}, carers=[
        {"household_id": "H1", "easting": HOME_E + 12 * MILE},
        {"household_id": "H2", "easting": HOME_E + 30 * MILE}])
    by_id = {c["option_id"]: c for c in found.candidates}
    assert by_id["H1"]["score"] == by_id["H2"]["score"]
    home = {k["criterion"]: k for k in by_id["H1"]["criteria"]}["distance_home"]
    assert home["weight"] == 0 and home["level"] == "N/A"


def test_areas_to_avoid_by_postcode_district_sector_or_council(market, settings, today):
    carers = [{"household_id": "H1", "postcode": "LS6 2AB"},
              {"household_id": "H2", "postcode": "LS12 5AA"},
              {"household_id": "H3", "postcode": "BD5 0AA"}]
    # district LS6 and sector LS12 5, written loosely
    passed, reasons = _split(_shortlist(market, settings, today,
                                        {"avoid_areas": "ls6; LS12  5"}, carers=carers))
    assert passed == {"H3"}
    assert reasons == {"H1": ["avoid_areas"], "H2": ["avoid_areas"]}
    # the whole of Leeds (E08000035): only the Bradford household is left
    passed, _ = _split(_shortlist(market, settings, today, {"avoid_areas": "e08000035"},
                                  carers=carers))
    assert passed == {"H3"}


def test_areas_to_avoid_exclude_an_option_whose_location_is_not_known(market, settings, today):
    passed, reasons = _split(_shortlist(market, settings, today, {"avoid_areas": "LS6"}, carers=[
        {"household_id": "H1", "postcode": "BD5 0AA"},
        {"household_id": "H2", "postcode": "", "easting": "", "northing": ""}]))
    assert passed == {"H1"}
    assert reasons == {"H2": ["avoid_areas"]}


def test_deprivation_of_liberty_only_where_the_setting_can_care_for_it(market, settings, today):
    found = _shortlist(market, settings, today, {"deprivation_of_liberty": "Y"},
                       carers=[{"household_id": "H1"}],
                       providers=[{"urn": "SC1", "accepts_dol": "Y"},
                                  {"urn": "SC2", "accepts_dol": "N"}],
                       vacancies=[{"vacancy_id": "V1", "urn": "SC1"},
                                  {"vacancy_id": "V2", "urn": "SC2"}])
    passed, reasons = _split(found)
    assert passed == {"V1"}
    assert reasons == {"H1": ["deprivation_of_liberty"], "V2": ["deprivation_of_liberty"]}


def test_home_in_an_area_to_avoid_also_switches_off_the_pull_of_home(market, settings, today):
    # home LS1 1BA; its district LS1 is to be avoided: nearer is not better
    found = _shortlist(market, settings, today, {"avoid_areas": "LS1"}, carers=[
        {"household_id": "H1", "postcode": "BD5 0AA", "easting": "", "northing": ""},
        {"household_id": "H2", "postcode": "M1 1AE", "easting": "", "northing": ""}])
    home = {c["option_id"]: {k["criterion"]: k for k in c["criteria"]}["distance_home"]
            for c in found.candidates}
    assert home and all(h["weight"] == 0 for h in home.values())
