"""Population measures (DfE "Children looked after in England"): hand-worked examples."""

from __future__ import annotations

from datetime import date

import pytest

from carewise.measures import Options, reference


def _council(h):
    """Children around 31 March 2025, each showing one rule."""
    header = [h.child(c, "01/06/2012") for c in "ABCDEG"] + [h.child("F", "01/01/2008", sex="F")]
    episodes = [
        # A: in care across 31 March 2024, still looked after -> counted
        h.ep("A", "01/01/2023", place="U4", provider="PR1"),
        # B: ceased on 31 March 2025 itself -> not looked after that day
        h.ep("B", "01/02/2024", dec="31/03/2025", rec="E4A"),
        # C: short breaks only (V3) -> never counted
        h.ep("C", "01/05/2024", ls="V3", place="U6", provider="PR4"),
        # D: started, went home, came back: one child
        h.ep("D", "10/04/2024", dec="01/06/2024", rec="E4A", cin="N4"),
        h.ep("D", "01/12/2024", cin="N1", place="U6", provider="PR4"),
        # E: start date unreadable -> cannot be placed in time, left out
        h.ep("E", "xx/yy/2024"),
        # F: started on 31 March 2025 -> looked after that day
        h.ep("F", "31/03/2025", place="K2", provider="PR4", cin="N5"),
        # G: change of placement with X1 (not a ceasing), then adopted
        h.ep("G", "01/03/2023", dec="01/07/2024", rec="X1", place="U4"),
        h.ep("G", "01/07/2024", rne="P", dec="10/01/2025", rec="E11", place="A6", ls="E1"),
    ]
    prior = [
        h.ep("A", "01/01/2023", place="U4", provider="PR1"),
        h.ep("B", "01/02/2024"),
        h.ep("G", "01/03/2023", place="U4"),
    ]
    return h.make_history(
        y2023={"header": header, "episodes": prior},
        y2024={"header": header, "episodes": episodes},
    )


def test_cla_at_date(helpers):
    r = helpers.measure(_council(helpers), "cla_at_date")
    # A (across 31 March), D (returned), F (started that day); not B, C, E, G
    assert r.value == 3
    ages = {row.category: row.numerator for row in r.breakdowns["age_band"]}
    # A and D are 12; F is 17 on 31 March 2025
    assert (
        ages["10 to 15 years"] == 2 and ages["16 years and over"] == 1 and ages["Under 1 year"] == 0
    )
    sexes = {row.category: row.numerator for row in r.breakdowns["sex"]}
    assert sexes == {"Male": 2, "Female": 1}
    assert sum(row.numerator for row in r.breakdowns["placement_group"]) == 3


def test_cla_at_date_earlier_snapshot_uses_earlier_return(helpers):
    # at 31 March 2024: A, B, G (the 2023-24 return)
    assert helpers.measure(_council(helpers), "cla_at_date", "2024-03-31").value == 3


def test_cla_rate_per_10k_uses_override_or_ons_mid_year_before(helpers):
    hist = _council(helpers)
    r = helpers.measure(
        hist, "cla_rate_per_10k", options=Options(population_override={2024: 20_000})
    )
    assert r.numerator == 3 and r.denominator == 20_000 and r.value == pytest.approx(1.5)
    ons = helpers.measure(hist, "cla_rate_per_10k", la_code="E06000056")
    assert ons.denominator == 70_074  # ONS mid-2024 under-18s, Central Bedfordshire
    assert "mid-2024" in ons.notes[0]


def test_started_in_period_counts_first_start_once(helpers):
    r = helpers.measure(_council(helpers), "started_in_period")
    # D (twice: counted once, by its first start's need N4), F; A, B, G started earlier
    assert r.value == 2
    need = {row.category: row.numerator for row in r.breakdowns["need"]}
    assert need["N4. Family in acute stress"] == 1 and need["N5. Family dysfunction"] == 1
    assert need["N1. Abuse or neglect"] == 0


def test_ceased_in_period_counts_last_ceasing(helpers):
    r = helpers.measure(_council(helpers), "ceased_in_period")
    # B (31 March, E4A), D (June, E4A; came back), G (adopted); G's X1 is not a ceasing
    assert r.value == 3
    reasons = {row.category: row.numerator for row in r.breakdowns["reason"]}
    assert reasons["Returned home to parents or relatives"] == 2
    assert reasons["Adopted"] == 1


def test_ceased_adopted_and_sgo(helpers):
    hist = _council(helpers)
    assert helpers.measure(hist, "ceased_adopted").value == 1
    assert helpers.measure(hist, "ceased_sgo").value == 0


def test_ceased_in_a_quarter(helpers):
    # Q1 2024-25 (April-June): D ceased 1 June
    assert helpers.measure(_council(helpers), "ceased_in_period", "2024-Q1").value == 1


