"""Spec tests for DfE 903 rules 1000-1016 and 3001: one passing and one failing minimal return each."""

from __future__ import annotations

import polars as pl
import pytest
from rule_helpers import context as make
from rule_helpers import needs_postcodes, run

from carewise.validate import postcodes
from carewise.validate.engine import ProviderLists, Skip


def ep(
    child="1",
    decom="01/05/2024",
    dec=None,
    rne="S",
    rec=None,
    ls="C2",
    place="U1",
    provider="PR1",
    **kw,
):
    row = {
        "CHILD": child,
        "DECOM": decom,
        "DEC": dec,
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": provider,
        "REC": rec,
    }
    row.update(kw)
    return row


def oc3(child="1", dob="01/06/2006", in_touch="YES", activ="F1", accom="U1"):
    return {"CHILD": child, "DOB": dob, "IN_TOUCH": in_touch, "ACTIV": activ, "ACCOM": accom}


def header(child="1", dob="01/06/2006"):
    return {"CHILD": child, "SEX": "M", "DOB": dob, "ETHNIC": "WBRI", "UPN": "UN2"}


# 1000 ----------------------------------------------------------------------------------------------


def test_1000_passes():
    ctx = make(episodes=[ep(dec="01/06/2024", rec="E4A")], oc3=[oc3()])
    assert run("1000", ctx) == {}


def test_1000_fails():
    ctx = make(
        episodes=[ep(child="2")],
        oc3=[oc3(), oc3(child="2")],
        previous={"episodes": [ep(decom="01/05/2023", dec="01/06/2023", rec="E2")]},
    )
    assert run("1000", ctx) == {"oc3": {1}}


# 1001 ----------------------------------------------------------------------------------------------


def test_1001_passes():
    # 14th birthday 01/06/2020, 16th 01/06/2022: looked after 2021-2023, held since 2020-21.
    history = {"episodes": [ep(decom="01/01/2021", dec="01/08/2022", rec="E4A")]}
    ctx = make(
        2024,
        earlier={2020: {"episodes": []}, 2022: history},
        previous={"episodes": []},
        episodes=[],
        oc3=[oc3(dob="01/06/2006")],
        header=[header(dob="01/06/2006")],
    )
    assert run("1001", ctx) == {}


def test_1001_fails():
    short_stay = {"episodes": [ep(decom="01/07/2022", dec="01/08/2022", rec="E4A")]}  # 31 days only
    ctx = make(
        2024,
        earlier={2020: {"episodes": []}, 2022: short_stay},
        previous={"episodes": []},
        episodes=[],
        oc3=[oc3(dob="01/06/2006")],
        header=[header(dob="01/06/2006")],
    )
    assert run("1001", ctx) == {"oc3": {1}}


def test_1001_skips_without_history():
    with pytest.raises(Skip):
        run("1001", make(episodes=[], oc3=[oc3()], header=[header()]))


# 1002 ----------------------------------------------------------------------------------------------


def test_1002_passes():
    ctx = make(
        2024,
        previous={"episodes": [ep(decom="01/01/2023", dec="01/08/2023", rec="E4A")]},
        episodes=[],
        oc3=[oc3(dob="01/06/2007")],
    )
    assert run("1002", ctx) == {}


def test_1002_fails():
    ctx = make(
        2024,
        previous={"episodes": [ep(child="9", decom="01/01/2023")]},
        episodes=[],
        oc3=[oc3(dob="01/06/2007"), oc3(child="2", dob="01/06/2000")],
    )
    # child 2's 16th birthday is before the held years: not judged
    assert run("1002", ctx) == {"oc3": {1}}


# 1003 ----------------------------------------------------------------------------------------------


def test_1003_passes():
    ctx = make(
        episodes=[ep()],
        placed_for_adoption=[{"CHILD": "1", "DOB": "01/01/2020", "DATE_PLACED": "01/07/2024"}],
    )
    assert run("1003", ctx) == {}


