"""Spec tests for DfE 903 rules 200-299: one passing and one failing minimal return per rule."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from rule_helpers import YEARS, episode_row, fails, header_row, needs_postcodes, run
from rule_helpers import context as make

from carewise.returns.build import return_from_rows
from carewise.returns.years import CollectionYear
from carewise.validate.engine import Context, Skip, registered


def header(**kw) -> dict:
    return header_row(**{"UPN": "A123456789012", **kw})


def ep(**kw) -> dict:
    return episode_row(**{"URN": "SC123456", **kw})


def providers(**cols) -> pl.DataFrame:
    base = {"URN": ["SC123456"]}
    base.update(cols)
    return pl.DataFrame(base)


# --- agreement with earlier years --------------------------------------------------------------


def test_202_passes():
    ctx = make(2024, previous={"header": [header(SEX="1")]}, header=[header(SEX="M")])
    assert fails("202", ctx) == set()


def test_202_fails():
    ctx = make(2024, previous={"header": [header(SEX="2")]}, header=[header(SEX="M")])
    assert fails("202", ctx) == {1}


@pytest.mark.parametrize("year", [2023, 2025])
def test_202_same_coding_years(year):
    was, now = ("1", "2") if year == 2023 else ("M", "F")
    ctx = make(year, previous={"header": [header(SEX=was)]}, header=[header(SEX=now)])
    assert fails("202", ctx) == {1}
    ctx = make(year, previous={"header": [header(SEX=was)]}, header=[header(SEX=was)])
    assert fails("202", ctx) == set()


def test_202_uses_every_stored_year():
    cy = CollectionYear(2024)
    two_years_ago = return_from_rows(CollectionYear(2022), header=[header(CHILD="7", SEX="2")])
    ctx = Context(
        cy,
        return_from_rows(cy, header=[header(CHILD="7", SEX="M")]),
        earlier={CollectionYear(2022): two_years_ago},
    )
    assert fails("202", ctx) == {1}


def test_202_skips_without_earlier_years():
    with pytest.raises(Skip):
        run("202", make(header=[header()]))


def test_203_passes():
    ctx = make(previous={"header": [header()]}, header=[header(), header(CHILD="2")])
    assert fails("203", ctx) == set()


def test_203_fails():
    ctx = make(previous={"header": [header(DOB="02/06/2012")]}, header=[header()])
    assert fails("203", ctx) == {1}


def test_204_passes():
    ctx = make(previous={"header": [header(ETHNIC="WBRI")]}, header=[header(ETHNIC="WBRI")])
    assert fails("204", ctx) == set()


def test_204_fails():
    ctx = make(previous={"header": [header(ETHNIC="NOBT")]}, header=[header(ETHNIC="WBRI")])
    assert fails("204", ctx) == {1}


def _uasc_ctx(now_duc, last_duc, now_flag="1", last_flag="1", dob="01/06/2006"):
    """Header with the XML UASC flag, UASC table, both years (2024-25 against 2023-24)."""
    return make(
        2024,
        previous={
            "header": [header(DOB=dob, UASC=last_flag)],
            "uasc": [{"CHILD": "1", "DOB": dob, "DUC": last_duc}],
        },
        header=[header(DOB=dob, UASC=now_flag)],
        uasc=[{"CHILD": "1", "DOB": dob, "DUC": now_duc}],
    )


def test_205A_passes():
    assert run("205A", _uasc_ctx("", "01/10/2023", now_flag="0")) == {}


def test_205A_fails():
    assert run("205A", _uasc_ctx("01/10/2024", "01/10/2022", now_flag="0")) == {
        "uasc": {1},
        "header": {1},
    }


def test_205B_passes():
    assert run("205B", _uasc_ctx("01/06/2024", "01/06/2024")) == {}


def test_205B_fails():
    assert run("205B", _uasc_ctx("01/06/2025", "01/05/2024")) == {"uasc": {1}, "header": {1}}


def test_205C_passes():
    assert run("205C", _uasc_ctx("", "", now_flag="0", last_flag="0")) == {}


def test_205C_fails():
    result = run("205C", _uasc_ctx("01/06/2024", "", now_flag="0", last_flag="0"))
    assert result == {"uasc": {1}, "header": {1}}


def test_205D_passes():
    assert fails("205D", _uasc_ctx("01/06/2024", "01/06/2024")) == set()


def test_205D_fails():
    assert fails("205D", _uasc_ctx("01/06/2024", "", last_flag="0")) == {1}


def test_205D_from_csv_uasc_tables():
    ctx = make(
        2024,
        previous={"header": [header()], "uasc": [{"CHILD": "2", "SEX": "M"}]},
        header=[header()],
        uasc=[{"CHILD": "1", "SEX": "M", "DOB": "01/06/2012"}],
    )
    assert fails("205D", ctx) == {1}


def test_207_passes():
    ctx = make(
        previous={"header": [header(SEX="2", MOTHER="1")]},
        header=[header(SEX="F", MOTHER="1")],
        episodes=[ep()],
    )
    assert fails("207", ctx) == set()


def test_207_fails():
    ctx = make(
        previous={"header": [header(SEX="2", MOTHER="1")]},
        header=[header(SEX="F", MOTHER="0")],
        episodes=[ep()],
    )
    assert fails("207", ctx) == {1}


def test_208_passes():
    was = [header(CHILD=c, UPN=u) for c, u in (("1", "UN1"), ("2", "UN3"), ("3", "A123456789012"))]
    now = [
        header(CHILD=c, UPN=u)
        for c, u in (("1", "UN2"), ("2", "B123456789012"), ("3", "A123456789012"))
    ]
    assert fails("208", make(previous={"header": was}, header=now)) == set()


def test_208_fails():
    was = [header(CHILD=c, UPN=u) for c, u in (("1", "A123456789012"), ("2", "UN3"), ("3", ""))]
    now = [header(CHILD=c, UPN=u) for c, u in (("1", "B123456789012"), ("2", "UN4"), ("3", "UN1"))]
    assert fails("208", make(previous={"header": was}, header=now)) == {1, 2, 3}


def test_209_passes():
    hdr = [header(UPN="UN1", DOB="01/09/2019"), header(CHILD="2", UPN="UN2", DOB="01/01/2010")]
    assert fails("209", make(2024, header=hdr)) == set()


def test_209_fails():
    assert fails("209", make(2024, header=[header(UPN="UN1", DOB="31/08/2019")])) == {1}


def test_210_passes():
    hdr = [header(UPN="UN4"), header(CHILD="2", UPN="UN4")]
    eps = [ep(DECOM="24/03/2025"), ep(CHILD="2", DECOM="01/05/2024", DEC="01/06/2024", REC="E4A")]
    assert fails("210", make(2024, header=hdr, episodes=eps)) == set()


def test_210_fails():
    assert fails(
        "210", make(2024, header=[header(UPN="UN4")], episodes=[ep(DECOM="23/03/2025")])
    ) == {1}


# --- placement details -------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_213_passes(year):
    eps = [ep(PLACE="T1", PLACE_PROVIDER=""), ep(PLACE="U1", PLACE_PROVIDER="PR1")]
    assert fails("213", make(year, episodes=eps)) == set()


@pytest.mark.parametrize("year", YEARS)
def test_213_fails(year):
    eps = [ep(PLACE="T4", PLACE_PROVIDER="PR1")]
    if year >= 2025:
        eps.append(ep(PLACE="Z12", PLACE_PROVIDER="PR4"))
    assert fails("213", make(year, episodes=eps)) == set(range(1, len(eps) + 1))


def test_214_passes():
    eps = [ep(LS="V3", URN="", PL_POST=""), ep(LS="C2", PL_POST="M1 1AE")]
    assert fails("214", make(episodes=eps)) == set()


def test_214_fails():
    assert fails("214", make(episodes=[ep(LS="V4", URN="", PL_POST="M1 1AE")])) == {1}


def test_215_passes():
    ctx = make(
        oc3=[{"CHILD": "1", "IN_TOUCH": "YES"}],
        oc2=[{"CHILD": "1"}, {"CHILD": "2", "CONVICTED": "0"}],
    )
    assert run("215", ctx) == {}


def test_215_fails():
    ctx = make(oc3=[{"CHILD": "1", "IN_TOUCH": "YES"}], oc2=[{"CHILD": "1", "CONVICTED": "0"}])
    assert run("215", ctx) == {"oc3": {1}, "oc2": {1}}


def test_217_passes():
    eps = [ep(PLACE="A5", RNE="T"), ep(PLACE="A3", RNE="P", DECOM="01/01/2015")]
    assert fails("217", make(episodes=eps)) == set()


def test_217_fails():
    assert fails("217", make(episodes=[ep(PLACE="A3", RNE="P")])) == {1}


def test_217t_passes():
    eps = [ep(PLACE="P2", DECOM="01/05/2023", DEC="28/10/2023", REC="X1")]
    assert fails("217t", make(2023, episodes=eps)) == set()


def test_217t_fails():
    eps = [
        ep(PLACE="P2", DECOM="01/05/2023"),
        ep(CHILD="2", PLACE="P2", DECOM="01/05/2023", DEC="29/10/2023", REC="X1"),
    ]
    assert fails("217t", make(2023, episodes=eps)) == {1, 2}


def test_217t_only_2023():
    assert not any(r.applies_to(CollectionYear(2024)) for r in registered()["217t"])


@pytest.mark.parametrize("year", YEARS)
def test_218_passes(year):
    other = "Z1" if year <= 2024 else "Z11"
    eps = [
        ep(URN="SC123456"),
        ep(PLACE="P1", URN=""),
        ep(PLACE=other, URN=""),
        ep(URN="", DECOM="01/01/2020", DEC=f"31/03/{year}", REC="E4A"),  # ended before the year
        ep(URN="", PL_POST="CF10 1EP"),  # in Wales
    ]
    assert fails("218", make(year, episodes=eps)) == set()


@pytest.mark.parametrize("year", YEARS)
def test_218_fails(year):
    eps = [ep(URN=""), ep(PLACE="K2", URN="", PL_POST="M1 1AE")]
    assert fails("218", make(year, episodes=eps)) == {1, 2}


@pytest.mark.parametrize("year", YEARS)
def test_218_short_breaks_need_no_urn(year):
    """Rule 214 requires PL_POST and URN to be blank for short breaks (LS V3/V4)."""
    eps = [ep(PLACE="K2", LS="V3", URN="", PL_POST=""), ep(PLACE="U6", LS="V4", URN="", PL_POST="")]
    ctx = make(year, episodes=eps)
    assert fails("218", ctx) == set()
    assert fails("214", ctx) == set()


@pytest.mark.parametrize(
    ("year", "place", "flagged"), [(2022, "H5", False), (2023, "H5", True), (2025, "K3", True)]
)
def test_218_supported_accommodation_by_year(year, place, flagged):
    expected = {1} if flagged else set()
    assert fails("218", make(year, episodes=[ep(PLACE=place, URN="")])) == expected


def test_219_passes():
    ctx = make(
        episodes=[ep(PLACE="K2"), ep(PLACE="P1", URN="XXXXXXX")],
        providers=providers(PLACE_CODES=["K1/K2"]),
    )
    assert fails("219", ctx) == set()


def test_219_fails():
    ctx = make(
        episodes=[ep(PLACE="U1"), ep(URN="SC999999")], providers=providers(PLACE_CODES=["K1,K2"])
    )
    assert fails("219", ctx) == {1, 2}


def test_219_skips_without_providers():
    with pytest.raises(Skip):
        run("219", make(episodes=[ep()]))


def test_221_passes():
    ctx = make(episodes=[ep(PLACE="K2", PL_POST="m1 1ae")], providers=providers(POSTCODE=["M11AE"]))
    assert fails("221", ctx) == set()


def test_221_fails():
    ctx = make(
        episodes=[ep(PLACE="K2", PL_POST="M1 1AF")], providers=providers(POSTCODE=["M1 1AE"])
    )
    assert fails("221", ctx) == {1}


@pytest.mark.parametrize(("year", "flagged"), [(2022, False), (2023, True), (2024, False)])
def test_221_h5_only_in_2023(year, flagged):
    eps = [ep(PLACE="H5", PL_POST="M1 1AF", DECOM=f"01/06/{year}")]
    ctx = make(year, episodes=eps, providers=providers(POSTCODE=["M1 1AE"]))
    assert fails("221", ctx) == ({1} if flagged else set())


@pytest.mark.parametrize("year", YEARS)
def test_222_passes(year):
    eps = [ep(PLACE="T1", URN="XXXXXXX"), ep(PLACE="K2", URN="SC123456")]
    assert fails("222", make(year, episodes=eps)) == set()


@pytest.mark.parametrize("year", YEARS)
def test_222_fails(year):
    other = "Z1" if year <= 2024 else "Z14"
    eps = [ep(PLACE="R1", URN="SC1"), ep(PLACE=other, URN="SC2")]
    assert fails("222", make(year, episodes=eps)) == {1, 2}


@pytest.mark.parametrize(
    ("year", "place", "flagged"),
    [(2022, "H5", True), (2023, "H5", False), (2023, "P2", True), (2024, "P2", False)],
)
def test_222_by_year(year, place, flagged):
    assert fails("222", make(year, episodes=[ep(PLACE=place, URN="SC1")])) == (
        {1} if flagged else set()
    )


def test_224_passes():
    ctx = make(episodes=[ep(PLACE_PROVIDER="PR4")], providers=providers(PROVIDER_CODES=["PR4,PR5"]))
    assert fails("224", ctx) == set()


def test_224_fails():
    ctx = make(episodes=[ep(PLACE_PROVIDER="PR1")], providers=providers(PROVIDER_CODES=["PR4"]))
    assert fails("224", ctx) == {1}


def test_225_passes():
    eps = [
        ep(DECOM="01/05/2024", DEC="01/06/2024", REC="X1", REASON_PLACE_CHANGE="CARPL"),
        ep(DECOM="01/06/2024", RNE="P"),
    ]
    assert fails("225", make(episodes=eps)) == set()


def test_225_fails():
    eps = [ep(DECOM="01/05/2024", DEC="01/06/2024", REC="X1"), ep(DECOM="01/06/2024", RNE="P")]
    assert fails("225", make(episodes=eps)) == {1}


def test_226_passes():
    eps = [
        ep(DECOM="01/05/2024", DEC="01/06/2024", REC="X1"),
        ep(DECOM="01/06/2024", RNE="P", PLACE="T1"),
    ]
    assert fails("226", make(episodes=eps)) == set()


@pytest.mark.parametrize("year", YEARS)
def test_226_fails(year):
    eps = [
        ep(DECOM=f"01/05/{year}", DEC=f"01/06/{year}", REC="X1", REASON_PLACE_CHANGE="CARPL"),
        ep(DECOM=f"01/06/{year}", RNE="P", PLACE="T1"),
    ]
    assert fails("226", make(year, episodes=eps)) == {2}


def test_227_passes():
    ctx = make(
        episodes=[ep(DECOM="01/06/2024")], providers=providers(CLOSE_DATE=[date(2024, 6, 2)])
    )
    assert fails("227", ctx) == set()


def test_227_fails():
    ctx = make(
        episodes=[ep(DECOM="01/06/2024")], providers=providers(CLOSE_DATE=[date(2024, 6, 1)])
    )
    assert fails("227", ctx) == {1}


def test_227_runs_when_no_provider_has_closed():
    ctx = make(episodes=[ep()], providers=providers(CLOSE_DATE=pl.Series([None], dtype=pl.Date)))
    assert fails("227", ctx) == set()


def test_228_passes():
    eps = [ep(DECOM="01/05/2024", DEC="01/06/2024", REC="E4A")]
    ctx = make(episodes=eps, providers=providers(CLOSE_DATE=[date(2024, 6, 1)]))
    assert fails("228", ctx) == set()


def test_228_fails():
    eps = [ep(DECOM="01/05/2024", DEC="02/06/2024", REC="E4A"), ep(CHILD="2")]
    ctx = make(episodes=eps, providers=providers(CLOSE_DATE=[date(2024, 6, 1)]))
    assert fails("228", ctx) == {1, 2}


@pytest.mark.parametrize("year", [2024, 2025])
def test_229_passes(year):
    eps = [ep(PLACE="K2", PLACE_PROVIDER="PR1"), ep(PLACE="K2", PLACE_PROVIDER="PR4")]
    ctx = make(year, episodes=eps, providers=providers(POSTCODE=["M1 1AE"]), la_code="E08000003")
    assert fails("229", ctx) == set()


@pytest.mark.parametrize("year", [2024, 2025])
def test_229_fails(year):
    eps = [ep(PLACE="K2", PLACE_PROVIDER="PR2")]
    ctx = make(year, episodes=eps, providers=providers(POSTCODE=["M1 1AE"]), la_code="E08000003")
    assert fails("229", ctx) == {1}


def test_229_skips_without_council():
    with pytest.raises(Skip):
        run("229", make(episodes=[ep()], providers=providers(POSTCODE=["M1 1AE"])))


def test_230_passes():
    eps = [
        ep(PLACE="H5", DECOM="01/05/2023", DEC="28/10/2023", REC="X1", URN=""),
        ep(PLACE="H5", DECOM="01/05/2023", URN="SC1"),
        ep(PLACE="H5", DECOM="01/05/2023", URN="", PL_POST="CF10 1EP"),
    ]
    assert fails("230", make(2023, episodes=eps)) == set()


def test_230_fails():
    eps = [
        ep(PLACE="H5", DECOM="01/05/2023", URN="XXXXXXX"),
        ep(PLACE="H5", DECOM="01/05/2023", DEC="29/10/2023", REC="X1", URN=""),
    ]
    assert fails("230", make(2023, episodes=eps)) == {1, 2}


def test_231_passes():
    hdr = [header(DOB="31/03/2014", UASC="1"), header(CHILD="2", DOB="01/06/2020", UASC="0")]
    assert fails("231", make(2024, header=hdr)) == set()


def test_231_fails():
    assert fails("231", make(2024, header=[header(DOB="01/04/2014", UASC="1")])) == {1}


def test_231_reads_the_csv_uasc_table():
    ctx = make(
        2024,
        header=[header(DOB="01/04/2016")],
        uasc=[{"CHILD": "1", "SEX": "M", "DOB": "01/04/2016"}],
    )
    assert fails("231", ctx) == {1}


def test_232_passes():
    assert fails("232", make(2024, header=[header(SEX="F")])) == set()


def test_232_fails():
    assert fails("232", make(2024, header=[header(SEX="U")])) == {1}


def test_233_passes():
    eps = [ep(DEC="01/07/2025", REC="X1", REASON_PLACE_CHANGE="CARPL"), ep()]
    assert fails("233", make(2025, episodes=eps)) == set()


def test_233_fails():
    assert fails("233", make(2025, episodes=[ep(REASON_PLACE_CHANGE="CARPL")])) == {1}


def test_234_passes():
    hdr = [header(DOB="01/06/2014")]
    eps = [
        ep(DECOM="01/05/2025", DEC="02/06/2025", REC="X1", REASON_PLACE_CHANGE="CUSTOD"),
        ep(DECOM="02/06/2025", RNE="P"),
    ]
    assert fails("234", make(2025, header=hdr, episodes=eps)) == set()


def test_234_fails():
    hdr = [header(DOB="01/06/2016")]
    eps = [
        ep(DECOM="01/05/2025", DEC="02/06/2025", REC="X1", REASON_PLACE_CHANGE="CUSTOD"),
        ep(DECOM="02/06/2025", RNE="P"),
    ]
    assert fails("234", make(2025, header=hdr, episodes=eps)) == {1}


def test_registered_years_follow_the_dfe_lists():
    only = {
        "217t": (2023, 2023),
        "230": (2023, 2023),
        "231": (2024, 2026),
        "232": (2024, 2026),
        "233": (2025, 2026),
        "234": (2025, 2026),
    }
    for code, (first, last) in only.items():
        versions = registered()[code]
        assert min(r.first_year for r in versions) == first
        assert max(r.last_year for r in versions) == last


# --- supported accommodation premises and URNs (2025-26 on) -----------------------------------


def _k3(**kw) -> dict:
    return ep(PLACE="K3", DECOM="01/06/2025", PLACE_PROVIDER="PR4", **kw)


@needs_postcodes
@pytest.mark.parametrize("year", [2025, 2026])
def test_241_passes(year):
    """Premises in Manchester (by name) and Leeds (by postcode): a placement in either is fine."""
    eps = [
        _k3(PL_POST="M1 1AE"),
        _k3(PL_POST="LS1 4AP"),
        _k3(PL_POST="LS1 4AP", URN="XXXXXXX"),  # no URN to check
        _k3(PL_POST="LS1 4AP", URN="SC000001"),  # not in Ofsted's lists: rule 219's business
        _k3(PL_POST=None),  # council unknown: 169/392c
        ep(PLACE="K2", DECOM="01/06/2025", PL_POST="CF10 1EP"),  # not supported accommodation
    ]
    lists = pl.DataFrame(
        {"URN": ["SC123456"], "LAS": [["Manchester"]], "POSTCODES": [["LS2 7EY"]]}
    )
    assert fails("241", make(year, episodes=eps, providers=lists)) == set()


@needs_postcodes
def test_241_fails():
    """The provider's only premises are in Manchester (ONS code); the young person lives in Leeds."""
    eps = [_k3(PL_POST="M1 1AE"), _k3(PL_POST="LS1 4AP")]
    ctx = make(2025, episodes=eps, providers=providers(LA=["E08000003"]))
    assert fails("241", ctx) == {2}


