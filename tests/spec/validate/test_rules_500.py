"""Spec tests for DfE 903 rules 500-599: one passing and one failing minimal return per rule."""

from __future__ import annotations

import pytest
from rule_helpers import ep_short as ep
from rule_helpers import needs_postcodes
from rule_helpers import run_tables as run

from carewise.returns.years import CollectionYear
from carewise.validate import postcodes
from carewise.validate.engine import Skip, registered

Y = "2024-25"


# --- 501 -------------------------------------------------------------------------------------


def test_501_passes():
    eps = [ep("1", "01/05/2024", "10/05/2024"), ep("1", "10/05/2024")]
    assert run("501", episodes=eps) == {}


def test_501_fails():
    eps = [ep("1", "01/05/2024", "10/05/2024"), ep("1", "09/05/2024")]
    assert run("501", episodes=eps) == {"episodes": [2]}


# --- 502, 503*, 562: last year's open episode -------------------------------------------------

LAST_OPEN = {
    "episodes": [
        ep("1", "01/01/2023", "01/02/2024", RNE="S", LS="C2", CIN="N1", PLACE="U1", REC="X1"),
        ep(
            "1",
            "01/02/2024",
            RNE="P",
            LS="C2",
            CIN="N1",
            PLACE="H5",
            PLACE_PROVIDER="PR1",
            URN="SC1",
            HOME_POST="SW1A 1AA",
            PL_POST="SW1A 2AA",
        ),
    ]
}


def this_year(**kw) -> list[dict]:
    base = dict(
        RNE="P",
        LS="C2",
        CIN="N1",
        PLACE="H5",
        PLACE_PROVIDER="PR1",
        URN="SC1",
        HOME_POST="SW1A 1AA",
        PL_POST="SW1A 2AA",
    )
    base.update(kw)
    return [ep("1", "01/02/2024", "01/06/2024", **base), ep("1", "01/06/2024", RNE="P")]


def test_502_passes():
    assert run("502", last=LAST_OPEN, episodes=this_year()) == {}


def test_502_fails():
    eps = [ep("1", "02/02/2024")]
    assert run("502", last=LAST_OPEN, episodes=eps) == {"episodes": [1]}


def test_502_skips_without_last_year():
    with pytest.raises(Skip):
        run("502", episodes=this_year())


CHANGED_503 = [
    ("503A", "RNE", "L"),
    ("503B", "LS", "E1"),
    ("503C", "CIN", "N2"),
    ("503E", "PLACE_PROVIDER", "PR2"),
    ("503F", "URN", "SC2"),
    ("503D", "PLACE", "U4"),
]


@pytest.mark.parametrize("code,field,value", CHANGED_503)
def test_503_passes(code, field, value):
    assert run(code, "2023-24", last=LAST_OPEN, episodes=this_year()) == {}


@pytest.mark.parametrize("code,field,value", CHANGED_503)
def test_503_fails(code, field, value):
    eps = this_year(**{field: value})
    assert run(code, "2023-24", last=LAST_OPEN, episodes=eps) == {"episodes": [1]}


def test_503D_passes_h5_recoded_k3_from_2024():
    assert run("503D", "2024-25", last=LAST_OPEN, episodes=this_year(PLACE="K3")) == {}


def test_503D_fails_other_change_from_2024():
    eps = this_year(PLACE="U4")
    assert run("503D", "2024-25", last=LAST_OPEN, episodes=eps) == {"episodes": [1]}


def test_503D_fails_k3_before_2024():
    eps = this_year(PLACE="K3")
    assert run("503D", "2023-24", last=LAST_OPEN, episodes=eps) == {"episodes": [1]}


def _z1_open_last_year(place: str) -> tuple[dict, list[dict]]:
    first = dict(RNE="P", LS="C2", CIN="N1", PLACE_PROVIDER=None)
    last = {"episodes": [ep("1", "01/02/2025", PLACE="Z1", **first)]}
    return last, [ep("1", "01/02/2025", PLACE=place, **first)]


