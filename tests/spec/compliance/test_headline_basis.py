"""Every compliance headline is on the same basis as its breakdown (issue 18): rates count due
dates in the 12 months to the date, as the team and month breakdowns do; a snapshot on the day is
named as one and shown apart."""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.compliance import assess, views
from conftest import build_history, episode, extracts

D = date.fromisoformat


def test_pathway_plans_on_time_over_the_year_matches_its_team_breakdown_and_the_snapshot_is_apart():
    # Eligible on the 16th birthday, 1 Mar 2024: plan due 1 Jun 2024 (held 20 May, on time),
    # next due 20 Nov 2024 (none held: overdue on 31 Dec 2024). Over the 12 months to 31 Dec:
    # 1 of 2 due dates on time = 50.0%. On 31 Dec one young person's plan is running and overdue:
    # 0 of 1 up to date.
    h = build_history(2023, 2024, [episode("1", "2023-06-01")], {"1": "2008-03-01"})
    e = extracts(pathway_plans=[{"child": "1", "date": "2024-05-20"}])
    a = assess(h, e, D("2024-12-31"))
    year = a.summary["pathway_plans_on_time"]
    assert (year["numerator"], year["denominator"], year["value"]) == (1, 2, 50.0)
    assert (year["basis"], year["period"]) == ("window", "12 months to 31 December 2024")
    teams = views.by_group(a, "team").filter(pl.col("requirement") == "pathway_plan")
    assert (int(teams["on_time"].sum()), int(teams["due"].sum())) == (1, 2)
    day = a.summary["pathway_plans_current"]
    assert (day["numerator"], day["denominator"], day["value"]) == (0, 1, 0.0)
    assert (day["basis"], day["period"]) == ("snapshot", "on 31 December 2024")


def test_the_pack_shows_window_rates_and_snapshots_in_separate_tables_with_their_basis():
    from carewise.measures import parse_period
    from carewise.reports.compliance import statutory_compliance
    from carewise.reports.model import ChartBlock, PackData

    h = build_history(2023, 2024, [episode("1", "2023-06-01")], {"1": "2008-03-01"})
    e = extracts(pathway_plans=[{"child": "1", "date": "2024-05-20"}])
    data = PackData(la_code="E09000001", council_name="Test", period=parse_period("2024-12-31"),
                    audience="internal", current={}, last_quarter={}, last_year={}, trend=[],
                    generated=D("2025-01-01"), extra={"history": h, "extracts": e, "store": object()})
    section = statutory_compliance(data)
    tables = [b.table if isinstance(b, ChartBlock) else b for b in section.blocks]  # a chart's table
    titles = {t.title: [r[0].text for r in t.rows] for t in tables}
    assert "Young people whose pathway plan is up to date on the day" in titles["Up to date on 31 December 2024"]
    assert "Pathway plans reviewed on time (at least every 6 months)" in titles[
        "On time in the 12 months to 31 December 2024"]
    heads = {h.measure_id: h.title for h in section.headlines}
    assert heads["pathway_plans_current"].endswith("(on 31 December 2024)")
    assert heads["pathway_plans_on_time"].endswith("(12 months to 31 December 2024)")


def test_personal_adviser_contact_is_reported_by_age_with_the_rule_for_that_age():
    # Left care at 18 on 15 May 2024 (E6): contacts due 23 May (held 20 May, on time, aged 18),
    # 20 Jul (held 1 Aug, late), 1 Oct (pending on 1 Sep, not counted). All at age 18: the 18-20
    # band has 1 of 2 on time; the 16-17 and 21-24 bands have nothing due.
    h = build_history(2023, 2024, [episode("1", "2022-01-01", dec="2024-05-15", rec="E6")],
                      {"1": "2006-05-15"})
    e = extracts(pa_contacts=[{"child": "1", "date": "2024-05-20"}, {"child": "1", "date": "2024-08-01"}])
    a = assess(h, e, D("2024-09-01"))
    bands = {b["ages"]: b for b in a.summary["pa_contact_on_time"]["by_age"]}
    assert (bands["18-20"]["numerator"], bands["18-20"]["denominator"]) == (1, 2)
    assert bands["16-17"]["denominator"] == 0 and bands["21-24"]["denominator"] == 0
    assert "s23C(2)" in bands["18-20"]["rule"] and "relevant children" in bands["16-17"]["rule"]
    assert "on request" in bands["21-24"]["label"]