def test_1003_fails():
    ctx = make(
        episodes=[ep()],
        placed_for_adoption=[{"CHILD": "1", "DOB": "01/01/2020", "DATE_PLACED": "01/04/2024"}],
    )
    assert run("1003", ctx) == {"placed_for_adoption": {1}, "episodes": {1}}


# 1004-1006 -----------------------------------------------------------------------------------------


def miss(start="01/05/2024", end=None, kind="M"):
    return {"CHILD": "1", "DOB": "01/01/2010", "MISSING": kind, "MIS_START": start, "MIS_END": end}


def test_1004_passes():
    assert run("1004", make(missing=[miss()])) == {}


def test_1004_fails():
    assert run("1004", make(missing=[miss(start=None), miss(start="32/01/2024"), miss()])) == {
        "missing": {1, 2}
    }


def test_1005_passes():
    assert run("1005", make(missing=[miss(end=None), miss(end="02/05/2024")])) == {}


def test_1005_fails():
    assert run("1005", make(missing=[miss(end="not a date")])) == {"missing": {1}}


def test_1006_passes():
    assert run("1006", make(missing=[miss(kind="M"), miss(kind="A")])) == {}


def test_1006_fails():
    assert run("1006", make(missing=[miss(kind="AWAY")])) == {"missing": {1}}


# 1007 / 1016 ---------------------------------------------------------------------------------------


def test_1007_passes():
    # 17th birthday 01/06/2024; left care 01/05/2024, before it
    ctx = make(
        episodes=[ep(decom="01/01/2022", dec="01/05/2024", rec="E4A")], oc3=[oc3(dob="01/06/2007")]
    )
    assert run("1007", ctx) == {}


def test_1007_fails():
    ctx = make(episodes=[ep(decom="01/01/2022")], oc3=[oc3(dob="01/06/2007")])  # still looked after
    assert run("1007", ctx) == {"oc3": {1}}


def test_1016_passes():
    ctx = make(
        episodes=[ep(decom="01/01/2022", dec="01/05/2024", rec="E4A")], oc3=[oc3(dob="01/06/2007")]
    )
    assert run("1016", ctx) == {}


def test_1016_fails():
    ctx = make(
        episodes=[ep(decom="01/01/2022", dec="01/09/2024", rec="E4A")], oc3=[oc3(dob="01/06/2007")]
    )
    assert run("1016", ctx) == {"oc3": {1}}


# 1008 ----------------------------------------------------------------------------------------------


def _providers():
    return ProviderLists(pl.DataFrame({"URN": ["SC123456", "1234567"]}))


def test_1008_passes():
    ctx = make(episodes=[ep(URN="SC123456"), ep(URN="XXXXXXX"), ep(URN=None)])
    ctx.providers = _providers()
    assert run("1008", ctx) == {}


def test_1008_fails():
    ctx = make(episodes=[ep(URN="SC999999"), ep(URN="XXXXXX")])
    ctx.providers = _providers()
    assert run("1008", ctx) == {"episodes": {1, 2}}


# 1009 ----------------------------------------------------------------------------------------------


def test_1009_passes():
    assert run("1009", make(episodes=[ep(REASON_PLACE_CHANGE="CARPL"), ep()])) == {}


def test_1009_fails():
    assert run("1009", make(episodes=[ep(REASON_PLACE_CHANGE="MOVED")])) == {"episodes": {1}}


# 1010-1012 -----------------------------------------------------------------------------------------


def test_1010_passes():
    ctx = make(
        previous={"episodes": [ep(decom="01/05/2023", dec="01/06/2023", rec="E4A")]},
        episodes=[],
        oc3=[oc3()],
    )
    assert run("1010", ctx) == {}


def test_1010_fails():
    ctx = make(
        previous={"episodes": [ep(decom="01/05/2023")]}, episodes=[ep(child="2")], oc3=[oc3()]
    )
    assert run("1010", ctx) == {"oc3": {1}}


