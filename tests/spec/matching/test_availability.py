"""Availability (RCC home search standard: vacancy, latest start date, offer end date).

A place fits when it is free by the date needed (for an overdue referral: free today) and the
offer still stands today or later. The spec tests match on 10 November 2026 (``today``).
"""

from __future__ import annotations

from carewise.matching import shortlist


def _run(market, settings, today, referral: dict, carers: list[dict]):
    m = market(referrals=[referral], carers=carers, providers=[], vacancies=[])
    found = shortlist(m, "R1", settings, today=today)
    return ({c["option_id"] for c in found.candidates},
            {e["option_id"]: e["reasons"] for e in found.excluded})


def test_free_on_the_date_needed_fits_free_the_day_after_does_not(market, settings, today):
    passed, reasons = _run(market, settings, today, {"date_needed": "2026-11-20"}, [
        {"household_id": "H1", "available_from": "2026-11-20"},
        {"household_id": "H2", "available_from": "2026-11-21"}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["vacancy"]}


def test_overdue_referral_takes_a_place_free_today_not_tomorrow(market, settings, today):
    # needed 3 days ago: the child needs a place now
    passed, reasons = _run(market, settings, today, {"date_needed": "2026-11-07"}, [
        {"household_id": "H1", "available_from": "2026-11-10"},
        {"household_id": "H2", "available_from": "2026-11-11"}])
    assert passed == {"H1"}
    assert reasons == {"H2": ["vacancy"]}


def test_offer_standing_today_fits_offer_ended_yesterday_never_appears(market, settings, today):
    ref = {"date_needed": "2026-11-07"}  # overdue, as in the issue
    m = market(referrals=[ref], carers=[], providers=[{"urn": "SC1"}],
               vacancies=[{"vacancy_id": "V1", "urn": "SC1", "available_to": "2026-11-10"},
                          {"vacancy_id": "V2", "urn": "SC1", "available_to": "2026-11-09"},
                          {"vacancy_id": "V3", "urn": "SC1", "available_to": "2026-11-07"}])
    found = shortlist(m, "R1", settings, today=today)
    assert {c["option_id"] for c in found.candidates} == {"V1"}
    reasons = {e["option_id"]: e["reasons"] for e in found.excluded}
    assert reasons == {"V2": ["offer_expired"], "V3": ["offer_expired"]}


def test_offer_ending_before_the_date_needed_fits_a_child_who_can_move_now(market, settings,
                                                                           today):
    # free for two more days; the child could move tomorrow and must have moved by the 20th
    m = market(referrals=[{"date_needed": "2026-11-20"}], carers=[], providers=[{"urn": "SC1"}],
               vacancies=[{"vacancy_id": "V1", "urn": "SC1", "available_from": "2026-11-01",
                           "available_to": "2026-11-12"}])
    found = shortlist(m, "R1", settings, today=today)
    assert [c["option_id"] for c in found.candidates] == ["V1"]
