"""Spec tests for DfE 903 rules 301-399: one passing and one failing minimal return per rule."""

from __future__ import annotations

import pytest
from rule_helpers import context as ctx
from rule_helpers import ep_coded as ep
from rule_helpers import hd, needs_postcodes, rows

from carewise.returns.build import return_from_rows
from carewise.returns.years import CollectionYear
from carewise.validate.engine import Skip, registered
from carewise.validate.rules import rules_300 as r

Y = 2024  # 2024-25 unless a test says otherwise


def test_every_300_code_is_registered_for_its_years():
    codes = registered()
    for code in ("301", "336", "348", "370", "371", "383", "392d", "393", "399"):
        assert code in codes
    assert {(v.first_year, v.last_year) for v in codes["371"]} == {
        (2022, 2022),
        (2023, 2023),
        (2024, 2026),
    }
    assert {(v.first_year, v.last_year) for v in codes["370"]} == {(2022, 2022), (2023, 2023)}
    assert {(v.first_year, v.last_year) for v in codes["348"]} == {(2025, 2026)}


# 301-304 -------------------------------------------------------------------------------


def test_301_passes():
    assert rows(r.rule_301(ctx(header=[hd(dob="31/03/2025")]))) == []


def test_301_fails():
    assert rows(r.rule_301(ctx(header=[hd(dob="01/04/2025")]))) == [1]


def test_302_passes():
    c = ctx(header=[hd(dob="01/05/2024")], episodes=[ep(decom="01/05/2024")])
    assert rows(r.rule_302(c), "episodes") == []


def test_302_fails():
    c = ctx(
        header=[hd(dob="02/05/2024")], episodes=[ep(decom="01/05/2024"), ep(decom="03/05/2024")]
    )
    result = r.rule_302(c)
    assert rows(result, "episodes") == [1]
    assert rows(result, "header") == [1]


def test_303_passes():
    c = ctx(header=[hd(UASC="1")], uasc=[{"CHILD": "1", "DOB": "01/01/2010", "DUC": "01/06/2024"}])
    assert rows(r.rule_303(c), "uasc") == []


def test_303_fails():
    c = ctx(header=[hd(UASC="0")], uasc=[{"CHILD": "1", "DOB": "01/01/2010", "DUC": "01/06/2024"}])
    assert rows(r.rule_303(c), "uasc") == [1]
    assert rows(r.rule_303(c), "header") == [1]


def test_303_skips_without_uasc_column():
    c = ctx(header=[hd()], uasc=[{"CHILD": "1", "DUC": "01/06/2024"}])
    with pytest.raises(Skip):
        r.rule_303(c)


def test_304_passes():
    c = ctx(uasc=[{"CHILD": "1", "DOB": "01/06/2006", "DUC": "01/06/2024"}])
    assert rows(r.rule_304(c)) == []


def test_304_fails():
    c = ctx(uasc=[{"CHILD": "1", "DOB": "01/06/2006", "DUC": "02/06/2024"}])
    assert rows(r.rule_304(c)) == [1]


# 331-336 adoption ------------------------------------------------------------------------


def test_331_passes():
    c = ctx(
        episodes=[ep(decom="01/06/2024", rec="E11", place="A4")],
        ad1=[{"CHILD": "1", "DATE_MATCH": "01/06/2024"}],
    )
    assert rows(r.rule_331(c), "episodes") == []


def test_331_fails():
    c = ctx(
        episodes=[ep(decom="01/06/2024", rec="E12", place="A4")],
        ad1=[{"CHILD": "1", "DATE_MATCH": "02/06/2024"}],
    )
    assert rows(r.rule_331(c), "episodes") == [1]
    assert rows(r.rule_331(c), "ad1") == [1]


def test_333_passes():
    c = ctx(
        ad1=[{"CHILD": "1", "DATE_INT": "01/05/2024", "DATE_MATCH": "01/06/2024"}, {"CHILD": "2"}]
    )
    assert rows(r.rule_333(c)) == []


def test_333_fails():
    c = ctx(
        ad1=[
            {"CHILD": "1", "DATE_INT": "02/06/2024", "DATE_MATCH": "01/06/2024"},
            {"CHILD": "2", "DATE_MATCH": "01/06/2024"},
        ]
    )
    assert rows(r.rule_333(c)) == [1, 2]


