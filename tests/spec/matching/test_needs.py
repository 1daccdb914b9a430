"""Essential and desirable needs. A need marked essential is a hard constraint for every kind
of option, foster homes included (Fostering NMS 15.1: carers suggested only if they can
reasonably be expected to meet the child's assessed needs); a home meets it by a skill or its
registration category (Statement of Purpose). Other needs are desirable and scored.
Adaptations a child needs (wheelchair access, ground-floor bedroom …) are always essential
(CA 1989 s22C(8)(d): suitable for a disabled child's needs)."""

from __future__ import annotations

from carewise.matching import shortlist


def _run(market, settings, today, referral, **tables):
    tables.setdefault("providers", [])
    tables.setdefault("vacancies", [])
    tables.setdefault("carers", [])
    found = shortlist(market(referrals=[referral], **tables), "R1", settings, today=today)
    return found, {c["option_id"] for c in found.candidates}, {
        e["option_id"]: e["reasons"] for e in found.excluded}


def test_essential_need_excludes_a_foster_home_that_does_not_list_it(market, settings, today):
    carers = [{"household_id": "H1", "skills": "disability"}, {"household_id": "H2"}]
    _, passed, reasons = _run(market, settings, today,
                              {"need_disability": "Y", "essential_needs": "disability"},
                              carers=carers)
    assert passed == {"H1"} and reasons == {"H2": ["essential_needs"]}


def test_desirable_need_is_scored_not_required(market, settings, today):
    carers = [{"household_id": "H1", "skills": "disability"}, {"household_id": "H2"}]
    found, passed, _ = _run(market, settings, today, {"need_disability": "Y"}, carers=carers)
    assert passed == {"H1", "H2"}
    skills = {c["option_id"]: {k["criterion"]: k for k in c["criteria"]}["skills"]["score"]
              for c in found.candidates}
    assert skills == {"H1": 1.0, "H2": 0.0}


def test_essential_need_met_by_a_homes_registration_category(market, settings, today):
    referral = {"need_emotional_behavioural": "Y", "essential_needs": "emotional_behavioural",
                "placement_types": "childrens_home"}
    _, passed, reasons = _run(
        market, settings, today, referral,
        providers=[{"urn": "SC1", "categories": "emotional_behavioural", "skills": ""},
                   {"urn": "SC2", "categories": "disability;emotional_behavioural"},
                   {"urn": "SC3", "categories": "", "skills": "therapeutic"},
                   {"urn": "SC4", "categories": "", "skills": "missing"}],
        vacancies=[{"vacancy_id": f"V{i}", "urn": f"SC{i}"} for i in range(1, 5)])
    # SC3/SC4 are not registered for EBD either: both the registration rule and the essential
    # need exclude SC4; therapeutic care counts as meeting emotional and behavioural needs
    assert passed == {"V1", "V2"}
    assert reasons == {"V3": ["registration"], "V4": ["registration", "essential_needs"]}


def test_essential_language(market, settings, today):
    carers = [{"household_id": "H1", "languages": "Arabic"}, {"household_id": "H2",
                                                               "languages": "Urdu"}]
    _, passed, reasons = _run(market, settings, today,
                              {"language": "Arabic", "essential_needs": "language"},
                              carers=carers)
    assert passed == {"H1"} and reasons == {"H2": ["essential_needs"]}


def test_adaptations_needed_are_hard_for_every_kind(market, settings, today):
    referral = {"adaptations_needed": "wheelchair_access;ground_floor_bedroom"}
    both = "wheelchair_access;ground_floor_bedroom"
    _, passed, reasons = _run(
        market, settings, today, referral,
        carers=[{"household_id": "H1", "adaptations": both},
                {"household_id": "H2", "adaptations": "ground_floor_bedroom"}],
        providers=[{"urn": "SC1", "adaptations": both}, {"urn": "SC2", "adaptations": ""}],
        vacancies=[{"vacancy_id": "V1", "urn": "SC1"}, {"vacancy_id": "V2", "urn": "SC2"},
                   {"vacancy_id": "V3", "urn": "SC2", "adaptations": both}])
    # V3: an agency carer's own home has them though the provider's office does not
    assert passed == {"H1", "V1", "V3"}
    assert reasons == {"H2": ["adaptations"], "V2": ["adaptations"]}