@pytest.mark.parametrize("place", ["Z11", "Z12", "Z13", "Z14"])
def test_503D_passes_z1_recoded_from_2025(place):
    """Z1 ("other placements") was split into Z11-Z14 in 2025-26: a re-coding, not a change."""
    last, eps = _z1_open_last_year(place)
    assert run("503D", "2025-26", last=last, episodes=eps) == {}


def test_503D_fails_z1_becoming_another_placement_in_2025():
    last, eps = _z1_open_last_year("U4")
    assert run("503D", "2025-26", last=last, episodes=eps) == {"episodes": [1]}


WESTMINSTER = "E09000033"


@needs_postcodes
@pytest.mark.parametrize("code", ["503G", "503H", "503J"])
def test_503_postcode_fields_pass(code):
    assert run(code, last=LAST_OPEN, la_code=WESTMINSTER, episodes=this_year()) == {}


@needs_postcodes
@pytest.mark.parametrize("code", ["503G", "503H", "503J"])
def test_503_postcode_fields_fail(code):
    eps = this_year(PL_POST="M1 1AE")  # Manchester: farther, another authority, outside
    assert run(code, last=LAST_OPEN, la_code=WESTMINSTER, episodes=eps) == {"episodes": [1]}


@pytest.mark.parametrize("code", ["503G", "503H", "503J"])
def test_503_postcode_fields_skip_without_directory(code, monkeypatch):
    monkeypatch.setattr(postcodes, "available", lambda: False)
    with pytest.raises(Skip, match="postcode"):
        run(code, last=LAST_OPEN, la_code=WESTMINSTER, episodes=this_year())


def test_503J_skips_without_council_code():
    with pytest.raises(Skip, match="council"):
        run("503J", last=LAST_OPEN, episodes=this_year())


def test_562_passes():
    assert run("562", last=LAST_OPEN, episodes=this_year()) == {}


def test_562_fails():
    eps = [ep("1", "15/01/2024", "01/06/2024")]
    assert run("562", last=LAST_OPEN, episodes=eps) == {"episodes": [1]}


# --- 504 -------------------------------------------------------------------------------------


def test_504_passes():
    eps = [ep("1", "01/05/2024", "10/05/2024", REC="X1", CIN="N1"), ep("1", "10/05/2024", CIN="N1")]
    assert run("504", episodes=eps) == {}


def test_504_fails():
    eps = [ep("1", "01/05/2024", "10/05/2024", REC="X1", CIN="N1"), ep("1", "10/05/2024", CIN="N2")]
    assert run("504", episodes=eps) == {"episodes": [2]}


# --- AD1 adopters ---------------------------------------------------------------------------


def ad(**kw) -> dict:
    return {"CHILD": "1", **kw}


@pytest.mark.parametrize(
    "code,good,bad",
    [
        ("511", {"NB_ADOPTR": "2", "SEX_ADOPTR": "MF"}, {"NB_ADOPTR": "2", "SEX_ADOPTR": "M1"}),
        ("514", {"LS_ADOPTR": "L0", "SEX_ADOPTR": "F1"}, {"LS_ADOPTR": "L0", "SEX_ADOPTR": "FF"}),
        ("517", {"LS_ADOPTR": "L3", "SEX_ADOPTR": "MF"}, {"LS_ADOPTR": "L3", "SEX_ADOPTR": "MM"}),
        ("518", {"LS_ADOPTR": "L4", "SEX_ADOPTR": "FF"}, {"LS_ADOPTR": "L4", "SEX_ADOPTR": "MF"}),
        ("519", {"LS_ADOPTR": "L2", "SEX_ADOPTR": "MM"}, {"LS_ADOPTR": "L2", "SEX_ADOPTR": "M1"}),
        ("520", {"LS_ADOPTR": "L11", "SEX_ADOPTR": "MF"}, {"LS_ADOPTR": "L11", "SEX_ADOPTR": "FF"}),
        ("524", {"LS_ADOPTR": "L12", "SEX_ADOPTR": "MM"}, {"LS_ADOPTR": "L12", "SEX_ADOPTR": "MF"}),
    ],
)
def test_adopters_pass_and_fail(code, good, bad):
    assert run(code, ad1=[ad(**good)]) == {}
    assert run(code, ad1=[ad(**good), ad(CHILD="2", **bad)]) == {"ad1": [2]}