def test_334_passes():
    c = ctx(episodes=[ep(decom="01/05/2024")], ad1=[{"CHILD": "1", "DATE_INT": "01/05/2024"}])
    assert rows(r.rule_334(c), "episodes") == []


def test_334_fails():
    c = ctx(
        episodes=[ep(decom="01/01/2020"), ep(decom="01/05/2024")],
        ad1=[{"CHILD": "1", "DATE_INT": "30/04/2024"}],
    )
    assert rows(r.rule_334(c), "episodes") == [2]
    assert rows(r.rule_334(c), "ad1") == [1]


def test_335_passes():
    c = ctx(episodes=[ep(place="A5", rec="E11")], ad1=[{"CHILD": "1", "FOSTER_CARE": "1"}])
    assert rows(r.rule_335(c), "episodes") == []


@pytest.mark.parametrize(("place", "foster"), [("A5", "0"), ("A3", "0"), ("A6", "1"), ("A4", "1")])
def test_335_fails(place, foster):
    c = ctx(episodes=[ep(place=place, rec="E12")], ad1=[{"CHILD": "1", "FOSTER_CARE": foster}])
    assert rows(r.rule_335(c), "episodes") == [1]


def test_336_passes():
    c = ctx(
        episodes=[ep(decom="01/05/2024", place="U4"), ep(decom="01/06/2024", rne="P", place="A5")]
    )
    assert rows(r.rule_336(c)) == []


def test_336_fails():
    c = ctx(
        episodes=[ep(decom="01/06/2024", rne="P", place="A3"), ep(decom="01/05/2024", place="K2")]
    )
    assert rows(r.rule_336(c)) == [1]


# 344-348 care leavers ---------------------------------------------------------------------


def oc3(child="1", dob="01/06/2005", in_touch="YES", activ="F1", accom="B1"):
    return {"CHILD": child, "DOB": dob, "IN_TOUCH": in_touch, "ACTIV": activ, "ACCOM": accom}


def test_344_passes():
    assert rows(r.rule_344(ctx(oc3=[oc3(in_touch="DIED", activ="0", accom="0")]))) == []


def test_344_fails():
    c = ctx(
        oc3=[
            oc3(in_touch="RHOM", activ="F1", accom="0"),
            oc3("2", in_touch="DIED", activ="0", accom=None),
        ]
    )
    assert rows(r.rule_344(c)) == [1, 2]


def test_345_passes():
    assert rows(r.rule_345(ctx(oc3=[oc3()]))) == []


def test_345_fails():
    assert rows(r.rule_345(ctx(oc3=[oc3(accom="0")]))) == [1]


def test_347_passes():
    assert rows(r.rule_347(ctx(oc3=[oc3(dob="01/04/2006", accom="T")]))) == []


def test_347_fails():
    assert rows(r.rule_347(ctx(oc3=[oc3(dob="02/04/2006", accom="T")]))) == [1]


def test_348_passes():
    c = ctx(2025, previous={"oc3": [oc3(in_touch="DIED")]}, oc3=[oc3(in_touch="DIED")])
    assert rows(r.rule_348(c)) == []


def test_348_fails_even_when_death_was_two_years_ago():
    two_back = return_from_rows(2023, oc3=[oc3(in_touch="DIED")])
    c = ctx(2025, previous={"oc3": [oc3(in_touch="DIED")]}, oc3=[oc3(in_touch="YES")])
    assert rows(r.rule_348(c)) == [1]
    c.earlier = {CollectionYear(2023): two_back}
    c.previous = None
    assert rows(r.rule_348(c)) == [1]


def test_348_skips_without_earlier_years():
    with pytest.raises(Skip):
        r.rule_348(ctx(2025, oc3=[oc3()]))


# 351-359 ----------------------------------------------------------------------------------


def test_351_passes():
    assert rows(r.rule_351(ctx(header=[hd(dob="01/04/1999")]))) == []


def test_351_fails():
    assert rows(r.rule_351(ctx(header=[hd(dob="31/03/1999")]))) == [1]


def test_352_passes():
    c = ctx(header=[hd(dob="02/05/2006")], episodes=[ep(decom="01/05/2024", rne="S")])
    assert rows(r.rule_352(c)) == []


def test_352_fails():
    c = ctx(header=[hd(dob="01/05/2006")], episodes=[ep(decom="01/05/2024", rne="S")])
    assert rows(r.rule_352(c)) == [1]


