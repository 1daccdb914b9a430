"""Visits under CPPCR Regs 2010 reg 28, and visits and reviews of a child placed for adoption
under the Adoption Agencies Regulations 2005 reg 36 (issue 18). Hand-worked due dates."""

from __future__ import annotations

from datetime import date

from carewise.compliance import assess
from carewise.compliance.storage import Extracts
from conftest import build_history, episode, extracts, inst

D = date.fromisoformat


def test_same_carers_becoming_long_term_carers_do_not_restart_the_visit_clock():
    # Placed with foster carers (U6) on 1 Jan 2024; on 1 Jul 2024 the same carers become the
    # child's long-term carers (RNE T, U4). Reg 28: not the start of a placement, so no visit is
    # due "within a week" of 1 Jul and the first year still ends on 1 Jan 2025; from then visits
    # are three-monthly, the placement being long-term since 1 Jul.
    h = build_history(2023, 2024, [
        episode("1", "2024-01-01", place="U6", dec="2024-07-01", rec="X1"),
        episode("1", "2024-07-01", rne="T", place="U4"),
    ], {"1": "2014-01-01"})
    days = ("2024-01-05", "2024-02-10", "2024-03-20", "2024-04-30", "2024-06-10", "2024-07-15",
            "2024-08-20", "2024-09-30", "2024-11-10", "2024-12-20", "2025-01-02")
    a = assess(h, extracts(visits=[{"child": "1", "date": d} for d in days]), D("2025-01-31"))
    got = inst(a, "visits")
    assert got[5] == (D("2024-07-22"), D("2024-07-15"), "on_time")  # six weeks after 10 Jun
    assert got[10] == (D("2025-01-31"), D("2025-01-02"), "on_time")  # 20 Dec is in the first year
    assert got[11] == (D("2025-04-02"), None, "pending")  # long-term: three months after 2 Jan
    assert [s for _, _, s in got[:11]] == ["on_time"] * 11
    # (under the old rule the move restarted the clock: due 8 Jul, and the 15 Jul visit was late)


def test_a_move_to_adopters_is_a_new_placement_with_weekly_visits_to_the_first_review():
    # In foster care (U4) since 2023; placed for adoption with other carers (A6, RNE P) on Mon
    # 3 Jun 2024; first review 28 Jun. AAR reg 36(4): visit within a week (by 10 Jun), then
    # weekly until the first review; after it, as the agency decides (nothing more is due).
    # Reg 36(3): reviews within 4 weeks (by 1 Jul), then 3 months (28 Sep), then 6 months.
    h = build_history(2023, 2024, [
        episode("1", "2023-01-02", place="U4", dec="2024-06-03", rec="X1"),
        episode("1", "2024-06-03", rne="B", place="A6", ls="E1"),
    ], {"1": "2022-03-01"}, reviews=[("1", "2023-01-30"), ("1", "2024-06-28")])
    visits = [{"child": "1", "date": d} for d in ("2024-05-20", "2024-06-07", "2024-06-14", "2024-06-21",
                                                  "2024-06-28")]
    a = assess(h, extracts(visits=visits), D("2024-07-31"))
    assert inst(a, "adoption_visits") == [
        (D("2024-06-10"), D("2024-06-07"), "on_time"),
        (D("2024-06-14"), D("2024-06-14"), "on_time"),
        (D("2024-06-21"), D("2024-06-21"), "on_time"),
        (D("2024-06-28"), D("2024-06-28"), "on_time"),
    ]
    assert inst(a, "adoption_reviews") == [
        (D("2024-07-01"), D("2024-06-28"), "on_time"),
        (D("2024-09-28"), None, "pending"),
    ]
    # reg 28 visits and reg 33 reviews stop the day before the placement for adoption
    assert [r for r in inst(a, "visits") if r[0] > D("2024-06-02")] == []
    assert [r for r in inst(a, "reviews") if r[0] > D("2024-06-02")] == []
    s = a.summary["adoption_visits_on_time"]
    assert (s["numerator"], s["denominator"]) == (4, 4)


def test_placed_for_adoption_with_the_current_foster_carers_still_starts_the_adoption_schedule():
    # Same carers (A5, RNE U, placement order) on Mon 3 Jun 2024: a placement for adoption, so
    # the AAR reg 36 visit is due within a week although the carers have not changed.
    h = build_history(2023, 2024, [
        episode("1", "2023-01-02", place="U4", dec="2024-06-03", rec="X1"),
        episode("1", "2024-06-03", rne="U", place="A5", ls="E1"),
    ], {"1": "2022-03-01"})
    a = assess(h, extracts(visits=[{"child": "1", "date": "2024-06-12"}]), D("2024-06-30"))
    assert inst(a, "adoption_visits")[0] == (D("2024-06-10"), D("2024-06-12"), "late")
    assert [r for r in inst(a, "visits") if r[0] > D("2024-06-02")] == []
    assert inst(a, "adoption_reviews") == [(D("2024-07-01"), None, "pending")]


def test_reviews_without_a_visits_extract_still_cover_adoption():
    h = build_history(2023, 2024, [episode("1", "2024-06-03", place="A4", ls="E1")], {"1": "2022-03-01"})
    a = assess(h, Extracts(), D("2024-07-31"))
    assert inst(a, "adoption_reviews") == [(D("2024-07-01"), None, "overdue")]