@pytest.mark.parametrize("code", ["511", "514", "517", "518", "519", "520", "524"])
def test_511_to_524_pass_without_adopters(code):
    assert run(code, ad1=[ad(NB_ADOPTR="1", LS_ADOPTR=None, SEX_ADOPTR=None)]) == {}


def test_516_passes():
    assert run("516", episodes=[ep("1", "01/05/2024", "01/06/2024", REC="E45", PLACE="U1")]) == {}


def test_516_fails():
    assert run("516", episodes=[ep("1", "01/05/2024", "01/06/2024", REC="E46", PLACE="K2")]) == {
        "episodes": [1]
    }


def test_521_passes():
    eps = [ep("1", "01/06/2024", PLACE="A4")]
    assert run("521", episodes=eps, ad1=[ad(DATE_INT="01/05/2024")]) == {}


def test_521_fails():
    eps = [ep("1", "01/06/2024", PLACE="A4")]
    assert run("521", episodes=eps, ad1=[ad(DATE_INT="02/06/2024")]) == {
        "episodes": [1],
        "ad1": [1],
    }


def pa(child: str = "1", placed: str | None = "01/05/2024", ceased=None, reason=None) -> dict:
    return {
        "CHILD": child,
        "DATE_PLACED": placed,
        "DATE_PLACED_CEASED": ceased,
        "REASON_PLACED_CEASED": reason,
    }


def test_522_passes():
    assert run("522", placed_for_adoption=[pa(ceased="01/05/2024", reason="RD1")]) == {}


def test_522_fails():
    assert run("522", placed_for_adoption=[pa(ceased="30/04/2024", reason="RD1")]) == {
        "placed_for_adoption": [1]
    }


def test_523_passes():
    assert run("523", ad1=[ad(DATE_INT="01/05/2024")], placed_for_adoption=[pa()]) == {}


def test_523_fails():
    assert run("523", ad1=[ad(DATE_INT="02/05/2024")], placed_for_adoption=[pa()]) == {
        "ad1": [1],
        "placed_for_adoption": [1],
    }


def test_525_passes_when_an_earlier_decision_ceased():
    decisions = [
        pa(placed="01/01/2023", ceased="01/02/2023", reason="RD1"),
        pa(placed="01/05/2024"),
    ]
    assert run("525", placed_for_adoption=decisions, ad1=[ad(DATE_INT="01/05/2024")]) == {}


def test_525_fails():
    decisions = [pa(ceased="01/06/2024", reason="RD1")]
    assert run("525", placed_for_adoption=decisions, ad1=[ad(DATE_MATCH="01/07/2024")]) == {
        "placed_for_adoption": [1],
        "ad1": [1],
    }


# --- placement providers ------------------------------------------------------------------


@pytest.mark.parametrize("year,place", [("2024-25", "Z1"), ("2025-26", "Z11"), ("2022-23", "T1")])
def test_526_passes(year, place):
    assert run("526", year, episodes=[ep("1", "01/05/2024", PLACE=place)]) == {}


@pytest.mark.parametrize("year,place", [("2024-25", "U1"), ("2025-26", "Z1")])
def test_526_fails(year, place):
    assert run("526", year, episodes=[ep("1", "01/05/2024", PLACE=place)]) == {"episodes": [1]}