def test_353_passes():
    assert rows(r.rule_353(ctx(episodes=[ep(decom="14/10/1991")]))) == []


def test_353_fails():
    assert rows(r.rule_353(ctx(episodes=[ep(decom="13/10/1991")]))) == [1]


def test_354_passes():
    assert rows(r.rule_354(ctx(episodes=[ep(decom="31/03/2025")]))) == []


def test_354_fails():
    assert rows(r.rule_354(ctx(episodes=[ep(decom="01/04/2025")]))) == [1]


def test_355_passes():
    assert rows(r.rule_355(ctx(episodes=[ep(decom="01/05/2024", dec="02/05/2024")]))) == []


def test_355_fails():
    assert rows(r.rule_355(ctx(episodes=[ep(decom="01/05/2024", dec="01/05/2024")]))) == [1]


def test_356_passes():
    assert rows(r.rule_356(ctx(episodes=[ep(decom="01/05/2024", dec="02/05/2024"), ep("2")]))) == []


def test_356_fails():
    assert rows(r.rule_356(ctx(episodes=[ep(decom="01/05/2024", dec="30/04/2024")]))) == [1]


def test_357_passes():
    c = ctx(episodes=[ep(decom="01/05/2024", rne="S"), ep("2", decom="01/01/2023", rne="P")])
    assert rows(r.rule_357(c)) == []


def test_357_fails():
    c = ctx(episodes=[ep(decom="01/05/2024", rne="P"), ep(decom="01/06/2024", rne="S")])
    assert rows(r.rule_357(c)) == [1]


def test_358_passes():
    c = ctx(header=[hd(dob="01/05/2014")], episodes=[ep(decom="01/05/2024", ls="J1")])
    assert rows(r.rule_358(c), "episodes") == []


def test_358_fails():
    c = ctx(header=[hd(dob="02/05/2014")], episodes=[ep(decom="01/05/2024", ls="J2")])
    assert rows(r.rule_358(c), "episodes") == [1]
    assert rows(r.rule_358(c), "header") == [1]


def test_359_passes():
    c = ctx(header=[hd(dob="01/01/2006")], episodes=[ep(decom="01/05/2023", ls="V2", place="K2")])
    assert rows(r.rule_359(c)) == []


def test_359_fails():
    c = ctx(
        header=[hd(dob="01/01/2006"), hd("2", dob="01/01/2006")],
        episodes=[
            ep(decom="01/05/2023", ls="C2", place="K2"),
            ep("2", ls="C2", dec="01/01/2025", rec="E8"),
        ],
    )
    assert rows(r.rule_359(c)) == [1]


# 361-367 durations -----------------------------------------------------------------------


def test_361_passes():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="03/05/2024", ls="L1", rec="X1"),
            ep(decom="03/05/2024", dec="04/05/2024", ls="L1", rne="P"),
        ]
    )
    assert rows(r.rule_361(c)) == []


def test_361_fails():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="03/05/2024", ls="L1", rec="X1"),
            ep(decom="03/05/2024", dec="05/05/2024", ls="L1", rne="P"),
        ]
    )
    assert rows(r.rule_361(c)) == [1, 2]


def test_362_passes():
    assert rows(r.rule_362(ctx(episodes=[ep(decom="01/05/2024", dec="22/05/2024", ls="L2")]))) == []


def test_362_fails():
    assert rows(r.rule_362(ctx(episodes=[ep(decom="01/05/2024", dec="23/05/2024", ls="L2")]))) == [
        1
    ]


def test_363_passes():
    assert rows(r.rule_363(ctx(episodes=[ep(decom="01/05/2024", dec="08/05/2024", ls="L3")]))) == []


def test_363_fails_when_open_at_year_end():
    assert rows(r.rule_363(ctx(episodes=[ep(decom="01/03/2025", ls="L3")]))) == [1]


def test_364_passes():
    assert rows(r.rule_364(ctx(episodes=[ep(decom="01/05/2024", dec="22/05/2024", ls="J2")]))) == []


def test_364_fails():
    assert rows(r.rule_364(ctx(episodes=[ep(decom="01/05/2024", dec="23/05/2024", ls="J2")]))) == [
        1
    ]