def test_241_not_before_2025():
    assert all(r.first_year == 2025 for r in registered()["241"])


def test_241_skips_without_providers():
    with pytest.raises(Skip):
        run("241", make(2025, episodes=[_k3(PL_POST="M1 1AE")]))


@pytest.mark.parametrize("year", [2025, 2026])
def test_242_passes(year):
    eps = [
        ep(PLACE="A5", URN="XXXXXXX"),
        ep(PLACE="U3", URN="XXXXXXX"),
        ep(PLACE="K2", URN="SC123456"),
        ep(PLACE="R1", URN=None),
    ]
    assert fails("242", make(year, episodes=eps)) == set()


@pytest.mark.parametrize("year", [2025, 2026])
def test_242_fails(year):
    eps = [ep(PLACE="K2", URN="XXXXXXX"), ep(PLACE="K3", URN="xxxxxxx"), ep(PLACE="A5", URN="XXXXXXX")]
    assert fails("242", make(year, episodes=eps)) == {1, 2}


@needs_postcodes
@pytest.mark.parametrize("year", [2025, 2026])
def test_243_passes(year):
    eps = [
        ep(PLACE="K2", PL_POST="M1 1AE", URN="SC123456"),
        ep(PLACE="U1", PL_POST="CF10 1EP", URN=None),
    ]
    assert fails("243", make(year, episodes=eps)) == set()


@needs_postcodes
@pytest.mark.parametrize("year", [2025, 2026])
def test_243_fails(year):
    eps = [
        ep(PLACE="K2", PL_POST="CF10 1EP", URN="SC123456"),  # Wales
        ep(PLACE="U1", PL_POST="EH1 1YZ", URN="XXXXXXX"),  # Scotland: 'XXXXXXX' is a URN too
        ep(PLACE="K2", PL_POST="BT1 5GS", URN="SC123456"),  # Northern Ireland
    ]
    assert fails("243", make(year, episodes=eps)) == {1, 2, 3}