@pytest.mark.parametrize(
    "code,provider,good_place,bad_place",
    [
        ("527", "PR1", "U1", "R5"),
        ("528", "PR2", "K2", "P1"),
        ("529", "PR3", "R1", "A5"),
        ("530", "PR4", "K2", "P1"),
        ("531", "PR5", "K2", "P1"),
        ("550", "PR0", "P1", "U1"),
    ],
)
def test_providers_pass_and_fail(code, provider, good_place, bad_place):
    good = ep("1", "01/05/2024", PLACE=good_place, PLACE_PROVIDER=provider)
    bad = ep("2", "01/05/2024", PLACE=bad_place, PLACE_PROVIDER=provider)
    assert run(code, episodes=[good]) == {}
    assert run(code, episodes=[good, bad]) == {"episodes": [2]}


# --- OC2 ------------------------------------------------------------------------------------

IN_CARE_ALL_YEAR = [ep("1", "01/01/2020", RNE="S", LS="C2")]


def oc2(dob: str, **kw) -> dict:
    return {"CHILD": "1", "DOB": dob, **kw}


def test_542_passes():
    assert run("542", oc2=[oc2("01/01/2010", CONVICTED="0")]) == {}


def test_542_fails():
    assert run("542", oc2=[oc2("01/04/2015", CONVICTED="0")]) == {"oc2": [1]}


def test_543_passes():
    assert run("543", oc2=[oc2("01/01/2010", CONVICTED="0")], episodes=IN_CARE_ALL_YEAR) == {}


def test_543_passes_when_not_in_care_all_year():
    eps = [ep("1", "01/06/2024", RNE="S", LS="C2")]
    assert run("543", oc2=[oc2("01/01/2010")], episodes=eps) == {}


def test_543_fails():
    assert run("543", oc2=[oc2("01/01/2010")], episodes=IN_CARE_ALL_YEAR) == {"oc2": [1]}


HEALTH = dict(IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="1", SUBSTANCE_MISUSE="0")


@pytest.mark.parametrize("code,trigger", [("544", "CONVICTED"), ("547", "HEALTH_CHECK")])
def test_544_547_pass_and_fail(code, trigger):
    assert run(code, oc2=[oc2("01/01/2010", **{trigger: "1"}, **HEALTH)]) == {}
    partial = {**HEALTH, "TEETH_CHECK": None}
    assert run(code, oc2=[oc2("01/01/2010", **{trigger: "0"}, **partial)]) == {"oc2": [1]}


def test_545_passes():
    assert run("545", oc2=[oc2("01/01/2022", HEALTH_CHECK="1")], episodes=IN_CARE_ALL_YEAR) == {}


def test_545_fails():
    assert run("545", oc2=[oc2("01/01/2022")], episodes=IN_CARE_ALL_YEAR) == {"oc2": [1]}


def test_546_passes():
    assert run("546", oc2=[oc2("01/01/2015")], episodes=IN_CARE_ALL_YEAR) == {}


def test_546_fails():
    assert run("546", oc2=[oc2("01/01/2015", HEALTH_CHECK="1")], episodes=IN_CARE_ALL_YEAR) == {
        "oc2": [1]
    }


# --- placed for adoption ------------------------------------------------------------------


def test_551_passes():
    eps = [ep("1", "01/06/2024", PLACE="A5")]
    assert run("551", episodes=eps, placed_for_adoption=[pa()]) == {}


def test_551_fails():
    eps = [ep("1", "01/06/2024", PLACE="A5")]
    assert run("551", episodes=eps, placed_for_adoption=[pa(placed=None)]) == {"episodes": [1]}


def test_552_passes():
    eps = [ep("1", "01/06/2024", PLACE="A5")]
    assert run("552", episodes=eps, placed_for_adoption=[pa()]) == {}


def test_552_fails():
    eps = [ep("1", "01/06/2024", PLACE="A5")]
    assert run("552", episodes=eps, placed_for_adoption=[pa(placed="02/06/2024")]) == {
        "episodes": [1],
        "placed_for_adoption": [1],
    }


