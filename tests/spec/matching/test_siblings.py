"""Sibling groups as groups (CA 1989 s22C(8)(c): siblings accommodated together so far as
reasonably practicable; terms of approval, FSR 2011 reg 27). Rows of one group share a
``sibling_group_id``; a group may also be one row with its youngest and oldest ages."""

from __future__ import annotations

from carewise.matching import assign, prepare, shortlist

GROUP = [{"referral_id": "R1", "child_id": "C1", "age": 4, "sibling_group_id": "G1",
          "siblings_together_required": "Y"},
         {"referral_id": "R2", "child_id": "C2", "age": 6, "sibling_group_id": "G1",
          "siblings_together_required": "Y"},
         {"referral_id": "R3", "child_id": "C3", "age": 9, "sibling_group_id": "G1",
          "siblings_together_required": "Y"}]
THREE = {"approved_places": 3, "vacancies": 3, "sibling_group_max": 3}


def _batch(m, settings, today):
    o, r = prepare(m.options(), m.open_referrals(), settings, today)
    return assign(r, o, settings)


def test_every_childs_age_is_checked_against_the_approval(market, settings, today):
    carers = [{"household_id": "H1", "min_age": 5, **THREE},
              {"household_id": "H2", "min_age": 0, "max_age": 8, **THREE},
              {"household_id": "H3", "min_age": 0, **THREE}]
    m = market(referrals=GROUP, carers=carers, providers=[], vacancies=[])
    for rid in ("R1", "R2", "R3"):  # one shortlist for the whole group, whichever child
        found = shortlist(m, rid, settings, today=today)
        assert {c["option_id"] for c in found.candidates} == {"H3"}
        assert {e["option_id"]: e["reasons"] for e in found.excluded} == {
            "H1": ["age_range"], "H2": ["age_range"]}
        assert found.sibling_group["children"] == 3
        assert found.sibling_group["youngest_age"] == 4
        assert found.sibling_group["oldest_age"] == 9


def test_a_group_on_one_row_gives_its_youngest_and_oldest_ages(market, settings, today):
    row = {"age": 6, "sibling_group_size": 3, "siblings_together_required": "Y",
           "sibling_youngest_age": 4, "sibling_oldest_age": 9}
    m = market(referrals=[row], providers=[], vacancies=[],
               carers=[{"household_id": "H1", "min_age": 5, **THREE},
                       {"household_id": "H3", "min_age": 0, **THREE}])
    found = shortlist(m, "R1", settings, today=today)
    assert {c["option_id"] for c in found.candidates} == {"H3"}


def test_batch_counts_children_so_a_group_of_three_beats_two_single_children(
        market, settings, today):
    singles = [{"referral_id": f"S{i}", "child_id": f"CS{i}", "age": 7, "urgency": "today"}
               for i in (1, 2)]
    m = market(referrals=GROUP + singles, providers=[], vacancies=[],
               carers=[{"household_id": "H1", "min_age": 0, **THREE}])
    s = _batch(m, settings, today).summary
    assert (s["children_met"], s["greedy_children_met"]) == (3, 2)
    assert s["extra_children_met_vs_greedy"] == 1
    assert s["sibling_groups"]["together"] == 1


def test_a_group_that_may_be_split_is_kept_together_when_it_costs_no_child_a_place(
        market, settings, today):
    MILE = 1609.3
    pair = [{"referral_id": "R1", "child_id": "C1", "sibling_group_id": "G1",
             "siblings_together_required": "N"},
            {"referral_id": "R2", "child_id": "C2", "sibling_group_id": "G1",
             "siblings_together_required": "N"}]
    # H2 is nearer home (a better score for each child) but has one place; H1 has two
    m = market(referrals=pair, providers=[], vacancies=[], carers=[
        {"household_id": "H1", "easting": 429317.0 + 15 * MILE},
        {"household_id": "H2", "approved_places": 1, "vacancies": 1, "sibling_group_max": 1}])
    result = _batch(m, settings, today)
    rows = {r["referral_id"]: r for r in result.referrals.to_dicts()}
    assert rows["R1"]["option_id"] == rows["R2"]["option_id"] == "H1"
    assert rows["R1"]["siblings"] == rows["R2"]["siblings"] == "together"


def test_the_explanation_says_when_a_group_was_split(market, settings, today):
    pair = [{"referral_id": "R1", "child_id": "C1", "sibling_group_id": "G1",
             "siblings_together_required": "N"},
            {"referral_id": "R2", "child_id": "C2", "sibling_group_id": "G1",
             "siblings_together_required": "N"}]
    one = {"approved_places": 1, "vacancies": 1, "sibling_group_max": 1}
    m = market(referrals=pair, providers=[], vacancies=[],
               carers=[{"household_id": "H1", **one}, {"household_id": "H2", **one}])
    result = _batch(m, settings, today)
    assert set(result.referrals["siblings"]) == {"split"}
    assert result.summary["sibling_groups"] == {"groups": 1, "together": 0, "split": 1,
                                                "not_placed": 0}
    assert result.summary["children_met"] == 2


def test_a_mixed_sex_group_only_goes_where_both_sexes_are_accepted(market, settings, today):
    group = [dict(GROUP[0], sex="M", age=8), dict(GROUP[1], sex="F", age=8)]
    m = market(referrals=group, providers=[], vacancies=[],
               carers=[{"household_id": "H1", "sex_accepted": "F"},
                       {"household_id": "H2", "sex_accepted": "any"}])
    found = shortlist(m, "R1", settings, today=today)
    assert {c["option_id"] for c in found.candidates} == {"H2"}
