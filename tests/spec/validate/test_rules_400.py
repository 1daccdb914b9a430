"""Spec tests for DfE 903 rules 406-460: one passing and one failing minimal return per rule."""

from __future__ import annotations

import polars as pl
import pytest
from rule_helpers import context as ctx
from rule_helpers import ep_coded as ep
from rule_helpers import hd, needs_postcodes, rows

from carewise.returns.build import return_from_rows
from carewise.returns.model import Return
from carewise.returns.years import CollectionYear
from carewise.validate.engine import Context, Skip, registered
from carewise.validate.rules import rules_400 as r

Y = 2024


def test_every_400_code_is_registered_for_its_years():
    codes = registered()
    for code in ("406", "426", "437", "442", "452", "460"):
        assert {(v.first_year, v.last_year) for v in codes[code]} == {(2022, 2026)}
    assert {(v.first_year, v.last_year) for v in codes["444"]} == {(2025, 2026)}
    assert {(v.first_year, v.last_year) for v in codes["454"]} == {(2025, 2026)}
    assert {(v.first_year, v.last_year) for v in codes["445"]} == {(2022, 2023)}
    assert {(v.first_year, v.last_year) for v in codes["451"]} == {(2022, 2023)}


# 406-426 ------------------------------------------------------------------------------------


@needs_postcodes
def test_406_passes():
    c = ctx(
        header=[hd(UASC="1"), hd("2", UASC="0")],
        episodes=[ep(PL_POST="M1 1AE"), ep("2", HOME_POST="SW1A 1AA", PL_POST="M1 1AE")],
    )
    assert rows(r.rule_406(c)) == []


@needs_postcodes
def test_406_fails_for_a_child_uasc_last_year():
    c = ctx(
        previous={"header": [hd(UASC="1")]},
        header=[hd(UASC="0")],
        episodes=[ep(HOME_POST="SW1A 1AA", PL_POST="M1 1AE")],
    )
    assert rows(r.rule_406(c)) == [1]


def test_407_passes():
    c = ctx(header=[hd(dob="02/06/2006")], episodes=[ep(dec="01/06/2024", rec="E45")])
    assert rows(r.rule_407(c), "episodes") == []


def test_407_fails():
    c = ctx(header=[hd(dob="01/06/2006")], episodes=[ep(dec="01/06/2024", rec="E48")])
    assert rows(r.rule_407(c), "episodes") == [1]
    assert rows(r.rule_407(c), "header") == [1]


def test_408_passes():
    assert (
        rows(r.rule_408(ctx(episodes=[ep(place="A5", ls="E1"), ep("2", place="A4", ls="V2")])))
        == []
    )


def test_408_fails():
    assert rows(
        r.rule_408(ctx(episodes=[ep(place="A6", ls="C2"), ep("2", place="A5", ls=None)]))
    ) == [
        1,
        2,
    ]


def _with_location(location: str, pl_la: str) -> Context:
    raw = pl.DataFrame(
        {
            "_row": [1],
            "CHILD": ["1"],
            "DECOM": ["01/05/2024"],
            "LS": ["C2"],
            "PLACE": ["U4"],
            "PL_LOCATION": [location],
            "PL_LA": [pl_la],
        }
    )
    return Context(
        CollectionYear(Y), Return(CollectionYear(Y), raw={"episodes": raw}), la_code="E06000001"
    )


def test_411_passes():
    assert rows(r.rule_411(_with_location("IN", "E06000001"))) == []
    assert rows(r.rule_411(_with_location("OUT", "E06000002"))) == []


def test_411_fails():
    assert rows(r.rule_411(_with_location("IN", "E06000002"))) == [1]


def test_411_skips_when_location_is_derived():
    with pytest.raises(Skip):
        r.rule_411(ctx(episodes=[ep()]))


@needs_postcodes
def test_420_passes():
    c = ctx(episodes=[ep(ls="V3"), ep("2", ls="C2", PL_POST="M1 1AE")])
    assert rows(r.rule_420(c)) == []


@needs_postcodes
def test_420_fails():
    assert rows(r.rule_420(ctx(episodes=[ep(ls="V4", PL_POST="M1 1AE")]))) == [1]


def test_426_passes():
    c = ctx(episodes=[ep(ls="V3"), ep(ls="V3", decom="01/06/2024"), ep("2", ls="V4")])
    assert rows(r.rule_426(c)) == []


