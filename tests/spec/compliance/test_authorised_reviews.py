"""Reviews while the council is authorised to place a child for adoption but has not placed them:
Adoption Agencies Regulations 2005 reg 36(1) (issue 18 item 6). Hand-worked due dates.

Reg 36(1): a review not more than 3 months after the date the agency first has authority to
place (here a placement order, LS E1), then not more than 6 months after the previous review,
until the child is placed for adoption (then reg 36(3), ``adoption_reviews``). The child is
looked after too (CPPCR reg 33): one review meets both, so it is one due item, under reg 36(1),
due by the reg 33 date instead when that is sooner."""

from __future__ import annotations

from datetime import date

from carewise.compliance import assess
from carewise.compliance.storage import Extracts
from conftest import build_history, episode, inst

D = date.fromisoformat


def _order_on(day: str, reviews: list[str], placed: tuple[str, str] | None = None):
    """In foster care (U4, care order) from Mon 2 Jan 2023, reviewed 30 Jan, 28 Apr and 20 Oct
    2023 and on ``reviews``; a placement order (LS E1, RNE L) on ``day``; optionally placed for
    adoption (A6, RNE P) on a later day."""
    eps = [episode("1", "2023-01-02", place="U4", dec=day, rec="X1"),
           episode("1", day, rne="L", place="U4", ls="E1", dec=placed[0] if placed else None,
                   rec="X1" if placed else None)]
    if placed:
        eps.append(episode("1", placed[0], rne="P", place=placed[1], ls="E1"))
    rev = [("1", d) for d in ("2023-01-30", "2023-04-28", "2023-10-20", *reviews)]
    return build_history(2022, 2024, eps, {"1": "2021-05-01"}, reviews=rev)


def test_first_review_is_due_three_months_after_authority_then_six_monthly():
    # Placement order 1 Feb 2024: reg 36(1) asks for a review by 1 May 2024, but the reg 33
    # review after 20 Oct 2023 was due sooner, 20 Apr 2024, so the first is due 20 Apr. Held
    # 15 Apr 2024: the next is due 6 months later, 15 Oct 2024; held 1 Nov 2024: late. Then
    # 6 months after 1 Nov: 1 May 2025.
    a = assess(_order_on("2024-02-01", ["2024-04-15", "2024-11-01"]), Extracts(), D("2025-03-31"))
    assert inst(a, "authorised_reviews") == [
        (D("2024-04-20"), D("2024-04-15"), "on_time"),
        (D("2024-10-15"), D("2024-11-01"), "late"),
        (D("2025-05-01"), None, "pending"),
    ]
    # reg 33 stops the day before authority: the 20 Apr review is not a second due item
    assert [r for r in inst(a, "reviews") if r[0] >= D("2024-02-01")] == []
    assert a.summary["authorised_reviews_on_time"]["denominator"] == 2


def test_three_months_after_authority_when_that_is_sooner_than_reg_33():
    # Reviewed 10 Apr 2024 (reg 33: next by 10 Oct 2024); placement order 31 Aug 2024: reg
    # 36(1) allows to 30 Nov 2024, reg 33 asks by 10 Oct: the sooner, 10 Oct, and one item.
    a = assess(_order_on("2024-08-31", ["2024-04-10"]), Extracts(), D("2024-09-30"))
    assert inst(a, "authorised_reviews") == [(D("2024-10-10"), None, "pending")]
    assert inst(a, "reviews")[-1] == (D("2024-04-20"), D("2024-04-10"), "on_time")


def test_month_end_authority_31_august_is_due_30_november():
    # Reviewed 20 Oct 2023, 10 Apr 2024 and 28 Aug 2024 (reg 33: next by 28 Feb 2025); placement
    # order 31 Aug 2024: reg 36(1) asks for a review by 30 November 2024 (3 months, month end).
    a = assess(_order_on("2024-08-31", ["2024-04-10", "2024-08-28"]), Extracts(), D("2024-12-31"))
    assert inst(a, "authorised_reviews") == [(D("2024-11-30"), None, "overdue")]
    assert a.summary["authorised_reviews_on_time"]["denominator"] == 1