def test_1011_passes():
    ctx = make(
        episodes=[ep(dec="01/06/2024", rec="E3", decom="01/05/2024"), ep(decom="01/07/2024")],
        oc3=[oc3()],
    )
    assert run("1011", ctx) == {}


def test_1011_fails():
    ctx = make(episodes=[ep(dec="01/06/2024", rec="E3")], oc3=[oc3()])
    assert run("1011", ctx) == {"oc3": {1}}


def test_1012_passes():
    ctx = make(
        episodes=[ep()], reviews=[{"CHILD": "1", "DOB": "01/01/2010", "REVIEW": "01/06/2024"}]
    )
    assert run("1012", ctx) == {}


def test_1012_fails():
    ctx = make(
        episodes=[ep()],
        oc3=[oc3(child="2")],
        reviews=[{"CHILD": "2", "DOB": "01/01/2006", "REVIEW": "01/06/2024"}],
        oc2=[{"CHILD": "1", "DOB": "01/01/2010"}, {"CHILD": "2", "DOB": "01/01/2006"}],
    )
    assert run("1012", ctx) == {"reviews": {1}, "oc2": {2}}


# 1014 ----------------------------------------------------------------------------------------------


def test_1014_passes():
    ctx = make(
        episodes=[ep()],
        oc3=[oc3()],
        uasc=[{"CHILD": "1", "SEX": "M", "DOB": "01/06/2006", "DUC": "01/06/2024"}],
    )
    assert run("1014", ctx) == {}


def test_1014_fails():
    ctx = make(
        episodes=[ep(decom="01/01/2023", dec="01/02/2024", rec="E4A")],
        oc3=[oc3()],
        uasc=[{"CHILD": "1", "SEX": "M", "DOB": "01/06/2006", "DUC": "01/06/2024"}],
    )
    assert run("1014", ctx) == {"uasc": {1}, "oc3": {1}}


# 1015 ----------------------------------------------------------------------------------------------


@needs_postcodes
@pytest.mark.parametrize("year", [2024, 2025])
def test_1015_passes(year):
    rows = [
        ep(
            decom=f"01/05/{year}", place="K2", PL_POST="M1 1AE", HOME_POST="M1 1AE"
        ),  # inside Manchester
        ep(
            decom=f"01/05/{year}", place="U4", PL_POST="CB2 1TN"
        ),  # own foster carer elsewhere: exempt
    ]
    ctx = make(year, episodes=rows)
    ctx.la_code = "E08000003"
    assert run("1015", ctx) == {}


@needs_postcodes
@pytest.mark.parametrize("year", [2024, 2025])
def test_1015_fails(year):
    ctx = make(year, episodes=[ep(decom=f"01/05/{year}", place="K2", PL_POST="CB2 1TN")])
    ctx.la_code = "E08000003"
    assert run("1015", ctx) == {"episodes": {1}}


def test_1015_k3_exempt_from_2025():
    if not postcodes.available():
        pytest.skip("postcode directory not installed")
    for year, expected in ((2024, {"episodes": {1}}), (2025, {})):
        ctx = make(year, episodes=[ep(decom=f"01/05/{year}", place="K3", PL_POST="CB2 1TN")])
        ctx.la_code = "E08000003"
        assert run("1015", ctx) == expected


def test_1015_skips_without_council():
    with pytest.raises(Skip):
        run("1015", make(episodes=[ep(place="K2")]))


# 3001 ----------------------------------------------------------------------------------------------


def test_3001_passes():
    ctx = make(
        header=[header(dob="01/06/2006")],
        oc3=[oc3(dob="01/06/2006", accom="Z1"), oc3(child="2", dob="01/06/2007")],
    )
    assert run("3001", ctx) == {}


def test_3001_fails():
    ctx = make(header=[header(dob="01/06/2007")], oc3=[oc3(dob="01/06/2007", accom="Z2")])
    assert run("3001", ctx) == {"oc3": {1}}
