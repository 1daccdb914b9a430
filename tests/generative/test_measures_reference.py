"""The polars measures agree with a deliberately simple reference (plain Python over rows), and
suppression never leaves a small number recoverable by subtraction, on random small councils."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.history import stitch
from carewise.measures import evaluate, reference
from carewise.returns.build import return_from_rows

YEAR_END = date(2025, 3, 31)
FIRST = date(2021, 6, 1)


@st.composite
def councils(draw):
    """Children with 1-3 periods of care of 1-4 episodes each from mid-2021, in one 2024-25
    return: moves with and without new carers, temporary placements, adoption, short breaks."""
    episodes, header, ad1 = [], [], []
    for n in range(draw(st.integers(1, 24))):
        cid = f"C{n}"
        dob = date(2006, 1, 1) + timedelta(days=draw(st.integers(0, 6000)))
        header.append(
            {
                "CHILD": cid,
                "SEX": draw(st.sampled_from("MF")),
                "DOB": dob.strftime("%d/%m/%Y"),
                "ETHNIC": "WBRI",
            }
        )
        day = FIRST + timedelta(days=draw(st.integers(0, 1300)))
        still_open = False
        for _period in range(draw(st.integers(1, 3))):
            if day > YEAR_END or still_open:
                break
            n_eps = draw(st.integers(1, 4))
            for i in range(n_eps):
                length = draw(st.integers(1, 400))
                end = day + timedelta(days=length)
                last = i == n_eps - 1
                open_ = end > YEAR_END
                place = draw(st.sampled_from(PLACES))
                provider = None if place in ("T1", "T4", "Z1") else draw(st.sampled_from(PROVIDERS))
                rec = None
                if not open_:
                    rec = draw(st.sampled_from(REASONS)) if last else "X1"
                row = {
                    "CHILD": cid,
                    "DECOM": day.strftime("%d/%m/%Y"),
                    "RNE": "S" if i == 0 else draw(st.sampled_from("PBTUL")),
                    "LS": draw(st.sampled_from(["C2", "C2", "V2", "E1", "V3"])),
                    "CIN": draw(st.sampled_from(["N1", "N2", "N4", None])),
                    "PLACE": place,
                    "PLACE_PROVIDER": provider,
                    "DEC": None if open_ else end.strftime("%d/%m/%Y"),
                    "REC": rec,
                }
                if draw(st.integers(0, 30)) == 0:
                    row["DECOM"] = "not a date"
                episodes.append(row)
                if open_:
                    still_open = True
                    break
                day = end
            day = day + timedelta(days=draw(st.integers(1, 200)))
        if draw(st.booleans()):
            matched = FIRST + timedelta(days=draw(st.integers(0, 1400)))
            ad1.append(
                {
                    "CHILD": cid,
                    "DOB": dob.strftime("%d/%m/%Y"),
                    "DATE_MATCH": matched.strftime("%d/%m/%Y"),
                    "FOSTER_CARE": "0",
                }
            )
    return header, episodes, ad1


PLACES = ["U4", "U6", "U2", "K2", "A5", "A6", "A3", "T1", "T4", "P3", "R3", "Z1", "H5", "P1"]
PROVIDERS = ["PR1", "PR4", "PR5", "PR2"]
REASONS = ["E4A", "E11", "E45", "E13", "E3", "E17"]
PERIODS = st.sampled_from(["2024-25", "2024-Q2", "2024-Q4", "rolling-12m:2024-12-31", "2024-10-15"])
IDS = [
    "cla_at_date",
    "placement_type_at_date",
    "started_in_period",
    "ceased_in_period",
    "stability_three_plus_placements",
    "stability_long_term",
    "adoption_a1_days",
    "adoption_a10_days",
    "adoption_a2_days",
]


def _rows(result, name):
    return {row.category: row.numerator for row in result.breakdowns[name] if row.numerator}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(council=councils(), period=PERIODS)
def test_polars_measures_agree_with_reference(council, period):
    header, episodes, ad1 = council
    history = stitch([return_from_rows("2024-25", header=header, episodes=episodes, ad1=ad1)])
    results = {
        r.id: r
        for r in evaluate(history, period, None, "internal", ids=IDS, with_comparators=False)
    }
    p = results["cla_at_date"].period
    ref = reference.figures(history, p.start, p.end)
    assert results["cla_at_date"].value == ref.cla
    placed = results["placement_type_at_date"]
    assert _rows(placed, "placement_group") == ref.cla_by_group
    assert _rows(placed, "placement_type") == ref.cla_by_type
    assert results["started_in_period"].value == ref.starts
    assert _rows(results["started_in_period"], "need") == ref.starts_by_need
    assert results["ceased_in_period"].value == ref.ceased
    assert _rows(results["ceased_in_period"], "reason") == ref.ceased_by_reason
    three = results["stability_three_plus_placements"]
    assert (three.numerator, three.denominator) == (ref.three_plus, ref.cla)
    long_term = results["stability_long_term"]
    assert (long_term.numerator, long_term.denominator) == ref.long_term
    for mid, days in (
        ("adoption_a1_days", ref.a1),
        ("adoption_a10_days", ref.a10),
        ("adoption_a2_days", ref.a2),
    ):
        assert (results[mid].numerator, results[mid].denominator) == (sum(days), len(days)), mid
    # breakdowns add up to their totals
    for r in results.values():
        for rows in r.breakdowns.values():
            if r.kind == "count":
                assert sum(row.numerator for row in rows) == r.numerator
            elif r.kind == "proportion":
                assert sum(row.denominator for row in rows) == r.denominator
                assert sum(row.numerator for row in rows) == r.numerator


def _small(v):
    return v is not None and 0 < v < 5


PUBLISHED = st.sampled_from(["2024-25", "2024-Q2", "2024-Q4"])
"""Panel and public figures are for collection years and quarters only (carewise.disclosure)."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(council=councils(), period=PUBLISHED)
def test_suppression_never_reveals_a_small_number(council, period):
    header, episodes, _ad1 = council
    history = stitch([return_from_rows("2024-25", header=header, episodes=episodes)])
    ids = [
        "cla_at_date",
        "started_in_period",
        "ceased_in_period",
        "ceased_adopted",
        "ceased_sgo",
        "stability_three_plus_placements",
        "placement_type_at_date",
        "adopted_share_of_leavers",
    ]
    internal = {
        r.id: r
        for r in evaluate(history, period, None, "internal", ids=ids, with_comparators=False)
    }
    panel = {
        r.id: r for r in evaluate(history, period, None, "panel", ids=ids, with_comparators=False)
    }
    for mid, full in internal.items():
        shown = panel[mid]
        total_hidden = shown.numerator is None
        # no small count is shown, and a shown proportion never lets a small complement through
        for attr in ("numerator", "denominator"):
            if _small(getattr(full, attr)) and full.kind != "rate":
                assert getattr(shown, attr) is None
        if full.kind == "proportion" and _small((full.denominator or 0) - (full.numerator or 0)):
            assert shown.numerator is None or shown.denominator is None
        for name, rows in full.breakdowns.items():
            shown_rows = shown.breakdowns[name]
            for f, s in zip(rows, shown_rows, strict=True):
                if _small(f.numerator) or _small(f.denominator):
                    assert s.suppressed
            # one hidden figure in a sum with everything else shown could be subtracted out
            if full.kind == "count":
                hidden_values = [
                    f.numerator for f, s in zip(rows, shown_rows, strict=True) if s.suppressed
                ]
                hidden_values += [full.numerator] if total_hidden else []
                if any(_small(v) for v in hidden_values):
                    assert len(hidden_values) >= 2
    # the same figure is hidden alike wherever it appears
    reasons = {row.category: row for row in panel["ceased_in_period"].breakdowns["reason"]}
    assert panel["ceased_adopted"].suppressed == reasons["Adopted"].suppressed
    assert panel["ceased_sgo"].suppressed == reasons["Special guardianship order"].suppressed