@pytest.mark.parametrize("code,ls,year", [("553", "E1", Y), ("555", "D1", "2023-24")])
def test_553_555_pass(code, ls, year):
    eps = [ep("1", "01/06/2024", LS=ls)]
    assert run(code, year, episodes=eps, placed_for_adoption=[pa()]) == {}


@pytest.mark.parametrize("code,ls,year", [("553", "E1", Y), ("555", "D1", "2023-24")])
def test_553_555_fail(code, ls, year):
    eps = [ep("1", "01/06/2024", LS=ls), ep("2", "01/06/2024", LS=ls)]
    decisions = [pa(placed=None, child="9"), pa(child="2", ceased="01/07/2024", reason="RD1")]
    assert run(code, year, episodes=eps, placed_for_adoption=decisions) == {
        "episodes": [1],
        "placed_for_adoption": [2],
    }


def test_555_556_not_registered_from_2024():
    y = CollectionYear(2024)
    assert not [r for c in ("555", "556") for r in registered()[c] if r.applies_to(y)]


@pytest.mark.parametrize("code,ls,year", [("554", "E1", Y), ("556", "D1", "2023-24")])
def test_554_556_pass_and_fail(code, ls, year):
    eps = [ep("1", "01/06/2024", LS=ls)]
    assert run(code, year, episodes=eps, placed_for_adoption=[pa()]) == {}
    assert run(code, year, episodes=eps, placed_for_adoption=[pa(placed="02/06/2024")]) == {
        "episodes": [1],
        "placed_for_adoption": [1],
    }


@pytest.mark.parametrize("year", ["2023-24", "2024-25"])
def test_557_passes(year):
    eps = [ep("1", "01/06/2024", "01/08/2024", LS="E1", REC="E13")]
    done = [pa(ceased="01/08/2024", reason="RD1")]
    assert run("557", year, episodes=eps, placed_for_adoption=done) == {}


@pytest.mark.parametrize("year,ls,fails", [("2023-24", "D1", True), ("2024-25", "D1", False)])
def test_557_fails_and_d1_dropped_from_2024(year, ls, fails):
    eps = [ep("1", "01/06/2024", "01/08/2024", LS=ls, REC="E13")]
    expected = {"episodes": [1], "placed_for_adoption": [1]} if fails else {}
    assert run("557", year, episodes=eps, placed_for_adoption=[pa()]) == expected


def test_558_passes():
    eps = [ep("1", "01/06/2024", "01/08/2024", REC="E11")]
    assert run("558", episodes=eps, placed_for_adoption=[pa()]) == {}


def test_558_fails():
    eps = [ep("1", "01/06/2024", "01/08/2024", REC="E11")]
    decisions = [pa(ceased="01/08/2024", reason="RD1")]
    assert run("558", episodes=eps, placed_for_adoption=decisions) == {
        "episodes": [1],
        "placed_for_adoption": [1],
    }


def test_558_looks_at_the_latest_episode():
    """An E11/E12 on an earlier episode followed by more care is not "has been adopted"."""
    eps = [
        ep("1", "01/05/2024", "01/06/2024", REC="E12"),
        ep("1", "01/07/2024", None),
        ep("2", "01/05/2024", "01/06/2024", REC="X1"),
        ep("2", "01/06/2024", "01/08/2024", REC="E11"),
    ]
    decisions = [pa(ceased="01/06/2024", reason="RD1"), pa("2", ceased="01/07/2024", reason="RD1")]
    assert run("558", episodes=eps, placed_for_adoption=decisions) == {
        "episodes": [4],
        "placed_for_adoption": [2],
    }


def test_559_passes():
    last = {"placed_for_adoption": [pa(placed="01/03/2024")]}
    assert run("559", last=last, placed_for_adoption=[pa(placed="01/03/2024")]) == {}