def test_365_passes():
    assert rows(r.rule_365(ctx(episodes=[ep(decom="01/05/2024", dec="18/05/2024", ls="V3")]))) == []


def test_365_fails():
    assert rows(r.rule_365(ctx(episodes=[ep(decom="01/05/2024", dec="19/05/2024", ls="V3")]))) == [
        1
    ]


def test_366_passes():
    assert rows(r.rule_366(ctx(episodes=[ep(ls="V3", rne="S")]))) == []


def test_366_fails():
    assert rows(r.rule_366(ctx(episodes=[ep(ls="V3", rne="P")]))) == [1]


def test_367_passes():
    # 70 + 29 days in all, but only 39 of the first episode fall in the collection year
    c = ctx(
        episodes=[
            ep(decom="01/03/2024", dec="10/05/2024", ls="V3"),
            ep(decom="01/06/2024", dec="30/06/2024", ls="V3"),
        ]
    )
    assert rows(r.rule_367(c)) == []


def test_367_fails():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="10/06/2024", ls="V3"),
            ep(decom="01/07/2024", dec="10/08/2024", ls="V3"),
        ]
    )
    assert rows(r.rule_367(c)) == [1, 2]


# 370-379 placements ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "year", "place", "min_age"),
    [
        (r.rule_370_2022_23, 2022, "P2", 15),
        (r.rule_370_2023_24, 2023, "P2", 16),
        (r.rule_371_2022_23, 2022, "H5", 14),
        (r.rule_371_2023_24, 2023, "H5", 16),
        (r.rule_371_from_2024_25, 2024, "K3", 16),
        (r.rule_372, 2024, "R5", 10),
        (r.rule_373, 2024, "S1", 4),
        (r.rule_374, 2024, "P3", 14),
    ],
)
def test_370_374_minimum_age_at_placement(fn, year, place, min_age):
    decom = f"01/05/{year}"
    on_birthday = ctx(
        year, header=[hd(dob=f"01/05/{year - min_age}")], episodes=[ep(decom=decom, place=place)]
    )
    day_before = ctx(
        year, header=[hd(dob=f"02/05/{year - min_age}")], episodes=[ep(decom=decom, place=place)]
    )
    assert rows(fn(on_birthday)) == []
    assert rows(fn(day_before)) == [1]


def test_370_passes():
    c = ctx(2023, header=[hd(dob="01/05/2007")], episodes=[ep(decom="01/05/2023", place="P2")])
    assert rows(r.rule_370_2023_24(c)) == []


def test_370_fails():
    c = ctx(2022, header=[hd(dob="02/05/2007")], episodes=[ep(decom="01/05/2022", place="P2")])
    assert rows(r.rule_370_2022_23(c)) == [1]


def test_371_passes():
    c = ctx(2024, header=[hd(dob="01/05/2008")], episodes=[ep(decom="01/05/2024", place="K3")])
    assert rows(r.rule_371_from_2024_25(c)) == []


def test_371_fails():
    c = ctx(2023, header=[hd(dob="01/05/2008")], episodes=[ep(decom="01/05/2023", place="H5")])
    assert rows(r.rule_371_2023_24(c)) == [1]
    # the same 15-year-old in H5 was allowed in 2022-23 (minimum 14)
    c22 = ctx(2022, header=[hd(dob="01/05/2007")], episodes=[ep(decom="01/05/2022", place="H5")])
    assert rows(r.rule_371_2022_23(c22)) == []


@pytest.mark.parametrize(
    ("fn", "place", "days"), [(r.rule_375, "T1", 42), (r.rule_376, "T3", 21), (r.rule_379, "T4", 7)]
)
def test_375_376_379_temporary_placement_length(fn, place, days):
    from datetime import date, timedelta

    start = date(2024, 5, 1)
    ok = (start + timedelta(days=days)).strftime("%d/%m/%Y")
    bad = (start + timedelta(days=days + 1)).strftime("%d/%m/%Y")
    assert rows(fn(ctx(episodes=[ep(decom="01/05/2024", dec=ok, place=place, rne="P")]))) == []
    assert rows(fn(ctx(episodes=[ep(decom="01/05/2024", dec=bad, place=place, rne="P")]))) == [1]


def test_375_passes():
    assert (
        rows(r.rule_375(ctx(episodes=[ep(decom="01/05/2024", dec="12/06/2024", place="T1")]))) == []
    )


