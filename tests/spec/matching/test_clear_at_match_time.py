"""Clear at match time: what was assumed about a location is named in the shortlist (a silent
guess must never shape a child's placement); vacancies above a provider's registered places
(Ofsted registration) are flagged wherever the market is used; the plain-text shortlist gives
each candidate's reasons and summarises the exclusions."""

from __future__ import annotations

from carewise.matching import shortlist
from carewise.matching.market import consistency_warnings
from carewise.matching.report import market_summary
from carewise.matching.shortlist import shortlist_text


def _run(market, settings, today, referral, **tables):
    tables.setdefault("providers", [])
    tables.setdefault("vacancies", [])
    return shortlist(market(referrals=[referral], **tables), "R1", settings, today=today)


def test_unknown_home_postcode_is_named_with_what_it_changes(market, settings, today):
    found = _run(market, settings, today, {"home_postcode": "QQ1 1QQ"})
    (note,) = found.as_dict()["location_notes"]
    assert note["location"] == "home" and note["resolution"] == "unknown"
    assert "not a postcode carewise knows" in note["assumed"]
    assert "distance from home is not scored" in note["assumed"]
    assert "maximum distance is not applied" in note["assumed"]


def test_postcode_not_in_the_directory_takes_its_district_centre_and_says_so(
        market, settings, today):
    found = _run(market, settings, today, {"home_postcode": "LS99 9ZZ"})
    (note,) = found.location_notes
    assert note["resolution"] == "district"
    assert "not in the ONS postcode directory" in note["assumed"]


def test_sector_home_and_sector_option_are_approximate(market, settings, today):
    found = _run(market, settings, today, {"home_postcode": "LS9 8"},
                 carers=[{"household_id": "H1", "postcode": "LS6 2", "easting": "",
                          "northing": ""}])
    assert "postcode sector" in found.location_notes[0]["assumed"]
    (c,) = found.candidates
    assert c["location_resolution"] == "sector" and "postcode sector" in c["location_note"]


def test_full_known_postcodes_assume_nothing(market, settings, today):
    found = _run(market, settings, today, {"home_postcode": "LS1 1BA",
                                           "school_postcode": "LS6 2AB"})
    assert found.location_notes == []


def test_vacancies_above_registered_places_are_flagged(market, settings, today):
    m = market(carers=[], providers=[{"urn": "SC1", "registered_places": 0}],
               vacancies=[{"vacancy_id": "V1", "urn": "SC1", "places": 9}])
    (w,) = consistency_warnings(m)
    assert w["urn"] == "SC1" and w["vacancy_ids"] == ["V1"]
    assert "9 place(s) in vacancies but has 0 registered" in w["message"]
    assert market_summary(m, [])["warnings"] == [w]
    found = shortlist(m, "R1", settings, today=today)
    assert found.as_dict()["warnings"] == [w]


def test_plain_text_gives_reasons_and_summarises_exclusions(market, settings, today):
    found = _run(market, settings, today, {"wishes_feelings": "Near my school"},
                 carers=[{"household_id": "H1"}, {"household_id": "H2", "vacancies": 0}])
    summary = found.as_dict(limit=20, excluded_limit=0)
    assert summary["excluded"] == [] and summary["excluded_count"] == 1
    text = "\n".join(shortlist_text(summary))
    assert "1. H1 in house fostering: score" in text
    assert "why: distance from home high" in text
    assert '"Near my school"' in text
    assert "Excluded by each hard constraint: vacancy 1" in text
    assert "--show-excluded" in text
    listed = "\n".join(shortlist_text(found.as_dict(limit=20)))
    assert "excluded H2 in_house_fostering: vacancy" in listed


def test_limit_explains_only_the_best_but_counts_all(market, settings, today):
    m = market(referrals=[{}], providers=[], vacancies=[],
               carers=[{"household_id": f"H{i}"} for i in range(1, 6)])
    found = shortlist(m, "R1", settings, limit=2, today=today)
    assert len(found.candidates) == 2 and found.candidates_count == 5