def test_uasc_at_date_until_duc(helpers):
    header = [
        helpers.child("U1", "01/01/2008"),
        helpers.child("U2", "01/01/2007"),
        helpers.child("N", "01/01/2008"),
    ]
    eps = [
        helpers.ep("U1", "01/05/2023", cin="N8"),
        helpers.ep("U2", "01/05/2022", cin="N8"),
        helpers.ep("N", "01/05/2023"),
    ]
    uasc = [
        {"CHILD": "U1", "SEX": "M", "DOB": "01/01/2008", "DUC": "01/01/2026"},
        # U2 turned 18 on 1 January 2025 and stopped being UASC, though still looked after (until 31 March)
        {"CHILD": "U2", "SEX": "M", "DOB": "01/01/2007", "DUC": "01/01/2025"},
    ]
    hist = helpers.make_history(y2024={"header": header, "episodes": eps, "uasc": uasc})
    assert helpers.measure(hist, "uasc_at_date").value == 1
    assert helpers.measure(hist, "uasc_at_date", "2024-12-31").value == 2


def _placements(h):
    header = [h.child(c, "01/06/2012") for c in "12345"]
    eps = [
        h.ep("1", "01/05/2023", place="U4", provider="PR1"),
        h.ep("2", "01/05/2023", place="U6", provider="PR4"),
        h.ep("3", "01/05/2023", place="U1", provider="PR1"),
        h.ep("4", "01/05/2023", place="U5", provider="PR5"),
        h.ep("5", "01/05/2023", place="K2", provider="PR4"),
    ]
    return h.make_history(y2024={"header": header, "episodes": eps})


def test_placement_type_at_date(helpers):
    r = helpers.measure(_placements(helpers), "placement_type_at_date")
    types = {row.category: row.numerator for row in r.breakdowns["placement_type"]}
    assert types["Foster: in-house"] == 1  # U4 PR1
    assert types["Foster: agency"] == 2  # U6 PR4, U5 PR5
    assert types["Foster: family and friends"] == 1  # U1
    assert types["Secure homes and children's homes"] == 1
    groups = {row.category: row.numerator for row in r.breakdowns["placement_group"]}
    assert groups["Foster placements"] == 4


def test_foster_in_house_share(helpers):
    r = helpers.measure(_placements(helpers), "foster_in_house_share")
    # all fostering: 1 (U4 PR1), 2 (U6 PR4), 3 (U1 PR1), 4 (U5 PR5) -> in-house 2 of 4
    assert (r.numerator, r.denominator, r.value) == (2, 4, 50.0)
    assert not any("target" in n for n in r.notes)  # the target is on the mainstream basis


def test_foster_in_house_share_mainstream_leaves_out_family_and_friends_and_has_the_target(helpers):
    # mainstream (U4-U6, PR1 or PR4/PR5): 1 (U4 PR1), 2 (U6 PR4), 4 (U5 PR5); child 3 is family
    # and friends (U1) -> in-house 1 of 3 = 33.3%
    hist = _placements(helpers)
    r = helpers.measure(hist, "foster_in_house_share_mainstream")
    assert (r.numerator, r.denominator, r.value) == (1, 3, 33.3)
    assert "70%" in r.notes[0] and "mainstream" in r.notes[0]
    # another council's carers (PR2) are neither in-house nor agency: left out of the basis
    header = [helpers.child(c, "01/06/2012") for c in "ab"]
    eps = [helpers.ep("a", "01/05/2023", place="U4", provider="PR1"),
           helpers.ep("b", "01/05/2023", place="U6", provider="PR2")]
    other = helpers.make_history(y2024={"header": header, "episodes": eps})
    assert helpers.measure(other, "foster_in_house_share_mainstream").denominator == 1


def test_turning_18_next_6_months(helpers):
    header = [
        helpers.child("a", "15/09/2007"),
        helpers.child("b", "01/10/2007"),
        helpers.child("c", "31/03/2007"),
    ]
    eps = [helpers.ep(c, "01/05/2023") for c in "abc"]
    hist = helpers.make_history(y2024={"header": header, "episodes": eps})
    # a turns 18 on 15 Sep 2025 (within 6 months of 31 March 2025); b on 1 Oct 2025 (after 30 Sep);
    # c turned 18 on 31 March 2025 itself (not in the next 6 months)
    assert helpers.measure(hist, "turning_18_next_6_months").value == 1


def test_placement_groups_as_dfe_publishes_them(helpers):
    """DfE's 8 groups (cla-by-la.csv): residential employment (P3) with independent living,
    mother and baby units (R3) in other residential settings, temporary (T*) and Z1 in other
    placements; foster care split by provider."""
    h = helpers
    places = {
        "p3": ("P3", "PR4"),
        "p2": ("P2", "PR4"),
        "r3": ("R3", "PR3"),
        "r5": ("R5", "PR3"),
        "t1": ("T1", None),
        "z1": ("Z1", None),
        "k3": ("K3", "PR4"),
        "s1": ("S1", "PR5"),
        "ff": ("U2", "PR4"),
        "inh": ("U6", "PR1"),
        "ifa": ("U4", "PR5"),
        "oth": ("U5", "PR2"),
    }
    header = [h.child(c, "01/06/2008") for c in places]
    eps = [h.ep(c, "01/01/2024", place=p, provider=pr) for c, (p, pr) in places.items()]
    r = h.measure(
        h.make_history(y2024={"header": header, "episodes": eps}), "placement_type_at_date"
    )
    groups = {row.category: row.numerator for row in r.breakdowns["placement_group"]}
    assert (
        groups["Independent and semi-independent living arrangements/supported accommodation"] == 3
    )
    assert groups["Other residential settings"] == 2
    assert groups["Other placements"] == 2
    assert groups["Residential schools"] == 1
    assert groups["Foster placements"] == 4
    assert sum(groups.values()) == r.value == 12
    types = {row.category: row.numerator for row in r.breakdowns["placement_type"]}
    assert types["Foster: family and friends"] == 1
    assert types["Foster: in-house"] == 1
    assert types["Foster: agency"] == 1
    assert types["Foster: other provider or not recorded"] == 1