def test_375_fails():
    assert rows(
        r.rule_375(ctx(episodes=[ep(decom="01/05/2024", dec="13/06/2024", place="T1")]))
    ) == [1]


def test_376_passes():
    assert (
        rows(r.rule_376(ctx(episodes=[ep(decom="01/05/2024", dec="22/05/2024", place="T3")]))) == []
    )


def test_376_fails():
    assert rows(
        r.rule_376(ctx(episodes=[ep(decom="01/05/2024", dec="23/05/2024", place="T3")]))
    ) == [1]


def test_377_passes():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", place="T3"),
            ep(decom="01/06/2024", place="T3"),
            ep("2", place="T3"),
        ]
    )
    assert rows(r.rule_377(c)) == []


def test_377_fails():
    c = ctx(
        episodes=[ep(decom=f"0{m}/05/2024", place="T3") for m in (1, 2, 3)]
        + [ep(decom="09/05/2024")]
    )
    assert rows(r.rule_377(c)) == [1, 2, 3]


def test_378_passes():
    assert rows(r.rule_378(ctx(episodes=[ep(place="P1", ls="C2")]))) == []


def test_378_fails():
    assert rows(r.rule_378(ctx(episodes=[ep(place="P1", ls="V2")]))) == [1]


def test_379_passes():
    assert (
        rows(r.rule_379(ctx(episodes=[ep(decom="01/05/2024", dec="08/05/2024", place="T4")]))) == []
    )


def test_379_fails():
    assert rows(
        r.rule_379(ctx(episodes=[ep(decom="01/05/2024", dec="09/05/2024", place="T4")]))
    ) == [1]


# 380-389 ----------------------------------------------------------------------------------


def test_380_passes():
    assert (
        rows(r.rule_380(ctx(episodes=[ep(place="T1", rne="P"), ep("2", place="T2", rne="B")])))
        == []
    )


def test_380_fails():
    assert rows(r.rule_380(ctx(episodes=[ep(place="T0", rne="S")]))) == [1]


def test_381_passes():
    assert (
        rows(
            r.rule_381(
                ctx(episodes=[ep(place="T1", rec="X1", dec="02/05/2024"), ep("2", place="T1")])
            )
        )
        == []
    )


def test_381_fails():
    assert rows(r.rule_381(ctx(episodes=[ep(place="T1", rec="E13", dec="02/05/2024")]))) == [1]


def test_382_passes():
    assert rows(r.rule_382(ctx(episodes=[ep(place="T1", ls="C2")]))) == []


def test_382_fails():
    assert rows(r.rule_382(ctx(episodes=[ep(place="T1", ls="V4")]))) == [1]


def _temporary(back_place="U4", back_rne="P", back_post="AB1 2CD"):
    return [
        ep(decom="01/05/2024", dec="10/05/2024", rec="X1", place="U4", PL_POST="AB1 2CD"),
        ep(decom="10/05/2024", dec="15/05/2024", rec="X1", rne="P", place="T3", PL_POST="ZZ9 9ZZ"),
        ep(decom="15/05/2024", rne=back_rne, place=back_place, PL_POST=back_post),
    ]


def test_383_passes():
    assert rows(r.rule_383_to_2024_25(ctx(2024, episodes=_temporary()))) == []
    assert rows(r.rule_383_from_2025_26(ctx(2025, episodes=_temporary()))) == []


@pytest.mark.parametrize("change", [{"back_place": "K2"}, {"back_rne": "T"}])
def test_383_fails(change):
    assert rows(r.rule_383_to_2024_25(ctx(2024, episodes=_temporary(**change)))) == [2]
    assert rows(r.rule_383_from_2025_26(ctx(2025, episodes=_temporary(**change)))) == [3]


def test_383_postcode_counts_from_2025_26():
    moved = _temporary(back_post="CD3 4EF")
    assert rows(r.rule_383_to_2024_25(ctx(2024, episodes=moved))) == []
    assert rows(r.rule_383_from_2025_26(ctx(2025, episodes=moved))) == [3]


def test_384_passes():
    assert (
        rows(r.rule_384(ctx(episodes=[ep(place="U4", ls="C2"), ep("2", place="U6", ls="V3")])))
        == []
    )


def test_384_fails():
    assert rows(r.rule_384(ctx(episodes=[ep(place="U1", ls="V3")]))) == [1]


