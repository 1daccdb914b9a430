"""Quarterly and rolling periods (issue 18): DfE's comparators count a whole year, so a figure
counted over part of a year is shown without them, and says so; figures fixed by the period's
end date (children looked after on a day) keep them."""

from __future__ import annotations

LA = "E06000056"  # a council with shipped DfE comparators and an ONS under-18 population


def _history(h):
    header = [h.child(c, "01/06/2012") for c in ("a", "b")]
    eps = [h.ep("a", "01/05/2023"), h.ep("b", "15/02/2025")]
    return h.make_history(y2024={"header": header, "episodes": eps})


def test_a_quarters_starts_are_not_set_beside_englands_annual_rate(helpers):
    hist = _history(helpers)
    quarter = helpers.measure(hist, "started_rate_per_10k", "2024-Q4", la_code=LA)
    assert quarter.numerator == 1 and quarter.comparators == []
    assert quarter.comparison_note.startswith("Not compared with England")
    assert "3 months (2024-Q4)" in quarter.comparison_note
    assert "rolling-12m:2025-03-31" in quarter.comparison_note
    year = helpers.measure(hist, "started_rate_per_10k", "2024-25", la_code=LA)
    assert any(c["label"] == "England" for c in year.comparators) and year.comparison_note == ""
    rolling = helpers.measure(hist, "started_rate_per_10k", "rolling-12m:2025-03-31", la_code=LA)
    assert any(c["label"] == "England" for c in rolling.comparators)


def test_three_plus_placements_over_a_quarter_has_no_comparator_but_looked_after_on_a_day_does(helpers):
    hist = _history(helpers)
    stab = helpers.measure(hist, "stability_three_plus_placements", "2024-Q4", la_code=LA)
    assert stab.comparators == [] and "Not compared" in stab.comparison_note
    cla = helpers.measure(hist, "cla_rate_per_10k", "2024-Q4", la_code=LA)
    assert any(c["label"] == "England" for c in cla.comparators) and cla.comparison_note == ""
