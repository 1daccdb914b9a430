"""One spec test per statutory timescale, with hand-worked due dates (domain.md §3)."""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.compliance import assess, schedule
from carewise.compliance.storage import Extracts
from conftest import build_history, episode, extracts, inst

D = date.fromisoformat


def current(a, requirement: str, child: str = "1") -> dict | None:
    f = a.current.filter((pl.col("requirement") == requirement) & (pl.col("CHILD") == child))
    return f.row(0, named=True) if f.height else None


# -- reviews (CPPCR reg 33) -----------------------------------------------------------------------


def test_first_review_within_20_working_days_across_christmas_then_3_months_then_6():
    # In care Mon 2 Dec 2024. Working days from Tue 3 Dec, skipping 25/26 Dec and 1 Jan:
    # day 20 is Thu 2 Jan 2025. Second review within 3 months of the first (2 Apr 2025), then 6.
    h = build_history(2024, 2025, [episode("1", "2024-12-02")], {"1": "2015-06-01"},
                      reviews=[("1", "2025-01-02"), ("1", "2025-04-10")])
    a = assess(h, Extracts(), D("2025-11-01"))
    assert inst(a, "reviews") == [
        (D("2025-01-02"), D("2025-01-02"), "on_time"),
        (D("2025-04-02"), D("2025-04-10"), "late"),
        (D("2025-10-10"), None, "overdue"),
    ]
    assert current(a, "reviews")["status"] == "overdue"
    assert current(a, "reviews")["days_overdue"] == 22


def test_six_months_after_31_august_is_29_february_in_a_leap_year():
    # In care Mon 3 Jul 2023: first review by Mon 31 Jul, second 3 months, then 6 months
    h = build_history(2023, 2024, [episode("1", "2023-07-03")], {"1": "2012-01-01"},
                      reviews=[("1", "2023-07-28"), ("1", "2023-08-31"), ("1", "2024-02-29")])
    a = assess(h, Extracts(), D("2024-03-31"))
    assert inst(a, "reviews")[2] == (D("2024-02-29"), D("2024-02-29"), "on_time")
    assert inst(a, "reviews")[3] == (D("2024-08-29"), None, "pending")


def test_a_child_who_leaves_and_returns_starts_a_new_review_clock():
    # Period 1 from Mon 1 Jan 2024 (a bank holiday: Tue 2 Jan is day 1, day 20 is Mon 29 Jan);
    # home on 1 Mar 2024. Period 2 from Sat 1 Jun 2024: Mon 3 Jun is day 1, day 20 is Fri 28 Jun.
    h = build_history(2023, 2024, [
        episode("1", "2024-01-01", dec="2024-03-01", rec="E4A"),
        episode("1", "2024-06-01"),
    ], {"1": "2014-02-02"}, reviews=[("1", "2024-01-20")])
    a = assess(h, Extracts(), D("2024-07-15"))
    assert inst(a, "reviews") == [
        (D("2024-01-29"), D("2024-01-20"), "on_time"),
        # the 3-month review of period 1 (due 20 Apr) is not owed: the child left care on 1 Mar
        (D("2024-06-28"), None, "overdue"),
    ]


# -- visits (reg 28) ------------------------------------------------------------------------------


def test_visit_within_a_week_then_six_weeks_and_a_placement_move_restarts_the_clock():
    h = build_history(2023, 2023, [
        episode("1", "2024-01-10", dec="2024-02-01", rec="X1"),
        episode("1", "2024-02-01", rne="P"),
    ], {"1": "2014-02-02"})
    e = extracts(visits=[{"child": "1", "date": "2024-01-17"}, {"child": "1", "date": "2024-02-09"}])
    a = assess(h, e, D("2024-03-31"))
    assert inst(a, "visits") == [
        (D("2024-01-17"), D("2024-01-17"), "on_time"),  # a week after 10 Jan
        # (the six-weekly visit due 28 Feb is not owed: the placement ended on 31 Jan)
        (D("2024-02-08"), D("2024-02-09"), "late"),  # a week after the move on 1 Feb
        (D("2024-03-22"), None, "overdue"),  # six weeks after 9 Feb
    ]