def test_426_fails():
    c = ctx(
        episodes=[ep(ls="V3"), ep(ls="V4", decom="01/06/2024"), ep(ls="C2", decom="01/07/2024")]
    )
    assert rows(r.rule_426(c)) == [1, 2]


# 431-437 sequences -------------------------------------------------------------------------


def test_431_passes():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="10/05/2024", rec="E13"),
            ep(decom="11/05/2024", rne="S"),
        ]
    )
    assert rows(r.rule_431(c)) == []


def test_431_fails():
    c = ctx(
        episodes=[
            ep(decom="11/05/2024", rne="S"),
            ep(decom="01/05/2024", dec="11/05/2024", rec="E13"),
        ]
    )
    assert rows(r.rule_431(c)) == [1]


def test_432_passes():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="10/05/2024", rec="E13"),
            ep(decom="20/05/2024", rne="S"),
        ]
    )
    assert rows(r.rule_432(c)) == []


def test_432_fails():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="10/05/2024", rec="E4A"),
            ep(decom="20/05/2024", rne="P"),
        ]
    )
    assert rows(r.rule_432(c)) == [2]


def test_433_passes():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="10/05/2024", rec="X1"),
            ep(decom="10/05/2024", rne="P"),
        ]
    )
    assert rows(r.rule_433(c)) == []


def test_433_fails():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="10/05/2024", rec="X1"),
            ep(decom="11/05/2024", dec="12/05/2024", rne="B", rec="X1"),
            ep(decom="12/05/2024", rne="B"),
        ]
    )
    assert rows(r.rule_433(c)) == [2]


def _pair(rne: str, ls2: str, place2: str = "U4", post2: str = "AB1 2CD", urn2=None):
    first = ep(
        decom="01/05/2024",
        dec="10/05/2024",
        rec="X1",
        ls="C1",
        PL_POST="AB1 2CD",
        PLACE_PROVIDER="PR1",
    )
    second = ep(
        decom="10/05/2024",
        rne=rne,
        ls=ls2,
        place=place2,
        PL_POST=post2,
        URN=urn2,
        PLACE_PROVIDER="PR1",
    )
    return ctx(episodes=[first, second])


def test_434_passes():
    assert rows(r.rule_434(_pair("L", "C2"))) == []


@pytest.mark.parametrize("change", [{"ls2": "C1"}, {"ls2": "C2", "post2": "CD3 4EF"}])
def test_434_fails(change):
    assert rows(r.rule_434(_pair("L", **change))) == [2]


def test_435_passes():
    assert rows(r.rule_435(_pair("P", "C1", place2="K2", urn2="SC123456"))) == []


@pytest.mark.parametrize("change", [{"ls2": "C2", "place2": "K2"}, {"ls2": "C1"}])
def test_435_fails(change):
    assert rows(r.rule_435(_pair("P", **change))) == [2]


def test_436_passes():
    assert rows(r.rule_436(_pair("B", "C2", place2="U6"))) == []


@pytest.mark.parametrize("change", [{"ls2": "C1", "place2": "U6"}, {"ls2": "C2"}])
def test_436_fails(change):
    assert rows(r.rule_436(_pair("U", **change))) == [2]


def test_437_passes():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="10/05/2024", rec="X1"),
            ep(decom="10/05/2024", rec="E2", dec="01/06/2024"),
        ]
    )
    assert rows(r.rule_437(c)) == []


def test_437_fails():
    c = ctx(episodes=[ep(decom="01/05/2024", dec="10/05/2024", rec="E15"), ep(decom="10/06/2024")])
    assert rows(r.rule_437(c)) == [1]


# 440-446 -----------------------------------------------------------------------------------


def rv(dob: str, review: str, code: str) -> dict:
    return {"CHILD": "1", "DOB": dob, "REVIEW": review, "REVIEW_CODE": code}


def test_440_passes():
    assert rows(r.rule_440(ctx(reviews=[rv("02/06/2020", "01/06/2024", "PN0")]))) == []


def test_440_fails():
    assert rows(r.rule_440(ctx(reviews=[rv("01/06/2020", "01/06/2024", "PN0")]))) == [1]


def test_441_passes():
    assert rows(r.rule_441(ctx(reviews=[rv("01/06/2020", "01/06/2024", "PN1")]))) == []