def test_559_fails():
    last = {"placed_for_adoption": [pa(placed=None)]}
    assert run("559", last=last, placed_for_adoption=[pa(placed="01/03/2024")]) == {
        "placed_for_adoption": [1]
    }


def test_560_passes():
    last = {"placed_for_adoption": [pa(placed="01/03/2024")]}
    assert run("560", last=last, placed_for_adoption=[pa(placed="01/03/2024")]) == {}


def test_560_fails():
    last = {"placed_for_adoption": [pa(placed="01/03/2024")]}
    assert run("560", last=last, placed_for_adoption=[pa(placed="02/03/2024")]) == {
        "placed_for_adoption": [1]
    }


def test_561_passes():
    last = {"placed_for_adoption": [pa(placed="01/03/2023", ceased="01/04/2023", reason="RD1")]}
    assert run("561", last=last, placed_for_adoption=[pa(placed="01/06/2024")]) == {}


def test_561_fails():
    last = {"placed_for_adoption": [pa(placed="01/03/2023", ceased="01/04/2023", reason="RD1")]}
    assert run("561", last=last, placed_for_adoption=[pa(placed="01/03/2023")]) == {
        "placed_for_adoption": [1]
    }


def test_563_passes():
    assert run("563", placed_for_adoption=[pa(ceased="01/06/2024", reason="RD1")]) == {}


def test_563_fails():
    assert run("563", placed_for_adoption=[pa(placed=None, ceased="01/06/2024", reason="RD1")]) == {
        "placed_for_adoption": [1]
    }


def test_579_passes():
    decisions = [
        pa(placed="01/01/2024", ceased="01/02/2024", reason="RD1"),
        pa(placed="01/02/2024"),
    ]
    assert run("579", placed_for_adoption=decisions) == {}


def test_579_fails():
    decisions = [pa(placed="01/01/2024"), pa(placed="01/02/2024")]
    assert run("579", placed_for_adoption=decisions) == {"placed_for_adoption": [2]}


def test_583_passes():
    decisions = [
        pa(placed="01/01/2024", ceased="01/02/2024", reason="RD1"),
        pa(placed="01/05/2024"),
    ]
    assert run("583", placed_for_adoption=decisions) == {}


def test_583_fails():
    decisions = [pa(placed="01/01/2024"), pa(placed="01/05/2024", ceased="01/06/2024")]
    assert run("583", placed_for_adoption=decisions) == {"placed_for_adoption": [1]}


def test_584_passes():
    last = {"placed_for_adoption": [pa(placed="01/03/2023", ceased="01/04/2023", reason="RD1")]}
    assert run("584", last=last, placed_for_adoption=[pa(placed="01/06/2024")]) == {}


def test_584_fails():
    last = {"placed_for_adoption": [pa(placed="01/03/2023", ceased="01/04/2023", reason="RD1")]}
    assert run("584", last=last, placed_for_adoption=[pa(placed="01/01/2023")]) == {
        "placed_for_adoption": [1]
    }


# --- missing / away -----------------------------------------------------------------------


def mis(start: str | None, end: str | None = None, child: str = "1", **kw) -> dict:
    return {
        "CHILD": child,
        "DOB": "01/01/2010",
        "MISSING": "M",
        "MIS_START": start,
        "MIS_END": end,
        **kw,
    }


def test_564_passes():
    assert run("564", missing=[mis("01/06/2024")]) == {}


def test_564_fails():
    assert run("564", missing=[mis(None, "01/06/2024")]) == {"missing": [1]}


def test_565_passes():
    assert run("565", missing=[mis("01/06/2024")]) == {}


def test_565_fails():
    assert run("565", missing=[mis("01/06/2024", MISSING=None)]) == {"missing": [1]}


def test_566_passes():
    assert run("566", missing=[mis("01/06/2024", "02/06/2024")]) == {}


def test_566_fails():
    assert run("566", missing=[mis("01/06/2024", "02/06/2024", MISSING=None)]) == {"missing": [1]}