def test_after_the_first_year_long_term_fostering_is_three_monthly_other_placements_six_weekly():
    eps = [episode("1", "2022-01-01", place="U4"), episode("2", "2022-01-01", place="U6")]
    visits = [{"child": c, "date": d} for c in ("1", "2") for d in
              ("2022-01-05", "2022-02-10", "2022-03-20", "2022-04-30", "2022-06-10", "2022-07-20",
               "2022-08-30", "2022-10-10", "2022-11-20", "2022-12-30", "2023-01-10")]
    h = build_history(2021, 2022, eps, {"1": "2012-01-01", "2": "2012-01-01"})
    a = assess(h, extracts(visits=visits), D("2023-01-31"))
    # 30 Dec 2022 is still in the first year: 6 weeks -> 10 Feb 2023 for both children
    assert inst(a, "visits", "1")[-2][0] == D("2023-02-10")
    # the visit of 10 Jan 2023 is after the first year: U4 (long-term) 3 months, U6 6 weeks
    assert inst(a, "visits", "1")[-1] == (D("2023-04-10"), None, "pending")
    assert inst(a, "visits", "2")[-1] == (D("2023-02-21"), None, "pending")


def test_visits_stop_at_the_18th_birthday_when_care_ends_and_the_young_person_is_former_relevant():
    from carewise.compliance.leavers import cohort_at

    # In care since 2020, 18 on 15 May 2024 and care ends that day (E17: stays with carers).
    h = build_history(2023, 2024, [episode("1", "2020-04-01", dec="2024-05-15", rec="E17")],
                      {"1": "2006-05-15"})
    e = extracts(covers_from=D("2024-01-01"), visits=[
        {"child": "1", "date": d} for d in ("2024-02-10", "2024-03-20", "2024-04-25")])
    a = assess(h, e, D("2024-07-31"))
    assert current(a, "visits") is None  # no longer looked after: nothing due
    # the visit after 25 Apr would be due 6 Jun, after care ended: neither overdue nor missed
    assert inst(a, "visits") == [
        (D("2024-02-12"), D("2024-02-10"), "on_time"),  # six weeks after the assumed 1 Jan visit
        (D("2024-03-23"), D("2024-03-20"), "on_time"),
        (D("2024-05-01"), D("2024-04-25"), "on_time"),
    ]
    leaver = cohort_at(h, e, D("2024-07-31")).row(0, named=True)
    assert leaver["status"] == "former_relevant" and leaver["staying_put"] is True


# -- health ---------------------------------------------------------------------------------------


def test_iha_within_20_working_days_across_easter_and_the_early_may_bank_holiday():
    # In care Mon 14 Apr 2025; Good Friday 18 Apr, Easter Monday 21 Apr, 5 May bank holiday:
    # day 20 is Thu 15 May 2025.
    h = build_history(2025, 2025, [episode("1", "2025-04-14"), episode("2", "2025-04-14")],
                      {"1": "2015-01-01", "2": "2015-01-01"})
    e = extracts(health_assessments=[{"child": "1", "date": "2025-05-15", "type": "initial"},
                                     {"child": "2", "date": "2025-05-16", "type": "initial"}])
    a = assess(h, e, D("2025-06-30"))
    assert inst(a, "iha", "1") == [(D("2025-05-15"), D("2025-05-15"), "on_time")]
    assert inst(a, "iha", "2") == [(D("2025-05-15"), D("2025-05-16"), "late")]


def test_review_health_assessments_six_monthly_under_5_yearly_from_5():
    h = build_history(2023, 2024, [episode("1", "2024-01-02"), episode("2", "2024-01-02")],
                      {"1": "2021-01-01", "2": "2018-01-01"})
    e = extracts(health_assessments=[{"child": c, "date": "2024-01-10", "type": "initial"} for c in ("1", "2")])
    a = assess(h, e, D("2024-03-31"))
    assert inst(a, "rha", "1") == [(D("2024-07-10"), None, "pending")]  # aged 3
    assert inst(a, "rha", "2") == [(D("2025-01-10"), None, "pending")]  # aged 6