def test_441_fails():
    assert rows(r.rule_441(ctx(reviews=[rv("02/06/2020", "01/06/2024", "PN7")]))) == [1]


def test_442_passes():
    c = ctx(header=[hd(UPN="UN1"), hd("2")], episodes=[ep(), ep("2", ls="V3")])
    assert rows(r.rule_442(c)) == []


def test_442_fails():
    c = ctx(header=[hd()], episodes=[ep(ls="V3"), ep(ls="C2", decom="01/06/2024")])
    assert rows(r.rule_442(c)) == [1]


def test_444_passes():
    c = ctx(2025, header=[hd(UPN="UN1"), hd("2", UPN="UN1"), hd("3", UPN="A123456789012")])
    assert rows(r.rule_444(c)) == []


def test_444_fails():
    c = ctx(2025, header=[hd(UPN="A123456789012"), hd("2", UPN="A123456789012"), hd("3")])
    assert rows(r.rule_444(c)) == [1, 2]


def test_445_passes():
    assert rows(r.rule_445(ctx(2022, episodes=[ep(decom="31/12/2005", ls="D1")]))) == []


def test_445_fails():
    assert rows(r.rule_445(ctx(2022, episodes=[ep(decom="01/01/2006", ls="D1")]))) == [1]


def test_446_passes():
    assert rows(r.rule_446(ctx(episodes=[ep(decom="01/12/2005", ls="E1")]))) == []


def test_446_fails():
    assert rows(r.rule_446(ctx(episodes=[ep(decom="30/11/2005", ls="E1")]))) == [1]


# 451-460 -----------------------------------------------------------------------------------


def test_451_passes():
    c = ctx(2023, episodes=[ep(ls="D1", decom="01/01/2005", dec="01/05/2023", rec="E11")])
    assert rows(r.rule_451(c)) == []


def test_451_fails():
    assert rows(r.rule_451(ctx(2023, episodes=[ep(ls="D1", decom="01/01/2005")]))) == [1]


def _across_year_end(post_now: str, home_now: str = "SW1A 1AA"):
    last = [ep(decom="01/05/2023", rne="S", HOME_POST="SW1A 1AA", PL_POST="M1 1AE")]
    now = [ep(decom="01/05/2023", rne="S", HOME_POST=home_now, PL_POST=post_now)]
    return ctx(previous={"episodes": last}, la_code="E09000033", episodes=now)


@needs_postcodes
def test_452_passes():
    assert rows(r.rule_452(_across_year_end("M1 1AE"))) == []


@needs_postcodes
def test_452_fails():
    assert rows(r.rule_452(_across_year_end("CF10 1EP"))) == [1]


def test_452_skips_without_last_year():
    with pytest.raises(Skip):
        r.rule_452(ctx(episodes=[ep()]))


@needs_postcodes
def test_453_passes():
    assert rows(r.rule_453(_across_year_end("M1 1AE"))) == []


@needs_postcodes
def test_453_fails():
    assert rows(r.rule_453(_across_year_end("M1 1AE", home_now="EC1A 1BB"))) == [1]


@needs_postcodes
def test_454_passes():
    c = ctx(2025, episodes=[ep(HOME_POST="SW1A 1AA", PL_POST="M1 1AE")])
    assert rows(r.rule_454(c)) == []


@needs_postcodes
def test_454_fails():
    c = ctx(2025, episodes=[ep(HOME_POST="KW1 4YT", PL_POST="TR18 4AA")])
    assert rows(r.rule_454(c)) == [1]


def test_460_passes():
    c = ctx(header=[hd(dob="01/06/2006")], episodes=[ep(dec="01/06/2024", rec="E17")])
    assert rows(r.rule_460(c)) == []


def test_460_fails():
    c = ctx(header=[hd(dob="02/06/2006")], episodes=[ep(dec="01/06/2024", rec="E17")])
    assert rows(r.rule_460(c)) == [1]


@needs_postcodes
def test_454_leaves_out_children_uasc_two_years_ago():
    c = ctx(2025, header=[hd(UASC="0")], episodes=[ep(HOME_POST="KW1 4YT", PL_POST="TR18 4AA")])
    c.earlier[CollectionYear(2023)] = return_from_rows(2023, uasc=[{"CHILD": "1"}])
    assert rows(r.rule_454(c)) == []
