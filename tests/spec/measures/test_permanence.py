"""Adoption scorecard A1, A2, A10 (DfE Adoption Scorecards): hand-worked examples."""

from __future__ import annotations

from datetime import date, timedelta

import pytest


def _adoptions(h):
    header = [h.child("x", "01/01/2021"), h.child("y", "01/01/2021")]
    eps = [
        # x: entered 1 Jan 2023, placement order 1 Jun 2023, placed with adopters 1 Jan 2024, adopted 1 Oct 2024
        h.ep("x", "01/01/2023", ls="C1", dec="01/06/2023", rec="X1"),
        h.ep("x", "01/06/2023", rne="L", ls="E1", dec="01/01/2024", rec="X1"),
        h.ep("x", "01/01/2024", rne="P", ls="E1", place="A6", dec="01/10/2024", rec="E11"),
        # y: fostered from entry 1 Jun 2022, order 1 Sep 2023, placed for adoption with the same carers
        # (RNE T) 1 Mar 2024, adopted 1 Feb 2025
        h.ep("y", "01/06/2022", ls="C2", dec="01/09/2023", rec="X1"),
        h.ep("y", "01/09/2023", rne="L", ls="E1", dec="01/03/2024", rec="X1"),
        h.ep("y", "01/03/2024", rne="T", ls="E1", place="A5", dec="01/02/2025", rec="E12"),
    ]
    ad1 = [
        {
            "CHILD": "x",
            "DOB": "01/01/2021",
            "DATE_INT": "01/11/2023",
            "DATE_MATCH": "01/11/2023",
            "FOSTER_CARE": "0",
        },
        # y was matched before the placement order (foster carers): A2 counts 0
        {
            "CHILD": "y",
            "DOB": "01/01/2021",
            "DATE_INT": "01/08/2023",
            "DATE_MATCH": "01/08/2023",
            "FOSTER_CARE": "1",
        },
    ]
    return h.make_history(y2024={"header": header, "episodes": eps, "ad1": ad1})


def test_adoption_a1_days(helpers):
    r = helpers.measure(_adoptions(helpers), "adoption_a1_days")
    # x: 1 Jan 2023 -> 1 Jan 2024 = 365; y: 1 Jun 2022 -> 1 Mar 2024 = 639
    assert (r.numerator, r.denominator) == (365 + 639, 2)
    assert r.value == pytest.approx(502.0)


def test_adoption_a10_days_counts_from_fostering_with_the_adopters(helpers):
    r = helpers.measure(_adoptions(helpers), "adoption_a10_days")
    # x as A1 (365); y moved in with the carers who adopted her on entry: 0
    assert r.value == pytest.approx(182.5)


def test_adoption_a2_days(helpers):
    r = helpers.measure(_adoptions(helpers), "adoption_a2_days")
    # x: 1 Jun 2023 -> 1 Nov 2023 = 153; y: matched before the order -> 0
    assert (r.numerator, r.denominator) == (153, 2)


def test_adoption_3_year_average_needs_three_years(helpers):
    r = helpers.measure(_adoptions(helpers), "adoption_a1_days_3y")
    assert not r.available and "3-year" in r.notes[0]


def test_adopted_share_of_leavers(helpers):
    h = helpers
    hist = _adoptions(h)
    r = h.measure(hist, "adopted_share_of_leavers")
    assert (r.numerator, r.denominator, r.value) == (2, 2, 100.0)


def test_adoption_a2_leaves_out_children_with_no_match_date(helpers):
    """A2 needs both dates: a child with a placement order but no AD1 match date is left out of
    A2 (not counted as 0 days), and still counts in A1."""
    h = helpers
    header = [h.child("z", "01/01/2021")]
    eps = [
        h.ep("z", "01/01/2023", ls="C1", dec="01/06/2023", rec="X1"),
        h.ep("z", "01/06/2023", rne="L", ls="E1", dec="01/01/2024", rec="X1"),
        h.ep("z", "01/01/2024", rne="P", ls="E1", place="A6", dec="01/10/2024", rec="E11"),
    ]
    hist = h.make_history(y2024={"header": header, "episodes": eps})
    assert h.measure(hist, "adoption_a2_days").denominator == 0
    a1 = h.measure(hist, "adoption_a1_days")
    assert (a1.numerator, a1.denominator) == (365, 1)


def test_adoption_a1_ignores_a_decision_dated_after_the_adoption(helpers):
    h = helpers
    header = [h.child("z", "01/01/2021")]
    eps = [
        h.ep("z", "01/01/2023", ls="C1", dec="01/01/2024", rec="X1"),
        h.ep("z", "01/01/2024", rne="B", ls="E1", place="A6", dec="01/10/2024", rec="E11"),
    ]
    late = [{"CHILD": "z", "DOB": "01/01/2021", "DATE_PLACED": "01/12/2024"}]
    hist = h.make_history(y2024={"header": header, "episodes": eps, "placed_for_adoption": late})
    assert h.measure(hist, "adoption_a1_days").denominator == 1


def test_adoption_a1_3_year_average_is_a_mean_over_children(helpers):
    """The scorecard's 3-year figure pools every child adopted in the 3 years: one child adopted
    in 2022-23 after 100 days and three in 2024-25 after 400 days give (100 + 3 x 400) / 4 = 325,
    not the mean of the yearly means (250)."""
    h = helpers
    header = [h.child(c, "01/01/2021") for c in ("a", "b", "c", "d")]

    def adopted(child, start, placed, days_after):
        s = date.fromisoformat(start)
        p = s + timedelta(days=placed)
        end = p + timedelta(days=days_after)
        fmt = "%d/%m/%Y"
        return [
            h.ep(child, s.strftime(fmt), ls="C2", dec=p.strftime(fmt), rec="X1"),
            h.ep(
                child,
                p.strftime(fmt),
                rne="P",
                ls="E1",
                place="A6",
                dec=end.strftime(fmt),
                rec="E11",
            ),
        ]

    eps = (
        adopted("a", "2022-05-01", 100, 60)
        + adopted("b", "2023-06-01", 400, 30)
        + adopted("c", "2023-07-01", 400, 30)
        + adopted("d", "2023-08-01", 400, 30)
    )
    hist = h.make_history(
        y2022={"header": [], "episodes": []},
        y2023={"header": [], "episodes": []},
        y2024={"header": header, "episodes": eps},
    )
    r = h.measure(hist, "adoption_a1_days_3y")
    assert r.available and (r.numerator, r.denominator) == (1300, 4)
    assert r.value == pytest.approx(325.0)