# -- return home interviews -----------------------------------------------------------------------


def test_rhi_within_72_hours_of_return_and_a_new_missing_episode_ends_the_old_clock():
    h = build_history(2024, 2024, [episode("1", "2024-06-01")], {"1": "2009-01-01"}, missing=[
        ("1", "M", "2024-12-21", "2024-12-23"),  # back Mon 23 Dec: due Thu 26 Dec (72 hours)
        ("1", "M", "2025-01-05", "2025-01-06"),  # no RHI, and missing again on 10 Jan
        ("1", "M", "2025-01-10", "2025-01-11"),  # no RHI: still overdue
        ("1", "A", "2025-02-01", "2025-02-01"),  # away, not missing: no RHI is owed
    ])
    e = extracts(return_home_interviews=[
        {"child": "1", "missing_start": "2024-12-21", "offered": True, "accepted": True, "date": "2024-12-26"}])
    a = assess(h, e, D("2025-03-01"))
    assert inst(a, "rhi") == [
        (D("2024-12-26"), D("2024-12-26"), "on_time"),
        (D("2025-01-09"), None, "missed"),
        (D("2025-01-14"), None, "overdue"),
    ]


# -- PEPs -----------------------------------------------------------------------------------------


def test_pep_each_term_overdue_after_the_term_then_missed_when_the_next_ends():
    # Aged 10 on 31 Aug 2024; in care from 1 Jun 2024. PEP in autumn; none in spring or summer.
    h = build_history(2024, 2025, [episode("1", "2024-06-01")], {"1": "2014-01-01"})
    e = extracts(peps=[{"child": "1", "date": "2024-10-15"}])
    a = assess(h, e, D("2025-04-15"))
    got = {r[0]: r[2] for r in inst(a, "pep")}
    assert got[D("2024-07-31")] == "missed"  # summer 2024: in care 61 days of it, no PEP
    assert got[D("2024-12-31")] == "on_time"
    assert got[D("2025-03-31")] == "overdue"
    assert got[D("2025-07-31")] == "pending"
    assert current(a, "pep")["status"] == "overdue"


# -- care leavers: pathway plans and PA contact ---------------------------------------------------


def test_pathway_plan_due_three_months_after_becoming_eligible_at_16():
    # In care from 1 Jun 2023 aged 15: 13 weeks since 14 by 30 Aug 2023; eligible on 16th
    # birthday, 1 Mar 2024; first pathway plan due 1 Jun 2024, then every 6 months.
    h = build_history(2023, 2024, [episode("1", "2023-06-01")], {"1": "2008-03-01"})
    e = extracts(pathway_plans=[{"child": "1", "date": "2024-05-20"}])
    a = assess(h, e, D("2024-12-31"))
    assert inst(a, "pathway_plan") == [
        (D("2024-06-01"), D("2024-05-20"), "on_time"),
        (D("2024-11-20"), None, "overdue"),
    ]


def test_pa_contact_within_a_week_of_leaving_care_then_every_two_months():
    h = build_history(2023, 2024, [episode("1", "2022-01-01", dec="2024-05-15", rec="E6")],
                      {"1": "2006-05-15"})
    e = extracts(pa_contacts=[{"child": "1", "date": "2024-05-20"}, {"child": "1", "date": "2024-08-01"}])
    a = assess(h, e, D("2024-09-01"))
    assert inst(a, "pa_contact") == [
        (D("2024-05-23"), D("2024-05-20"), "on_time"),  # a week after leaving on 15 May
        (D("2024-07-20"), D("2024-08-01"), "late"),
        (D("2024-10-01"), None, "pending"),
    ]


def test_requirements_without_their_extract_are_not_assessed():
    h = build_history(2024, 2024, [episode("1", "2024-06-01")], {"1": "2014-01-01"})
    # reviews (CPPCR reg 33, and AAR reg 36 while authorised to place or placed for adoption)
    # come from the 903 return
    assert schedule.assessed_requirements(Extracts()) == ["reviews", "authorised_reviews", "adoption_reviews"]
    a = assess(h, Extracts(), D("2024-12-31"))
    assert set(a.instances["requirement"].unique()) <= {"reviews", "authorised_reviews", "adoption_reviews"}
    assert a.summary["visits_on_time"]["assessed"] is False