def test_567_passes():
    assert run("567", missing=[mis("01/06/2024", "01/06/2024")]) == {}


def test_567_fails():
    assert run("567", missing=[mis("02/06/2024", "01/06/2024")]) == {"missing": [1]}


def test_570_passes():
    assert run("570", missing=[mis("31/03/2025")]) == {}


def test_570_fails():
    assert run("570", missing=[mis("01/04/2025")]) == {"missing": [1]}


def test_571_passes():
    assert run("571", missing=[mis("01/03/2024", "01/04/2024")]) == {}


def test_571_fails():
    assert run(
        "571", missing=[mis("01/03/2024", "31/03/2024"), mis("01/03/2025", "01/04/2025")]
    ) == {"missing": [1, 2]}


def test_574_passes():
    assert run("574", missing=[mis("01/06/2024", "05/06/2024"), mis("05/06/2024")]) == {}


def test_574_fails():
    periods = [mis("01/06/2024"), mis("03/06/2024", "04/06/2024"), mis("10/06/2024")]
    assert run("574", missing=periods) == {"missing": [2, 3]}


def test_575_passes():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="X1"), ep("1", "01/07/2024")]
    assert run("575", episodes=eps, missing=[mis("01/06/2024", "02/06/2024")]) == {}


def test_575_fails():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="X1"), ep("1", "01/07/2024")]
    assert run("575", episodes=eps, missing=[mis("01/06/2024")]) == {"missing": [1]}


def test_576_passes():
    last = {"missing": [mis("01/03/2024")]}
    assert run("576", last=last, missing=[mis("01/03/2024", "05/04/2024")]) == {}


def test_576_fails():
    last = {"missing": [mis("01/03/2024")]}
    assert run("576", last=last, missing=[mis("02/03/2024", "05/04/2024")]) == {"missing": [1]}


def test_577_passes():
    assert run("577", episodes=[ep("1", "01/05/2024")], missing=[mis("01/06/2024")]) == {}


def test_577_fails():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="E13")]
    assert run("577", episodes=eps, missing=[mis("01/06/2024")]) == {"missing": [1]}


def test_578_passes():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="E13")]
    assert run("578", episodes=eps, missing=[mis("01/07/2024", "02/07/2024")]) == {}


def test_578_fails():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="E13")]
    assert run("578", episodes=eps, missing=[mis("02/07/2024", "03/07/2024")]) == {"missing": [1]}


def test_580_passes():
    eps = [ep("1", "01/05/2024", "01/06/2024", REC="E8")]
    missing = [mis("20/05/2024", "01/06/2024", DOB="01/06/2006")]
    assert run("580", episodes=eps, missing=missing) == {}


def test_580_fails():
    eps = [ep("1", "01/05/2024", "01/06/2024", REC="E17")]
    missing = [mis("20/05/2024", "01/06/2024", DOB="01/06/2006")]
    assert run("580", episodes=eps, missing=missing) == {"episodes": [1]}


def test_581_passes():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="E13")]
    assert run("581", episodes=eps, missing=[mis("01/05/2024", "02/05/2024")]) == {}


def test_581_fails():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="E13")]
    assert run("581", episodes=eps, missing=[mis("30/04/2024", "02/05/2024")]) == {"missing": [1]}


def test_582_passes():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="E12")]
    assert run("582", episodes=eps, ad1=[ad(DATE_MATCH="01/06/2024")]) == {}


def test_582_fails():
    eps = [ep("1", "01/05/2024", "01/07/2024", REC="E12")]
    assert run("582", episodes=eps, ad1=[ad(DATE_MATCH="01/07/2024")]) == {"episodes": [1]}


def test_586_passes():
    assert run("586", missing=[mis("02/01/2010", DOB="01/01/2010")]) == {}


def test_586_fails():
    assert run("586", missing=[mis("01/01/2010", DOB="01/01/2010")]) == {"missing": [1]}
