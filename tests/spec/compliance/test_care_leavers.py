"""Care leaver statuses by the legal definitions (CA 1989 Sch 2 para 19B, s23A, s23C; glossary)."""

from __future__ import annotations

from datetime import date

from carewise.compliance import cohort
from carewise.compliance.leavers import cohort_at
from carewise.compliance.storage import Extracts
from conftest import build_history, episode, extracts

D = date.fromisoformat


def status(h, on: str, child: str = "1", e: Extracts | None = None) -> str | None:
    c = cohort_at(h, e or Extracts(), D(on)).filter(cohort_at(h, e or Extracts(), D(on))["CHILD"] == child)
    return c["status"][0] if c.height else None


def test_eligible_needs_13_weeks_since_14_and_can_add_up_over_two_periods():
    # DOB 1 Jan 2008: 14 on 1 Jan 2022. 60 days in 2022, then from 1 Oct 2023: 91 days in all
    # on 30 Oct 2023; 16 on 1 Jan 2024 -> eligible from the 16th birthday.
    h = build_history(2021, 2023, [
        episode("1", "2022-03-01", dec="2022-04-30", rec="E4A"),
        episode("1", "2023-10-01"),
    ], {"1": "2008-01-01"})
    e = cohort.eligibility(h, D("2024-03-31"))
    assert e["eligible_from"].to_list() == [D("2024-01-01")]
    assert status(h, "2024-03-31") == "eligible"
    assert status(h, "2023-12-31") is None  # 15: not yet


def test_not_eligible_with_under_13_weeks_since_14():
    h = build_history(2023, 2024, [episode("1", "2024-03-01")], {"1": "2007-06-01"})
    # 16 already; in care 1 Mar to 30 May 2024 is 91 days: eligible on 30 May, not before
    assert status(h, "2024-05-29") is None
    assert status(h, "2024-05-30") == "eligible"


def test_relevant_after_leaving_care_at_16_to_independent_living():
    h = build_history(2022, 2024, [episode("1", "2022-01-01", dec="2024-02-01", rec="E6")], {"1": "2007-06-01"})
    assert status(h, "2024-03-31") == "relevant"


def test_leaving_on_a_special_guardianship_order_is_not_relevant():
    h = build_history(2022, 2024, [episode("1", "2022-01-01", dec="2024-02-01", rec="E45")], {"1": "2007-06-01"})
    assert status(h, "2024-03-31") is None


def test_a_relevant_child_back_home_for_six_months_is_no_longer_relevant():
    h = build_history(2022, 2024, [episode("1", "2022-01-01", dec="2024-01-10", rec="E4A")], {"1": "2007-06-01"})
    assert status(h, "2024-06-30") == "relevant"
    assert status(h, "2024-07-10") is None


def test_former_relevant_at_18_to_21_then_entitled_to_pa_support_to_25():
    h = build_history(2018, 2024, [episode("1", "2018-01-01", dec="2020-05-01", rec="E17")], {"1": "2002-05-01"})
    assert status(h, "2023-04-30") == "former_relevant"  # 20
    assert status(h, "2024-03-31") == "former_relevant_21_25"  # 21
    assert status(h, "2027-05-01") is None  # 25


def test_pa_allocation_and_oc3_activity_accommodation_and_touch():
    h = build_history(2022, 2024, [episode("1", "2020-01-01", dec="2023-05-01", rec="E6")],
                      {"1": "2005-05-01"}, oc3=[{"CHILD": "1", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "U2"}])
    e = extracts(pa_allocations=[{"child": "1", "adviser": "PA01", "start": "2023-05-01", "end": None}])
    row = cohort_at(h, e, D("2024-03-31")).row(0, named=True)
    assert (row["status"], row["in_touch"], row["eet"], row["suitable_accommodation"], row["adviser"]) == (
        "former_relevant", True, True, False, "PA01")
