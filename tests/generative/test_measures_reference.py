"""The polars measures agree with a deliberately simple reference (plain Python over rows), and
suppression never leaves a small number recoverable by subtraction, on random small councils."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.history import stitch
from carewise.measures import evaluate
from carewise.returns.build import return_from_rows

YEAR_END = date(2025, 3, 31)
FIRST = date(2023, 1, 1)


@st.composite
def councils(draw):
    """Children with 1-3 periods of care of 1-4 episodes each, in one 2024-25 return."""
    episodes, header = [], []
    for n in range(draw(st.integers(1, 24))):
        cid = f"C{n}"
        header.append(
            {
                "CHILD": cid,
                "SEX": draw(st.sampled_from("MF")),
                "DOB": "01/06/2012",
                "ETHNIC": "WBRI",
            }
        )
        day = FIRST + timedelta(days=draw(st.integers(0, 700)))
        still_open = False
        for _period in range(draw(st.integers(1, 3))):
            if day > YEAR_END or still_open:
                break
            n_eps = draw(st.integers(1, 4))
            for i in range(n_eps):
                length = draw(st.integers(1, 250))
                end = day + timedelta(days=length)
                last = i == n_eps - 1
                open_ = end > YEAR_END
                row = {
                    "CHILD": cid,
                    "DECOM": day.strftime("%d/%m/%Y"),
                    "RNE": "S" if i == 0 else draw(st.sampled_from("PBTUL")),
                    "LS": draw(st.sampled_from(["C2", "C2", "V2", "E1", "V3"])),
                    "CIN": "N1",
                    "PLACE": draw(st.sampled_from(["U4", "U6", "K2", "A5"])),
                    "PLACE_PROVIDER": "PR1",
                    "DEC": None if open_ else end.strftime("%d/%m/%Y"),
                    "REC": None
                    if open_
                    else (draw(st.sampled_from(["E4A", "E11", "E45", "E13"])) if last else "X1"),
                }
                if draw(st.integers(0, 30)) == 0:
                    row["DECOM"] = "not a date"
                episodes.append(row)
                if open_:
                    still_open = True
                    break
                day = end
            day = day + timedelta(days=draw(st.integers(1, 200)))
    return header, episodes


def _parse(text):
    if not text:
        return None
    try:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def reference(episodes, start, end):
    """CLA at end, starts, ceased and 3+ placements, written as plainly as possible."""
    eps = []
    seen = set()
    for e in episodes:
        key = (e["CHILD"], e["DECOM"])
        if key in seen:
            continue
        seen.add(key)
        decom = _parse(e["DECOM"])
        if decom is None or e["LS"] in ("V3", "V4"):
            continue
        dec = _parse(e["DEC"])
        eps.append(dict(e, decom=decom, dec=dec, end_excl=dec or date(2025, 4, 1)))
    eps.sort(key=lambda e: (e["CHILD"], e["decom"]))
    cla = {e["CHILD"] for e in eps if e["decom"] <= end < e["end_excl"]}
    starts = {e["CHILD"] for e in eps if e["RNE"] == "S" and start <= e["decom"] <= end}
    ceased = {
        e["CHILD"]
        for e in eps
        if e["dec"] and start <= e["dec"] <= end and e["REC"] not in (None, "X1")
    }
    placements: dict[str, list[list]] = {}
    previous = None
    for e in eps:
        new = (
            previous is None
            or previous["CHILD"] != e["CHILD"]
            or e["RNE"] in ("S", "P", "B", "T", "U")
            or previous["dec"] is None
            or previous["dec"] != e["decom"]
            or previous["REC"] != "X1"
        )
        if new:
            placements.setdefault(e["CHILD"], []).append([e["decom"], e["end_excl"]])
        else:
            placements[e["CHILD"]][-1][1] = max(placements[e["CHILD"]][-1][1], e["end_excl"])
        previous = e
    three_plus = {
        c for c in cla if sum(1 for f, t in placements.get(c, []) if f <= end and t > start) >= 3
    }
    return len(cla), len(starts), len(ceased), len(three_plus)


PERIODS = st.sampled_from(["2024-25", "2024-Q2", "2024-Q4", "rolling-12m:2024-12-31", "2024-10-15"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(council=councils(), period=PERIODS)
def test_polars_measures_agree_with_reference(council, period):
    header, episodes = council
    history = stitch([return_from_rows("2024-25", header=header, episodes=episodes)])
    ids = [
        "cla_at_date",
        "started_in_period",
        "ceased_in_period",
        "stability_three_plus_placements",
    ]
    results = {
        r.id: r
        for r in evaluate(history, period, None, "internal", ids=ids, with_comparators=False)
    }
    p = results["cla_at_date"].period
    cla, starts, ceased, three = reference(episodes, p.start, p.end)
    assert results["cla_at_date"].value == cla
    assert results["started_in_period"].value == starts
    assert results["ceased_in_period"].value == ceased
    assert results["stability_three_plus_placements"].numerator == three
    assert results["stability_three_plus_placements"].denominator == cla
    # breakdowns add up to their totals
    for r in results.values():
        for rows in r.breakdowns.values():
            if r.kind == "count":
                assert sum(row.numerator for row in rows) == r.numerator
            else:
                assert sum(row.denominator for row in rows) == r.denominator
                assert sum(row.numerator for row in rows) == r.numerator


def _small(v):
    return v is not None and 0 < v < 5


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(council=councils(), period=PERIODS)
def test_suppression_never_reveals_a_small_number(council, period):
    header, episodes = council
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