def _short_breaks_then_care(h):
    """Children whose care began under short breaks (V3/V4, RNE S) and became full care by a
    change of legal status (RNE L): they start to be looked after when full care begins."""
    header = [h.child(c, "15/10/2014") for c in ("H", "J", "K", "L")]
    y2023 = [
        # K: short breaks from September 2023, then care order inside 2024-25 (below)
        h.ep("K", "01/09/2023", ls="V3", place="U6", provider="PR1"),
        # L: in full care since 2022, only a change of legal status in 2024-25 (below)
        h.ep("L", "01/03/2022", ls="V2"),
    ]
    y2024 = [
        # H: short breaks from May, then accommodated under s20 (V2) from 1 September 2024
        h.ep("H", "01/05/2024", dec="01/09/2024", rec="X1", ls="V3", place="U6", cin="N1"),
        h.ep("H", "01/09/2024", rne="L", ls="V2", place="U6", cin="N2"),
        # J: short breaks only, from V3 to V4 by a change of legal status -> never a start
        h.ep("J", "01/06/2024", dec="01/10/2024", rec="X1", ls="V3", place="U6"),
        h.ep("J", "01/10/2024", rne="L", ls="V4", place="U6"),
        # K: short breaks continue, care order (C1) from 10 January 2025
        h.ep("K", "01/09/2023", dec="10/01/2025", rec="X1", ls="V3", place="U6"),
        h.ep("K", "10/01/2025", rne="L", ls="C1", place="U4", cin="N1"),
        # L: V2 -> C2: a change of legal status within care is not a start
        h.ep("L", "01/03/2022", dec="01/08/2024", rec="X1", ls="V2"),
        h.ep("L", "01/08/2024", rne="L", ls="C2"),
    ]
    return h.make_history(
        y2023={"header": header, "episodes": y2023}, y2024={"header": header, "episodes": y2024}
    )


def test_care_after_short_breaks_starts_on_the_non_short_break_date(helpers):
    hist = _short_breaks_then_care(helpers)
    r = helpers.measure(hist, "started_in_period")
    # H (1 Sep 2024) and K (10 Jan 2025); not J (short breaks only) nor L (already in care)
    assert r.value == 2
    need = {row.category: row.numerator for row in r.breakdowns["need"]}
    # H counted by the need at the V2 episode (N2), K by N1
    assert need["N2. Child's disability"] == 1 and need["N1. Abuse or neglect"] == 1
    legal = {row.category: row.numerator for row in r.breakdowns["legal_status"]}
    assert sum(legal.values()) == 2
    # H turned 9 on 15 Oct 2023 and is 9 on 1 Sep 2024; K is 10 on 10 Jan 2025
    ages = {row.category: row.numerator for row in r.breakdowns["age_band"]}
    assert ages["5 to 9 years"] == 1 and ages["10 to 15 years"] == 1
    # the plain-Python reference engine agrees, by need too
    ref = reference.figures(hist, date(2024, 4, 1), date(2025, 3, 31))
    assert ref.starts == 2
    assert ref.starts_by_need == {"N1. Abuse or neglect": 1, "N2. Child's disability": 1}


def test_short_breaks_alone_are_not_a_start(helpers):
    hist = _short_breaks_then_care(helpers)
    # April-June 2024: H's and J's short breaks began, nobody started to be looked after
    assert helpers.measure(hist, "started_in_period", period="2024-Q1").value == 0
    # 2023-24: K's short breaks began in September 2023; not a start in that year
    assert helpers.measure(hist, "started_in_period", period="2023-24").value == 0
    # July-September 2024: H's care began on 1 September
    assert helpers.measure(hist, "started_in_period", period="2024-Q2").value == 1


def test_time_in_care_counts_from_the_end_of_short_breaks(helpers):
    hist = _short_breaks_then_care(helpers)
    r = helpers.measure(hist, "time_in_care_days")
    # on 31 March 2025: H 211 days (from 1 Sep 2024), K 80 (from 10 Jan 2025),
    # L 1126 (from 1 Mar 2022); J is on short breaks, not looked after
    assert r.denominator == 3
    assert r.value == pytest.approx((211 + 80 + 1126) / 3, abs=0.05)  # shown to 1 decimal
