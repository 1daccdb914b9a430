"""Placement stability (DfE "Placement stability" indicators): hand-worked examples."""

from __future__ import annotations

import pytest


def test_stability_three_plus_placements(helpers):
    h = helpers
    header = [h.child(c, "01/06/2012") for c in ("three", "two", "gone")]
    eps = [
        # "three": placement open at 1 April (1), legal change only (still 1), move P (2),
        # move to another placement with the same carers, T (3)
        h.ep("three", "01/01/2023", dec="01/05/2024", rec="X1"),
        h.ep("three", "01/05/2024", rne="L", ls="E1", dec="01/07/2024", rec="X1"),
        h.ep("three", "01/07/2024", rne="P", ls="E1", place="U6", dec="01/09/2024", rec="X1"),
        h.ep("three", "01/09/2024", rne="T", ls="E1", place="U4"),
        # "two": one move in the year, ended on 1 April (that placement is not lived in this year)
        h.ep("two", "01/01/2023", dec="01/04/2024", rec="X1"),
        h.ep("two", "01/04/2024", rne="P", dec="01/02/2025", rec="X1"),
        h.ep("two", "01/02/2025", rne="B", ls="C1"),
        # "gone": four placements but left care before 31 March: not in the measure at all
        h.ep("gone", "01/04/2024", dec="01/05/2024", rec="X1"),
        h.ep("gone", "01/05/2024", rne="P", dec="01/06/2024", rec="X1"),
        h.ep("gone", "01/06/2024", rne="P", dec="01/07/2024", rec="X1"),
        h.ep("gone", "01/07/2024", rne="P", dec="01/08/2024", rec="E4A"),
    ]
    r = h.measure(
        h.make_history(y2024={"header": header, "episodes": eps}), "stability_three_plus_placements"
    )
    assert (r.numerator, r.denominator, r.value) == (1, 2, 50.0)
    counts = {row.category: row.denominator for row in r.breakdowns["placements"]}
    assert counts["3"] == 1 and counts["2"] == 1


def test_stability_three_plus_placements_leaves_out_temporary_placements(helpers):
    """A temporary placement (T0-T4) and the return to the usual placement are not moves."""
    h = helpers
    header = [h.child(c, "01/06/2012") for c in ("hospital", "moved")]
    eps = [
        # usual placement (1), 3 days in hospital (T1), back to the same foster home: still 1;
        # then a move (2)
        h.ep("hospital", "01/01/2023", place="U4", dec="01/06/2024", rec="X1"),
        h.ep(
            "hospital", "01/06/2024", rne="P", place="T1", provider=None, dec="04/06/2024", rec="X1"
        ),
        h.ep("hospital", "04/06/2024", rne="P", place="U4", dec="01/09/2024", rec="X1"),
        h.ep("hospital", "01/09/2024", rne="P", place="U6"),
        # usual placement (1), a week's holiday placement (T4), then a different home (2), and
        # another (3)
        h.ep("moved", "01/01/2023", place="U4", dec="01/06/2024", rec="X1"),
        h.ep("moved", "01/06/2024", rne="P", place="T4", provider=None, dec="08/06/2024", rec="X1"),
        h.ep("moved", "08/06/2024", rne="P", place="K2", dec="01/09/2024", rec="X1"),
        h.ep("moved", "01/09/2024", rne="P", place="U6"),
    ]
    r = h.measure(
        h.make_history(y2024={"header": header, "episodes": eps}), "stability_three_plus_placements"
    )
    assert (r.numerator, r.denominator) == (1, 2)
    counts = {row.category: row.denominator for row in r.breakdowns["placements"]}
    assert counts["2"] == 1 and counts["3"] == 1