def test_385_passes():
    assert rows(r.rule_385(ctx(episodes=[ep(dec="31/03/2025")]))) == []


def test_385_fails():
    assert rows(r.rule_385(ctx(episodes=[ep(dec="01/04/2025")]))) == [1]


def test_386_passes():
    c = ctx(header=[hd(dob="02/06/2006")], episodes=[ep(dec="01/06/2024", rec="E11", place="A5")])
    assert rows(r.rule_386(c)) == []


def test_386_fails():
    c = ctx(header=[hd(dob="01/06/2006")], episodes=[ep(dec="01/06/2024", rec="E12", place="A5")])
    assert rows(r.rule_386(c)) == [1]


def test_387_passes():
    c = ctx(header=[hd(dob="01/06/2010")], episodes=[ep(dec="01/06/2024", rec="E5")])
    assert rows(r.rule_387(c)) == []


def test_387_fails():
    c = ctx(header=[hd(dob="02/06/2010")], episodes=[ep(dec="01/06/2024", rec="E6")])
    assert rows(r.rule_387(c)) == [1]


def test_388_passes():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="01/06/2024", rec="X1"),
            ep(decom="01/06/2024", rne="P"),
        ]
    )
    assert rows(r.rule_388(c)) == []


def test_388_fails():
    c = ctx(
        episodes=[
            ep(decom="01/05/2024", dec="01/06/2024", rec="X1"),
            ep(decom="02/06/2024", dec="01/07/2024", rne="P", rec="E13"),
            ep(decom="01/07/2024", dec="01/08/2024", rne="S", rec="X1"),
        ]
    )
    assert rows(r.rule_388(c)) == [1, 2, 3]


def test_389_passes():
    c = ctx(header=[hd(dob="01/06/2008")], episodes=[ep(dec="01/06/2024", rec="E7")])
    assert rows(r.rule_389(c)) == []


def test_389_fails():
    c = ctx(header=[hd(dob="02/06/2008")], episodes=[ep(dec="01/06/2024", rec="E7")])
    assert rows(r.rule_389(c)) == [1]


def test_389_without_an_end_date_judges_age_at_31_march():
    """E7 with no DEC: the episode ceased by 31 March at the latest, so a child under 16 then was
    under 16 when it ceased; one already 16 is not judged."""
    c = ctx(
        header=[hd(dob="01/04/2009"), hd(child="2", dob="31/03/2009")],
        episodes=[ep(rec="E7"), ep(child="2", rec="E7")],
    )
    assert rows(r.rule_389(c)) == [1]


# 390-399 ----------------------------------------------------------------------------------


def test_390_passes():
    assert rows(r.rule_390(ctx(episodes=[ep(rec="E11", place="A6", dec="01/06/2024")]))) == []


def test_390_fails():
    assert rows(r.rule_390(ctx(episodes=[ep(rec="E12", place="U4", dec="01/06/2024")]))) == [1]


def test_391_passes():
    assert (
        rows(
            r.rule_391(
                ctx(
                    oc3=[
                        oc3(dob="31/03/2008"),
                        oc3("2", dob="01/04/2008", in_touch=None, activ=None, accom=None),
                    ]
                )
            )
        )
        == []
    )


def test_391_fails():
    assert rows(r.rule_391(ctx(oc3=[oc3(dob="01/04/2008")]))) == [1]


@needs_postcodes
def test_392a_passes():
    c = ctx(
        header=[hd(UASC="0"), hd("2", UASC="1")],
        episodes=[ep(HOME_POST="SW1A 1AA", PL_POST="M1 1AE"), ep("2"), ep("3", ls="V4")],
    )
    assert rows(r.rule_392a(c)) == []


@needs_postcodes
def test_392a_fails():
    c = ctx(episodes=[ep(HOME_POST="SW1A 1AA", PL_POST="ZZ9 9ZZ"), ep("2", HOME_POST="SW1A 1AA")])
    assert rows(r.rule_392a(c)) == [1, 2]


def test_392b_passes():
    c = ctx(
        header=[hd(UASC="0"), hd("2", UASC="1")],
        episodes=[ep(HOME_POST="AB1 2CD", PL_POST="AB1 3CD"), ep("2"), ep("3", ls="V3")],
    )
    assert rows(r.rule_392b(c)) == []


