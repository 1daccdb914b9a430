"""Scored criteria, hand-worked. Defaults: distance score falls from 1 at 0 miles to 0 at 40;
cost 1 - price / (2 x budget); Ofsted good 0.75; skills = share of needs covered."""

from __future__ import annotations

import pytest

from carewise.matching import load_settings, shortlist

HOME_E, HOME_N, MILE = 429317.0, 433507.0, 1609.3  # as in conftest.BASE


def _crit(found, option_id: str) -> dict[str, dict]:
    cand = next(c for c in found.candidates if c["option_id"] == option_id)
    return {k["criterion"]: k for k in cand["criteria"]} | {"_": cand}


def test_distance_from_home_10_miles_scores_0_75(market, settings):
    m = market(carers=[{"household_id": "H1", "easting": HOME_E + 10 * MILE, "northing": HOME_N}],
               providers=[], vacancies=[])
    c = _crit(shortlist(m, "R1", settings), "H1")
    assert c["_"]["distance_home_miles"] == 10.0
    assert c["distance_home"]["score"] == pytest.approx(0.75)
    assert c["_"]["over_20_miles"] is False


def test_distance_over_40_miles_scores_0_and_is_flagged_over_20(market, settings):
    m = market(carers=[{"household_id": "H1", "easting": HOME_E + 45 * MILE}], providers=[],
               vacancies=[])
    c = _crit(shortlist(m, "R1", settings), "H1")
    assert c["distance_home"]["score"] == 0.0
    assert c["_"]["over_20_miles"] is True


def test_distance_from_school_weight_doubles_when_school_must_be_kept(market, settings):
    ref = {"school_postcode": "LS1 1BA", "keep_school": "Y"}
    m = market(referrals=[ref], providers=[], vacancies=[])
    c = _crit(shortlist(m, "R1", settings), "H1")
    assert c["distance_school"]["weight"] == 3.0  # 1.5 x keep_school_multiplier 2
    assert c["distance_school"]["score"] == pytest.approx(0.9)  # 4 miles: 1 - 4/40


def test_school_criterion_not_applicable_without_a_school(market, settings):
    m = market(providers=[], vacancies=[])
    c = _crit(shortlist(m, "R1", settings), "H1")
    assert c["distance_school"]["level"] == "N/A" and c["distance_school"]["weight"] == 0


def test_in_house_preference_is_a_switchable_weight(market, settings, tmp_path):
    m = market()
    found = shortlist(m, "R1", settings)
    assert _crit(found, "H1")["in_house"]["score"] == 1.0
    assert _crit(found, "V1")["in_house"]["score"] == 0.0
    off = tmp_path / "m.toml"
    off.write_text("[weights]\nin_house = 0\n")
    c = _crit(shortlist(m, "R1", load_settings(off)), "H1")
    assert c["in_house"]["weight"] == 0 and c["in_house"]["contribution"] == 0


def test_cost_against_budget(market, settings):
    # in-house at full cost: £450 allowance + £200 overhead = £650 against £900 budget:
    # 1 - 650/1800 = 0.639; home: no needs -> standard band £4000: 1 - 4000/1800 < 0 -> 0
    m = market()
    found = shortlist(m, "R1", settings)
    assert _crit(found, "H1")["cost"]["score"] == pytest.approx(1 - 650 / 1800, abs=1e-3)
    assert _crit(found, "H1")["_"]["weekly_price"] == 650.0
    assert _crit(found, "V1")["cost"]["score"] == 0.0
    assert _crit(found, "V1")["_"]["weekly_price"] == 4000.0


def test_price_band_follows_the_number_of_needs(market, settings):
    # budget 9000; one need -> complex band £4600: 1 - 4600/18000
    ref = {"need_emotional_behavioural": "Y", "budget_weekly": 9000}
    m = market(referrals=[ref])
    c = _crit(shortlist(m, "R1", settings), "V1")
    assert c["_"]["weekly_price"] == 4600.0
    assert c["cost"]["score"] == pytest.approx(1 - 4600 / 18000, abs=1e-3)