def test_stability_three_plus_placements_adoption_with_foster_carers_is_not_a_move(helpers):
    """DfE: "a child being placed for adoption with their existing foster carer is not included
    as a change of placement" (LG Inform metric 850, DfE's description)."""
    h = helpers
    header = [h.child(c, "01/06/2020") for c in ("carers", "adopters")]
    eps = [
        # foster home (1), another foster home (2), placed for adoption with those carers: 2
        h.ep("carers", "01/01/2024", place="U6", dec="01/05/2024", rec="X1"),
        h.ep("carers", "01/05/2024", rne="P", place="U6", dec="01/10/2024", rec="X1"),
        h.ep("carers", "01/10/2024", rne="U", ls="E1", place="A5"),
        # the same, but placed with new adopters (A6, RNE B): 3
        h.ep("adopters", "01/01/2024", place="U6", dec="01/05/2024", rec="X1"),
        h.ep("adopters", "01/05/2024", rne="P", place="U6", dec="01/10/2024", rec="X1"),
        h.ep("adopters", "01/10/2024", rne="B", ls="E1", place="A6"),
        # A5 means "with current foster carer(s)" whatever the RNE says: still 2
        h.ep("coded", "01/01/2024", place="U6", dec="01/05/2024", rec="X1"),
        h.ep("coded", "01/05/2024", rne="P", place="U6", dec="01/10/2024", rec="X1"),
        h.ep("coded", "01/10/2024", rne="P", ls="E1", place="A5"),
    ]
    header.append(h.child("coded", "01/06/2020"))
    r = h.measure(
        h.make_history(y2024={"header": header, "episodes": eps}), "stability_three_plus_placements"
    )
    assert (r.numerator, r.denominator) == (1, 3)


def test_stability_long_term(helpers):
    h = helpers
    header = [
        h.child("same", "01/06/2014"),
        h.child("moved", "01/06/2014"),
        h.child("old", "01/01/2009"),
        h.child("new", "01/06/2014"),
        h.child("adopter", "01/06/2020"),
    ]
    eps = [
        # in care since Jan 2022 (before 30 Sep 2022), same carers since June 2022 (legal change later)
        h.ep("same", "01/01/2022", dec="01/06/2022", rec="X1"),
        h.ep("same", "01/06/2022", rne="P", dec="01/02/2024", rec="X1"),
        h.ep("same", "01/02/2024", rne="L", ls="E1"),
        # in care since 2021 but moved in January 2024: denominator only
        h.ep("moved", "01/03/2021", dec="01/01/2024", rec="X1"),
        h.ep("moved", "01/01/2024", rne="P"),
        # aged 16 at 31 March 2025: outside the measure
        h.ep("old", "01/03/2021"),
        # in care only since 2023: outside the measure
        h.ep("new", "01/03/2023"),
        # fostered by the same carers since March 2022, placed for adoption with them (T) in 2024
        h.ep("adopter", "01/03/2022", dec="01/06/2024", rec="X1"),
        h.ep("adopter", "01/06/2024", rne="T", ls="E1", place="A5"),
    ]
    r = h.measure(h.make_history(y2024={"header": header, "episodes": eps}), "stability_long_term")
    assert (r.numerator, r.denominator) == (2, 3)
    assert r.value == pytest.approx(66.7)


def test_stability_long_term_adoptive_placement_with_the_one_before(helpers):
    """DfE (NI 63, now "long-term stability"): in the same placement for 2 years, or placed for
    adoption with the adoptive placement and the placement before it together lasting 2 years;
    a stay in hospital (T1) does not end a placement."""
    h = helpers
    header = [h.child(c, "01/06/2016") for c in ("adopted", "short", "hospital")]
    eps = [
        # foster home since January 2022; placed with new adopters (A6) in January 2025:
        # adoptive placement + previous placement = 3 years -> stable
        h.ep("adopted", "01/01/2022", dec="01/01/2025", rec="X1"),
        h.ep("adopted", "01/01/2025", rne="B", ls="E1", place="A6"),
        # in care since 2021, foster home from June 2023, placed with adopters in 2025:
        # together less than 2 years -> not stable
        h.ep("short", "01/03/2021", dec="01/06/2023", rec="X1"),
        h.ep("short", "01/06/2023", rne="P", dec="01/02/2025", rec="X1"),
        h.ep("short", "01/02/2025", rne="B", ls="E1", place="A6"),
        # same foster home since 2021 apart from 5 days in hospital in 2024 -> stable
        h.ep("hospital", "01/03/2021", dec="01/08/2024", rec="X1"),
        h.ep(
            "hospital", "01/08/2024", rne="P", place="T1", provider=None, dec="06/08/2024", rec="X1"
        ),
        h.ep("hospital", "06/08/2024", rne="P"),
    ]
    r = h.measure(h.make_history(y2024={"header": header, "episodes": eps}), "stability_long_term")
    assert (r.numerator, r.denominator) == (2, 3)