def test_placed_for_adoption_before_the_first_due_date_ends_reg_36_1():
    # Order 31 Aug 2024 (review due 30 Nov 2024); placed for adoption 1 Oct 2024 (Tue): reg
    # 36(1) no longer applies, nothing is due under it; reg 36(3) asks for a review within 4 weeks
    # (29 Oct), held 25 Oct, then 3 months (25 Jan 2025).
    h = _order_on("2024-08-31", ["2024-04-10", "2024-08-28", "2024-10-25"], placed=("2024-10-01", "A6"))
    a = assess(h, Extracts(), D("2024-12-31"))
    assert inst(a, "authorised_reviews") == []
    assert inst(a, "adoption_reviews") == [
        (D("2024-10-29"), D("2024-10-25"), "on_time"),
        (D("2025-01-25"), None, "pending"),
    ]
    # reg 33's last item is the one the 28 Aug review met; nothing is due under it after
    assert inst(a, "reviews")[-1] == (D("2024-10-10"), D("2024-08-28"), "on_time")


def test_a_review_not_held_before_placement_for_adoption_is_missed():
    # Order 31 Aug 2024, due 30 Nov; no review, placed for adoption 2 Dec 2024: missed.
    h = _order_on("2024-08-31", ["2024-04-10", "2024-08-28"], placed=("2024-12-02", "A4"))
    a = assess(h, Extracts(), D("2024-12-31"))
    assert inst(a, "authorised_reviews") == [(D("2024-11-30"), None, "missed")]


def test_a_child_coming_into_care_under_a_placement_order_keeps_the_20_working_day_review():
    # Looked after from Mon 3 Jun 2024 already under a placement order (LS E1, RNE S): reg 33's
    # first review (20 working days: 1 Jul) is sooner than reg 36(1)'s 3 months (3 Sep).
    h = build_history(2023, 2024, [episode("1", "2024-06-03", place="U4", ls="E1")], {"1": "2023-03-01"},
                      reviews=[("1", "2024-06-27")])
    a = assess(h, Extracts(), D("2024-07-31"))
    assert inst(a, "authorised_reviews") == [
        (D("2024-07-01"), D("2024-06-27"), "on_time"),
        (D("2024-12-27"), None, "pending"),
    ]
    assert inst(a, "reviews") == []


def test_authority_ending_without_a_placement_carries_reg_33_on_from_the_last_review():
    # Placement order 1 Feb 2024, reviewed under reg 36(1) on 15 Apr 2024; the order ends on
    # 1 Jun 2024 (back to a care order, LS C2) with no placement for adoption. The child's care
    # did not start again, so reg 33 carries on from the 15 Apr review: the next is due 6 months
    # later, 15 Oct 2024 (held 1 Oct: on time), then 1 Apr 2025 — not 20 working days after 1 Jun.
    eps = [episode("1", "2023-01-02", place="U4", dec="2024-02-01", rec="X1"),
           episode("1", "2024-02-01", rne="L", place="U4", ls="E1", dec="2024-06-01", rec="X1"),
           episode("1", "2024-06-01", rne="L", place="U4", ls="C2")]
    rev = [("1", d) for d in ("2023-01-30", "2023-04-28", "2023-10-20", "2024-04-15", "2024-10-01")]
    a = assess(build_history(2022, 2024, eps, {"1": "2021-05-01"}, reviews=rev), Extracts(), D("2025-03-31"))
    assert inst(a, "authorised_reviews") == [(D("2024-04-20"), D("2024-04-15"), "on_time")]
    assert [r for r in inst(a, "reviews") if r[0] >= D("2024-06-01")] == [
        (D("2024-10-15"), D("2024-10-01"), "on_time"),
        (D("2025-04-01"), None, "pending"),
    ]