def test_392b_fails():
    c = ctx(header=[hd(UASC="0")], episodes=[ep(HOME_POST="AB1 2CD", PL_POST=None)])
    assert rows(r.rule_392b(c)) == [1]


def test_392b_former_uasc_from_two_years_back_is_exempt():
    c = ctx(header=[hd(UASC="0")], episodes=[ep()])
    assert rows(r.rule_392b(c)) == [1]
    c.earlier = {
        CollectionYear(2022): return_from_rows(2022, uasc=[{"CHILD": "1", "DOB": "01/01/2010"}])
    }
    assert rows(r.rule_392b(c)) == []


@needs_postcodes
def test_392c_passes():
    c = ctx(episodes=[ep(HOME_POST="sw1a1aa", PL_POST="M1 1AE"), ep("2")])
    assert rows(r.rule_392c(c)) == []


@needs_postcodes
def test_392c_fails():
    c = ctx(episodes=[ep(HOME_POST="SW1A 1AA", PL_POST="ZZ9 9ZZ"), ep("2", HOME_POST="NOT A CODE")])
    assert rows(r.rule_392c(c)) == [1, 2]


@needs_postcodes
def test_392c_fails_for_a_made_up_full_postcode_in_a_real_sector():
    """EX24 6VY is well formed and sector EX24 6 exists, but the postcode does not: invalid, and
    no distance is derived from it (392a), rather than taking the sector's centre."""
    c = ctx(episodes=[ep(HOME_POST="EX24 6AA", PL_POST="EX24 6VY"), ep("2", HOME_POST="EX24 6", PL_POST="EX24 6AA")])
    assert rows(r.rule_392c(c)) == [1]
    assert rows(r.rule_392a(c)) == [1]


def test_392d_passes():
    c = ctx(
        episodes=[
            ep(place="P1", HOME_POST="AB1 2CD", PL_POST="AB12CD"),
            ep("2", HOME_POST="AB1 2CD", PL_POST="AB1 3CD"),
        ]
    )
    assert rows(r.rule_392d(c)) == []


def test_392d_fails():
    assert rows(
        r.rule_392d(ctx(episodes=[ep(place="U4", HOME_POST="ab1 2cd", PL_POST="AB1 2CD")]))
    ) == [1]


@pytest.mark.parametrize(("year", "female"), [(2023, "2"), (2024, "F")])
def test_393_passes(year, female):
    c = ctx(
        year,
        header=[hd(sex=female, MOTHER="0"), hd("2", sex=female)],
        episodes=[ep(), ep("2", ls="V3")],
    )
    assert rows(r.rule_393(c)) == []


@pytest.mark.parametrize(("year", "female"), [(2023, "2"), (2024, "F")])
def test_393_fails(year, female):
    c = ctx(year, header=[hd(sex=female)], episodes=[ep()])
    assert rows(r.rule_393(c)) == [1]


def test_398_passes():
    assert rows(r.rule_398(ctx(episodes=[ep(ls="V3"), ep("2", HOME_POST="AB1 2CD")]))) == []


def test_398_fails():
    assert rows(r.rule_398(ctx(episodes=[ep(ls="V4", PL_POST="AB1 2CD")]))) == [1]


def test_399_passes():
    c = ctx(
        header=[hd(MOTHER="0"), hd("2")],
        episodes=[ep(ls="V3"), ep(ls="C2"), ep("2", ls="V4")],
        reviews=[{"CHILD": "1", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN1"}],
    )
    assert rows(r.rule_399(c), "header") == []
    assert rows(r.rule_399(c), "episodes") == []


def test_399_fails():
    c = ctx(
        header=[hd(MOTHER="0")],
        episodes=[ep(ls="V3"), ep(ls="V4")],
        reviews=[{"CHILD": "1", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN1"}],
    )
    result = r.rule_399(c)
    assert rows(result, "header") == [1]
    assert rows(result, "reviews") == [1]
    assert rows(result, "episodes") == [1, 2]


def test_304_leap_day_birthday_is_1_march():
    on = ctx(uasc=[{"CHILD": "1", "DOB": "29/02/2004", "DUC": "01/03/2022"}])
    after = ctx(uasc=[{"CHILD": "1", "DOB": "29/02/2004", "DUC": "02/03/2022"}])
    assert rows(r.rule_304(on)) == []
    assert rows(r.rule_304(after)) == [1]