def test_placement_moves_per_child(helpers):
    h = helpers
    header = [h.child(c, "01/06/2012") for c in "ab"]
    eps = [
        h.ep("a", "01/05/2024", dec="01/06/2024", rec="X1"),  # coming into care is not a move
        h.ep("a", "01/06/2024", rne="P", dec="01/07/2024", rec="X1"),
        h.ep("a", "01/07/2024", rne="U", ls="C1"),
        h.ep("b", "01/05/2023"),
    ]
    r = h.measure(
        h.make_history(y2024={"header": header, "episodes": eps}), "placement_moves_per_child"
    )
    assert (r.numerator, r.denominator, r.value) == (2, 2, 1.0)


def test_stability_long_term_counts_only_the_placement_just_before_the_adoptive_one(helpers):
    """Adoptive placement + the one placement before it: an earlier placement does not count.
    Placed for adoption with the foster carers (A5, RNE T) in January 2025, with them since
    January 2024, in another home since 2021: together 15 months -> not stable."""
    h = helpers
    header = [h.child("c", "01/06/2016")]
    eps = [
        h.ep("c", "01/01/2021", place="U4", dec="01/01/2024", rec="X1"),
        h.ep("c", "01/01/2024", rne="P", place="U6", dec="01/01/2025", rec="X1"),
        h.ep("c", "01/01/2025", rne="T", ls="E1", place="A5"),
    ]
    r = h.measure(h.make_history(y2024={"header": header, "episodes": eps}), "stability_long_term")
    assert (r.numerator, r.denominator) == (0, 1)


def test_stability_one_plus_moves_a_child_who_went_home_and_came_back_has_not_moved(helpers):
    h = helpers
    header = [h.child(c, "01/06/2012") for c in ("back", "moved", "same")]
    eps = [
        # "back": home on 1 Jul 2024 (E4A), back into care on 1 Sep 2024: 2 placements, 0 moves
        h.ep("back", "01/05/2023", dec="01/07/2024", rec="E4A"),
        h.ep("back", "01/09/2024"),
        # "moved": a change of carers on 1 Oct 2024 (P): 1 move
        h.ep("moved", "01/05/2023", dec="01/10/2024", rec="X1"),
        h.ep("moved", "01/10/2024", rne="P", place="U6"),
        # "same": the same carers become long-term carers on 1 Nov 2024 (T): counted, as DfE
        # counts it for 3+ placements (the rule says so)
        h.ep("same", "01/05/2023", place="U6", dec="01/11/2024", rec="X1"),
        h.ep("same", "01/11/2024", rne="T", place="U4"),
    ]
    hist = h.make_history(y2024={"header": header, "episodes": eps})
    r = h.measure(hist, "stability_one_plus_moves")
    assert (r.numerator, r.denominator, r.value) == (2, 3, 66.7)  # was 3 of 3: "back" counted
    assert "went home and came back" in r.rule
    per_child = h.measure(hist, "placement_moves_per_child")
    assert (per_child.numerator, per_child.denominator) == (2, 3)


def test_three_plus_placements_and_moves_state_their_rule(helpers):
    from carewise.measures import MEASURES

    three = MEASURES["stability_three_plus_placements"].rule
    assert "same carers" in three and "counts as a placement" in three
    assert "temporary placement" in three
    for mid in ("stability_one_plus_moves", "placement_moves_per_child"):
        assert "not a move" in MEASURES[mid].rule
