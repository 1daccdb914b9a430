"""PEPs (Promoting the education of looked-after children, DfE 2018): the first PEP within 20
school days of coming into care and before the first review, then one each term; the worklist
shows the real next term. Hand-worked dates; school days are working days inside a term of
timescales.toml (autumn 1 Sep-31 Dec, spring 1 Jan-31 Mar, summer 1 Apr-31 Jul)."""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.compliance import assess
from carewise.compliance.calendar import school_day
from carewise.compliance.rules import in_force
from conftest import build_history, episode, extracts, inst

D = date.fromisoformat


def test_twenty_school_days_skip_the_summer_holiday():
    # Mon 15 Jul 2024: Tue 16 Jul is day 1; 12 school days to Wed 31 Jul; August is not in a
    # term; Mon 2 Sep is day 13 ... Wed 11 Sep day 20.
    spec = in_force(D("2024-07-15")).requirements["pep_first"].extra["terms"]
    assert school_day(D("2024-07-15"), 20, spec) == D("2024-09-11")
    # in term with no bank holiday: four weeks on, as working days
    assert school_day(D("2024-09-02"), 20, spec) == D("2024-09-30")


def test_first_pep_within_20_school_days_of_coming_into_care_or_by_the_first_review():
    # Both aged 9 on 31 Aug 2023, in care from Mon 15 Jul 2024. Child 1: no review yet, first PEP
    # due Wed 11 Sep (20 school days), held 10 Sep. Child 2: first review on Fri 9 Aug 2024, so
    # the PEP is due by then; held 10 Sep: late.
    h = build_history(2024, 2024, [episode("1", "2024-07-15"), episode("2", "2024-07-15")],
                      {"1": "2014-06-01", "2": "2014-06-01"}, reviews=[("2", "2024-08-09")])
    e = extracts(peps=[{"child": c, "date": "2024-09-10"} for c in ("1", "2")])
    a = assess(h, e, D("2024-10-31"))
    assert inst(a, "pep_first", "1") == [(D("2024-09-11"), D("2024-09-10"), "on_time")]
    assert inst(a, "pep_first", "2") == [(D("2024-08-09"), D("2024-09-10"), "late")]
    s = a.summary["pep_first_on_time"]
    assert (s["numerator"], s["denominator"], s["value"]) == (1, 2, 50.0)


def test_no_first_pep_is_owed_below_school_age_or_after_care_ends_before_it_is_due():
    # Child 1 aged 2; child 2 (aged 9) in care 2-6 Sep 2024 only: the PEP due 30 Sep is not owed.
    h = build_history(2024, 2024, [episode("1", "2024-09-02"),
                                   episode("2", "2024-09-02", dec="2024-09-06", rec="E4A")],
                      {"1": "2022-01-01", "2": "2015-01-01"})
    a = assess(h, extracts(peps=[]), D("2024-12-31"))
    assert inst(a, "pep_first", "1") == []
    assert inst(a, "pep_first", "2") == []


def test_worklist_shows_the_summer_term_next_not_the_autumn_term_a_year_ahead():
    # Aged 10 on 31 Aug 2024, in care since 2023. Spring PEP held on 10 Mar 2025; on 31 Mar 2025
    # (the last day of spring term) the next PEP is the summer term's, due by 31 Jul 2025.
    h = build_history(2023, 2024, [episode("1", "2023-06-01")], {"1": "2014-01-01"})
    e = extracts(covers_from=D("2025-01-01"), peps=[{"child": "1", "date": "2025-03-10"}])
    a = assess(h, e, D("2025-03-31"))
    row = a.current.filter((pl.col("requirement") == "pep") & (pl.col("CHILD") == "1")).row(0, named=True)
    assert row["next_due"] == D("2025-07-31")
    assert row["status"] == "done_on_time"


def test_a_term_in_which_care_ended_is_not_owed_a_pep_unless_one_was_held():
    # Aged 10; in care 1 Sep-15 Nov 2024 (76 days of autumn term), no PEP: care ended before the
    # term did, so the autumn PEP was never due (as any clock that ends before its due date).
    # Child 2, same dates, held one on 20 Oct: on time.
    eps = [episode(c, "2024-09-01", dec="2024-11-15", rec="E4A") for c in ("1", "2")]
    h = build_history(2024, 2024, eps, {"1": "2014-01-01", "2": "2014-01-01"})
    a = assess(h, extracts(peps=[{"child": "2", "date": "2024-10-20"}]), D("2025-01-31"))
    assert inst(a, "pep", "1") == []
    assert inst(a, "pep", "2") == [(D("2024-12-31"), D("2024-10-20"), "on_time")]
    assert a.current.filter(pl.col("CHILD") == "1").height == 0