def test_short_breaks_are_left_out():
    h = build_history(2024, 2024, [episode("1", "2024-06-01", ls="V3")], {"1": "2014-01-01"})
    a = assess(h, Extracts(), D("2024-12-31"))
    assert a.instances.height == 0


def test_clock_started_before_the_extract_is_assumed_and_not_counted_in_rates():
    h = build_history(2023, 2024, [episode("1", "2022-01-01")], {"1": "2014-01-01"})
    e = extracts(covers_from=D("2024-01-01"), visits=[{"child": "1", "date": "2024-03-01"}])
    a = assess(h, e, D("2024-03-31"))
    rows = a.instances.filter(pl.col("requirement") == "visits").sort("due")
    # assumed visit on 1 Jan 2024 (second year, not long-term: 6 weeks) -> due 12 Feb, met 1 Mar
    assert rows["due"].to_list() == [D("2024-02-12"), D("2024-04-12")]
    assert rows["assessed"].to_list() == [False, True]
    assert a.summary["visits_on_time"]["denominator"] == 0


def test_seen_alone_share_and_an_extract_that_stops_early_is_flagged():
    h = build_history(2024, 2024, [episode("1", "2024-06-01")], {"1": "2014-01-01"})
    e = extracts(visits=[{"child": "1", "date": "2024-06-05", "seen_alone": True},
                         {"child": "1", "date": "2024-07-10", "seen_alone": False},
                         {"child": "1", "date": "2024-08-15", "seen_alone": True},
                         {"child": "1", "date": "2024-09-20", "seen_alone": True}])
    a = assess(h, e, D("2025-03-31"))
    s = a.summary["visits_seen_alone"]
    assert (s["numerator"], s["denominator"], s["value"]) == (3, 4, 75.0)
    assert any("visits extract's last date is 20 September 2024" in n for n in a.notes)
    assert assess(h, e, D("2024-10-15")).notes == []


def test_a_temporary_move_and_the_return_to_the_same_home_do_not_restart_the_visit_clock():
    # Placed 1 Mar 2024; in hospital (T1) 10-15 Apr, back to the same carers on 15 Apr.
    back = episode("1", "2024-04-15", rne="T", place="U6")
    h = build_history(2023, 2024, [
        episode("1", "2024-03-01", place="U6", dec="2024-04-10", rec="X1"),
        episode("1", "2024-04-10", rne="T", place="T1", dec="2024-04-15", rec="X1"),
        back,
    ], {"1": "2014-01-01"})
    e = extracts(visits=[{"child": "1", "date": "2024-03-05"}, {"child": "1", "date": "2024-04-12"}])
    a = assess(h, e, D("2024-04-30"))
    assert inst(a, "visits") == [
        (D("2024-03-08"), D("2024-03-05"), "on_time"),
        (D("2024-04-16"), D("2024-04-12"), "on_time"),
        (D("2024-05-24"), None, "pending"),  # six weeks on, not a week after 15 Apr
    ]


def test_child_statuses_due_soon_not_yet_due_and_done_late():
    # In care Mon 3 Mar 2025; first visit due 10 Mar; first review due 31 Mar; dental in 12 months
    h = build_history(2024, 2024, [episode("1", "2025-03-03")], {"1": "2014-01-01"})
    e = extracts(visits=[{"child": "1", "date": "2025-03-12"}], dental_checks=[])
    a = assess(h, e, D("2025-03-20"))
    assert current(a, "visits")["status"] == "done_late"  # late on 12 Mar; next due 23 Apr
    assert current(a, "visits")["next_due"] == D("2025-04-23")
    assert current(a, "reviews")["status"] == "due_soon"  # due 31 Mar, 11 days away
    assert current(a, "dental")["status"] == "not_yet_due"
    assert current(a, "dental")["next_due"] == D("2026-03-03")