def test_ofsted_grade_scores(market, settings):
    m = market(carers=[], providers=[{"urn": "SC1", "ofsted_grade": "outstanding"},
                                     {"urn": "SC2", "ofsted_grade": "requires_improvement"}],
               vacancies=[{"vacancy_id": "V1", "urn": "SC1"}, {"vacancy_id": "V2", "urn": "SC2"}])
    found = shortlist(m, "R1", settings)
    assert _crit(found, "V1")["ofsted"]["score"] == 1.0
    assert _crit(found, "V2")["ofsted"]["score"] == 0.35


def test_in_house_not_graded_individually_counts_at_the_neutral_score(market, settings):
    m = market(providers=[], vacancies=[])
    c = _crit(shortlist(m, "R1", settings), "H1")
    assert c["ofsted"]["score"] is None
    assert c["ofsted"]["note"].startswith("unknown")


def test_skills_share_of_needs_covered_and_therapeutic_meets_ebd(market, settings):
    ref = {"need_emotional_behavioural": "Y", "need_missing": "Y", "language": "Arabic"}
    m = market(referrals=[ref], providers=[], vacancies=[], carers=[
        {"household_id": "H1", "skills": "therapeutic;missing", "languages": "Arabic"},
        {"household_id": "H2", "skills": "missing"}])
    found = shortlist(m, "R1", settings)
    assert _crit(found, "H1")["skills"]["score"] == pytest.approx(1.0)
    assert _crit(found, "H2")["skills"]["score"] == pytest.approx(1 / 3, abs=1e-3)


def test_siblings_together_when_not_required(market, settings):
    ref = {"sibling_group_size": 2, "siblings_together_required": "N", "age": 8}
    m = market(referrals=[ref], providers=[], vacancies=[], carers=[
        {"household_id": "H1"}, {"household_id": "H2", "vacancies": 1, "approved_places": 1,
                                 "sibling_group_max": 1}])
    found = shortlist(m, "R1", settings)
    assert _crit(found, "H1")["siblings_together"]["score"] == 1.0
    assert _crit(found, "H2")["siblings_together"]["score"] == 0.0


def test_continuity_with_previous_carers(market, settings):
    m = market(referrals=[{"previous_carers": "H2"}], providers=[], vacancies=[],
               carers=[{"household_id": "H1"}, {"household_id": "H2"}])
    found = shortlist(m, "R1", settings)
    assert _crit(found, "H2")["continuity"]["score"] == 1.0
    assert _crit(found, "H1")["continuity"]["score"] == 0.0


def test_total_is_the_weighted_mean_and_contributions_add_up(market, settings):
    # H1: 4 miles (0.9 x 3), in-house (1 x 1), full cost 650 of 1800 (0.639 x 1.5), Ofsted
    # unknown (0.5 x 1.5), s22C order foster parent (0.75 x 2), council's own service counts
    # as framework (1 x 0.5), no inspection date (unknown 0.5 x 0.5); location given as grid
    # reference only, so in area / adjoining is not known and left out.
    # weights 3 + 1 + 1.5 + 1.5 + 2 + 0.5 + 0.5 = 10
    # -> 100 x (2.7 + 1 + 0.9583 + 0.75 + 1.5 + 0.5 + 0.25) / 10 = 76.6
    m = market(providers=[], vacancies=[])
    c = _crit(shortlist(m, "R1", settings), "H1")
    assert c["_"]["score"] == pytest.approx(76.6, abs=0.05)
    total = sum(v["contribution"] for k, v in c.items() if k != "_")
    assert total == pytest.approx(c["_"]["score"], abs=0.05)


def test_locality_and_approval_flags(market, settings):
    # Bradford (adjoining Leeds) and Manchester (at a distance)
    m = market(providers=[], vacancies=[], carers=[
        {"household_id": "H1", "easting": "", "northing": "", "postcode": "BD7 1DP"},
        {"household_id": "H2", "easting": "", "northing": "", "postcode": "M1 1AE"}])
    found = shortlist(m, "R1", settings)
    assert _crit(found, "H1")["_"]["locality"] == "adjoining"
    assert "nominated officer" in _crit(found, "H1")["_"]["approval_needed"]
    assert _crit(found, "H2")["_"]["locality"] == "at_a_distance"
    assert "Director of Children's Services" in _crit(found, "H2")["_"]["approval_needed"]
