"""Spec tests for DfE 903 rules 100-199: one passing and one failing minimal return per rule."""

from __future__ import annotations

import pytest
from rule_helpers import YEARS, fails, run
from rule_helpers import context as make
from rule_helpers import episode_row as ep
from rule_helpers import header_row as header

from carewise.validate.engine import Skip


def long_stay(child: str = "1", year: int = 2024) -> dict:
    """An open episode that began two years before the collection year: looked after 12 months."""
    return ep(CHILD=child, DECOM=f"01/01/{year - 2}", RNE="S")


def new_entry(child: str = "1", year: int = 2024) -> dict:
    """A child who started to be looked after during the year: not continuously looked after."""
    return ep(CHILD=child, DECOM=f"01/06/{year}", RNE="S")


def oc2(**kw) -> dict:
    row = {"CHILD": "1", "DOB": "01/06/2012"}
    row.update(kw)
    return row


OC2_FULL = {
    "CONVICTED": "0",
    "HEALTH_CHECK": "1",
    "IMMUNISATIONS": "1",
    "TEETH_CHECK": "1",
    "HEALTH_ASSESSMENT": "1",
    "SUBSTANCE_MISUSE": "0",
}

AD1_FULL = {
    "DATE_INT": "01/05/2024",
    "DATE_MATCH": "01/06/2024",
    "FOSTER_CARE": "0",
    "NB_ADOPTR": "2",
    "SEX_ADOPTR": "MF",
    "LS_ADOPTR": "L12",
}

OC3_FULL = {"IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"}


# --- header ------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_101_passes(year):
    sex = "1" if year <= 2023 else "F"
    assert fails("101", make(year, header=[header(SEX=sex)])) == set()


@pytest.mark.parametrize("year", YEARS)
def test_101_fails(year):
    other_era = "M" if year <= 2023 else "1"
    assert fails("101", make(year, header=[header(SEX=other_era), header(SEX="")])) == {1, 2}


def test_102_passes():
    assert fails("102", make(header=[header(DOB="29/02/2012")])) == set()


def test_102_fails():
    assert fails("102", make(header=[header(DOB="31/02/2012"), header(DOB="")])) == {1, 2}


def test_103_passes():
    assert fails("103", make(header=[header(ETHNIC="NOBT")])) == set()


def test_103_fails():
    assert fails("103", make(header=[header(ETHNIC="White British"), header(ETHNIC="")])) == {1, 2}


def test_104_passes():
    uasc = [{"CHILD": "1", "DOB": "01/06/2008", "DUC": "01/06/2026"}, {"CHILD": "2"}]
    assert fails("104", make(uasc=uasc)) == set()


def test_104_fails():
    uasc = [{"CHILD": "1", "DUC": "32/01/2025"}, {"CHILD": "2", "DUC": "01/01/2024"}]
    assert fails("104", make(uasc=uasc)) == {1, 2}


def test_105_passes():
    assert fails("105", make(header=[header(UASC="0"), header(CHILD="2", UASC="1")])) == set()


def test_105_fails():
    assert fails("105", make(header=[header(UASC="2"), header(CHILD="2", UASC="")])) == {1, 2}


def test_105_skips_without_uasc_column():
    with pytest.raises(Skip):
        run("105", make(header=[header()]))


# --- adoption ----------------------------------------------------------------------------------


def test_112_passes():
    assert (
        fails("112", make(ad1=[{"CHILD": "1", "DATE_INT": "01/05/2024"}, {"CHILD": "2"}])) == set()
    )


def test_112_fails():
    assert fails("112", make(ad1=[{"CHILD": "1", "DATE_INT": "01/13/2024"}])) == {1}


def test_113_passes():
    assert (
        fails("113", make(ad1=[{"CHILD": "1", "DATE_MATCH": "01/05/2024"}, {"CHILD": "2"}]))
        == set()
    )


def test_113_fails():
    assert fails("113", make(ad1=[{"CHILD": "1", "DATE_MATCH": "2024-13-01"}])) == {1}


def test_114_passes():
    assert fails("114", make(ad1=[{"CHILD": "1", "FOSTER_CARE": "1"}, {"CHILD": "2"}])) == set()


def test_114_fails():
    assert fails("114", make(ad1=[{"CHILD": "1", "FOSTER_CARE": "2"}])) == {1}


def test_115_passes():
    p4a = [{"CHILD": "1", "DATE_PLACED": "01/05/2024"}]
    assert fails("115", make(placed_for_adoption=p4a)) == set()


def test_115_fails():
    p4a = [{"CHILD": "1", "DATE_PLACED": "2024/05/01x"}]
    assert fails("115", make(placed_for_adoption=p4a)) == {1}


def test_116_passes():
    p4a = [{"CHILD": "1", "DATE_PLACED_CEASED": "01/05/2024"}, {"CHILD": "2"}]
    assert fails("116", make(placed_for_adoption=p4a)) == set()


def test_116_fails():
    p4a = [{"CHILD": "1", "DATE_PLACED_CEASED": "not a date"}]
    assert fails("116", make(placed_for_adoption=p4a)) == {1}


def test_117_passes():
    eps = [ep(DECOM="01/05/2023", DEC="01/12/2024", REC="E11")]
    p4a = [{"CHILD": "1", "DATE_PLACED": "01/06/2024"}]
    assert run("117", make(episodes=eps, placed_for_adoption=p4a)) == {}


def test_117_fails():
    eps = [ep(DECOM="01/05/2023", DEC="01/12/2024", REC="E11")]
    p4a = [
        {"CHILD": "1", "DATE_PLACED": "01/06/2024", "DATE_PLACED_CEASED": "02/12/2024"},
        {"CHILD": "2", "DATE_PLACED": "01/04/2025"},
    ]
    assert run("117", make(episodes=eps, placed_for_adoption=p4a)) == {
        "placed_for_adoption": {1, 2},
        "episodes": {1},
    }


def test_118_passes():
    eps = [ep(DECOM="01/05/2023")]
    p4a = [{"CHILD": "1", "DATE_PLACED": "01/06/2023", "DATE_PLACED_CEASED": "01/06/2024"}]
    assert run("118", make(episodes=eps, placed_for_adoption=p4a)) == {}


def test_118_fails():
    eps = [ep(DECOM="01/05/2024", LS="C2"), ep(CHILD="2", DECOM="01/01/2020")]
    p4a = [
        {"CHILD": "1", "DATE_PLACED_CEASED": "01/04/2024"},  # before the first episode
        {"CHILD": "2", "DATE_PLACED_CEASED": "31/03/2024"},  # before the collection year
    ]
    result = run("118", make(episodes=eps, placed_for_adoption=p4a))
    assert result["placed_for_adoption"] == {1, 2}


def test_119_passes():
    p4a = [
        {"CHILD": "1", "DATE_PLACED_CEASED": "01/06/2024", "REASON_PLACED_CEASED": "RD1"},
        {"CHILD": "2"},
    ]
    assert fails("119", make(placed_for_adoption=p4a)) == set()


def test_119_fails():
    p4a = [
        {"CHILD": "1", "DATE_PLACED_CEASED": "01/06/2024"},
        {"CHILD": "2", "REASON_PLACED_CEASED": "RD1"},
    ]
    assert fails("119", make(placed_for_adoption=p4a)) == {1, 2}


def test_120_passes():
    p4a = [{"CHILD": "1", "REASON_PLACED_CEASED": "RD4"}, {"CHILD": "2"}]
    assert fails("120", make(placed_for_adoption=p4a)) == set()


def test_120_fails():
    assert fails(
        "120", make(placed_for_adoption=[{"CHILD": "1", "REASON_PLACED_CEASED": "RD0"}])
    ) == {1}


# --- OC3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "field", "bad"),
    [("131", "IN_TOUCH", "MAYBE"), ("132", "ACTIV", "1"), ("133", "ACCOM", "S1")],
)
def test_131_133(code, field, bad):
    good = {"CHILD": "1", **OC3_FULL}
    assert fails(code, make(oc3=[good])) == set()
    assert fails(code, make(oc3=[{**good, field: bad}, {**good, field: ""}])) == {1, 2}


def test_131_passes():
    assert fails("131", make(oc3=[{"CHILD": "1", **OC3_FULL}])) == set()


def test_131_fails():
    assert fails("131", make(oc3=[{"CHILD": "1", **OC3_FULL, "IN_TOUCH": "yes please"}])) == {1}


def test_132_passes():
    assert fails("132", make(oc3=[{"CHILD": "1", **OC3_FULL, "ACTIV": "0"}])) == set()


def test_132_fails():
    assert fails("132", make(oc3=[{"CHILD": "1", **OC3_FULL, "ACTIV": ""}])) == {1}


def test_133_passes():
    assert fails("133", make(oc3=[{"CHILD": "1", **OC3_FULL, "ACCOM": "Z2"}])) == set()


def test_133_fails():
    assert fails("133", make(oc3=[{"CHILD": "1", **OC3_FULL, "ACCOM": "X1"}])) == {1}


def test_134_passes():
    ctx = make(ad1=[{"CHILD": "1", **AD1_FULL}], oc3=[{"CHILD": "2", **OC3_FULL}, {"CHILD": "1"}])
    assert fails("134", ctx) == set()


def test_134_fails():
    ctx = make(ad1=[{"CHILD": "1", "FOSTER_CARE": "1"}], oc3=[{"CHILD": "1", "ACCOM": "B1"}])
    assert fails("134", ctx) == {1}


# --- episodes ----------------------------------------------------------------------------------


def test_141_passes():
    assert fails("141", make(episodes=[ep()])) == set()


def test_141_fails():
    assert fails("141", make(episodes=[ep(DECOM="31/04/2024")])) == {1}


def test_142_passes():
    eps = [ep(DECOM="01/05/2024", DEC="01/06/2024", REC="X1"), ep(DECOM="01/06/2024", RNE="P")]
    assert fails("142", make(episodes=eps)) == set()


def test_142_fails():
    eps = [ep(DECOM="01/05/2024", DEC="01/06/2024"), ep(DECOM="01/06/2024", RNE="P")]
    assert fails("142", make(episodes=eps)) == {1}


@pytest.mark.parametrize(
    ("code", "field", "good", "bad"),
    [
        ("143", "RNE", "B", "X"),
        ("144", "LS", "J3", "C3"),
        ("145", "CIN", "N8", "N9"),
        ("149", "REC", "E4A", "E4"),
    ],
)
def test_episode_codes(code, field, good, bad):
    assert fails(code, make(episodes=[ep(**{field: good})])) == set()
    assert fails(code, make(episodes=[ep(**{field: bad})])) == {1}


def test_143_passes():
    assert fails("143", make(episodes=[ep(RNE="U")])) == set()


def test_143_fails():
    assert fails("143", make(episodes=[ep(RNE="s p")])) == {1}


def test_144_passes():
    assert fails("144", make(episodes=[ep(LS="V4")])) == set()


def test_144_fails():
    assert fails("144", make(episodes=[ep(LS="section 20")])) == {1}


def test_145_passes():
    assert fails("145", make(episodes=[ep(CIN="N5")])) == set()


def test_145_fails():
    assert fails("145", make(episodes=[ep(CIN="N0")])) == {1}


@pytest.mark.parametrize(
    ("year", "good", "bad"),
    [
        (2022, "H5", "K3"),
        (2023, "P2", "Z11"),
        (2024, "K3", "Z12"),
        (2024, "k3", "A2"),
        (2025, "Z11", "H5"),
        (2026, "Z14", "Z1"),
    ],
)
def test_146_by_year(year, good, bad):
    assert fails("146", make(year, episodes=[ep(PLACE=good)])) == set()
    assert fails("146", make(year, episodes=[ep(PLACE=bad)])) == {1}


def test_146_passes():
    assert fails("146", make(2024, episodes=[ep(PLACE="K3")])) == set()


def test_146_fails():
    assert fails("146", make(2025, episodes=[ep(PLACE="P2")])) == {1}


def test_147_passes():
    assert fails("147", make(episodes=[ep(DEC="01/07/2024", REC="E4A"), ep()])) == set()


def test_147_fails():
    assert fails("147", make(episodes=[ep(DEC="01-Jul-2024", REC="E4A")])) == {1}


def test_148_passes():
    assert fails("148", make(episodes=[ep(DEC="01/07/2024", REC="E4A"), ep()])) == set()


def test_148_fails():
    assert fails("148", make(episodes=[ep(DEC="01/07/2024"), ep(REC="E4A")])) == {1, 2}


def test_149_passes():
    assert fails("149", make(episodes=[ep(DEC="01/07/2024", REC="E17")])) == set()


def test_149_fails():
    assert fails("149", make(episodes=[ep(DEC="01/07/2024", REC="E18")])) == {1}


def test_151_passes():
    assert fails("151", make(ad1=[{"CHILD": "1", **AD1_FULL}, {"CHILD": "2"}])) == set()


def test_151_fails():
    partial = {**AD1_FULL, "LS_ADOPTR": ""}
    assert fails("151", make(ad1=[{"CHILD": "1", **partial}])) == {1}


def test_153_passes():
    assert fails("153", make(oc3=[{"CHILD": "1", **OC3_FULL}, {"CHILD": "2"}])) == set()


def test_153_fails():
    assert fails("153", make(oc3=[{"CHILD": "1", "IN_TOUCH": "YES"}])) == {1}


# --- OC2 and SDQ -------------------------------------------------------------------------------


def test_continuously_looked_after_definition():
    from carewise.validate.rules.rules_100 import continuously_looked_after

    eps = [
        long_stay("A"),
        new_entry("B"),
        ep(CHILD="C", DECOM="01/01/2022", DEC="01/10/2024", REC="E4A"),  # left during the year
        ep(CHILD="D", DECOM="01/01/2022", LS="V3"),  # short breaks
        ep(CHILD="E", DECOM="01/01/2022", DEC="01/10/2024", REC="X1"),
        ep(CHILD="E", DECOM="01/10/2024", RNE="P"),  # moved placement: still continuous
    ]
    cla = continuously_looked_after(make(episodes=eps))
    assert dict(zip(cla["CHILD"], cla["CLA"], strict=True)) == {
        "A": True,
        "B": False,
        "C": False,
        "D": False,
        "E": True,
    }


def test_continuously_looked_after_care_ceasing_on_31_march_is_not_in_the_oc2_cohort():
    """OC2 is for children "looked after continuously for at least 12 months at 31 March": care
    that ceased on 31 March itself means the child is not looked after at 31 March."""
    from carewise.validate.rules.rules_100 import continuously_looked_after

    eps = [
        ep(CHILD="F", DECOM="01/01/2022", DEC="31/03/2025", REC="E4A"),  # ceased on 31 March
        ep(CHILD="G", DECOM="01/01/2022", DEC="31/03/2025", REC="X1"),  # moved on 31 March
        ep(CHILD="G", DECOM="31/03/2025", RNE="P"),
        ep(CHILD="H", DECOM="01/01/2022", DEC="01/04/2025", REC="E4A"),  # ceased after the year
    ]
    ctx = make(episodes=eps)
    cla = continuously_looked_after(ctx)
    assert dict(zip(cla["CHILD"], cla["CLA"], strict=True)) == {"F": False, "G": True, "H": True}


def test_157_passes():
    ctx = make(episodes=[long_stay()], oc2=[oc2(DOB="01/06/2012", SDQ_REASON="SDQ2")])
    assert fails("157", ctx) == set()


def test_157_fails():
    ctx = make(episodes=[long_stay()], oc2=[oc2(DOB="01/06/2012", SDQ_REASON="SDQ1")])
    assert fails("157", ctx) == {1}


def test_158_passes():
    row = oc2(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="1")
    assert fails("158", make(oc2=[row])) == set()


def test_158_fails():
    row = oc2(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="1", INTERVENTION_OFFERED="1")
    assert fails("158", make(oc2=[row])) == {1}


def test_159_passes():
    row = oc2(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0", INTERVENTION_OFFERED="1")
    assert fails("159", make(oc2=[row])) == set()


def test_159_fails():
    row = oc2(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0")
    assert fails("159", make(oc2=[row])) == {1}


@pytest.mark.parametrize("year", [2023, 2024])
def test_165_passes(year):
    female, male = ("2", "1") if year <= 2023 else ("F", "M")
    hdr = [header(SEX=female, MOTHER="0"), header(CHILD="2", SEX=male)]
    eps = [new_entry("1", year), new_entry("2", year)]
    assert run("165", make(year, header=hdr, episodes=eps)) == {}


@pytest.mark.parametrize("year", [2023, 2024])
def test_165_fails(year):
    female, male = ("2", "1") if year <= 2023 else ("F", "M")
    hdr = [
        header(SEX=female),  # girl looked after this year, MOTHER blank
        header(CHILD="2", SEX=male, MOTHER="0"),  # boy with MOTHER
        header(CHILD="3", SEX=female, MOTHER="2"),  # invalid value
    ]
    eps = [new_entry(c, year) for c in ("1", "2", "3")]
    assert run("165", make(year, header=hdr, episodes=eps)) == {"header": {1, 2, 3}}


def test_166_passes():
    assert fails("166", make(reviews=[{"CHILD": "1", "REVIEW": "01/07/2024"}])) == set()


def test_166_fails():
    reviews = [{"CHILD": "1", "REVIEW": "01/07/24x"}, {"CHILD": "2"}]
    assert fails("166", make(reviews=reviews)) == {1, 2}


def test_167_passes():
    reviews = [{"CHILD": "1", "REVIEW": "01/07/2024", "REVIEW_CODE": "PN1"}, {"CHILD": "2"}]
    assert fails("167", make(reviews=reviews)) == set()


def test_167_fails():
    reviews = [
        {"CHILD": "1", "REVIEW": "01/07/2024", "REVIEW_CODE": "PN8"},
        {"CHILD": "2", "REVIEW": "01/07/2024"},
        {"CHILD": "3", "REVIEW_CODE": "PN1"},
    ]
    assert fails("167", make(reviews=reviews)) == {1, 2, 3}


def test_168_passes():
    hdr = [
        header(UPN="A123456789012"),
        header(CHILD="2", UPN="B12345678901C"),
        header(CHILD="3", UPN="UN5"),
        header(CHILD="4", UPN=""),
    ]
    assert fails("168", make(header=hdr)) == set()


def test_168_fails():
    hdr = [
        header(UPN="I123456789012"),
        header(CHILD="2", UPN="UN6"),
        header(CHILD="3", UPN="A12345"),
    ]
    assert fails("168", make(header=hdr)) == {1, 2, 3}


def test_171_passes():
    assert (
        fails("171", make(header=[header(SEX="F", MC_DOB="01/02/2024"), header(CHILD="2")]))
        == set()
    )


def test_171_fails():
    assert fails("171", make(header=[header(SEX="F", MC_DOB="1/2/24x")])) == {1}


@pytest.mark.parametrize("year", YEARS)
def test_174_passes(year):
    female = "2" if year <= 2023 else "F"
    male = "1" if year <= 2023 else "M"
    hdr = [header(SEX=female, MC_DOB="01/02/2024"), header(CHILD="2", SEX=male)]
    assert fails("174", make(year, header=hdr)) == set()


@pytest.mark.parametrize("year", YEARS)
def test_174_fails(year):
    male = "1" if year <= 2023 else "M"
    assert fails("174", make(year, header=[header(SEX=male, MC_DOB="01/02/2024")])) == {1}


@pytest.mark.parametrize(
    ("code", "field", "good", "bad"),
    [
        ("175", "NB_ADOPTR", "1", "3"),
        ("176", "SEX_ADOPTR", "FF", "F2"),
        ("177", "LS_ADOPTR", "L11", "L1"),
    ],
)
def test_ad1_codes(code, field, good, bad):
    assert fails(code, make(ad1=[{"CHILD": "1", field: good}, {"CHILD": "2"}])) == set()
    assert fails(code, make(ad1=[{"CHILD": "1", field: bad}])) == {1}


def test_175_passes():
    assert fails("175", make(ad1=[{"CHILD": "1", "NB_ADOPTR": "2"}])) == set()


def test_175_fails():
    assert fails("175", make(ad1=[{"CHILD": "1", "NB_ADOPTR": "0"}])) == {1}


def test_176_passes():
    assert fails("176", make(ad1=[{"CHILD": "1", "SEX_ADOPTR": "M1"}])) == set()


def test_176_fails():
    assert fails("176", make(ad1=[{"CHILD": "1", "SEX_ADOPTR": "X"}])) == {1}


def test_177_passes():
    assert fails("177", make(ad1=[{"CHILD": "1", "LS_ADOPTR": "L4"}])) == set()


def test_177_fails():
    assert fails("177", make(ad1=[{"CHILD": "1", "LS_ADOPTR": "L5"}])) == {1}


@pytest.mark.parametrize("year", YEARS)
def test_178_passes(year):
    other = "Z1" if year <= 2024 else "Z11"
    eps = [
        ep(PLACE="U1", PLACE_PROVIDER="PR4"),
        ep(PLACE=other, PLACE_PROVIDER=""),
        ep(PLACE="T0", PLACE_PROVIDER=""),
    ]
    assert fails("178", make(year, episodes=eps)) == set()


@pytest.mark.parametrize("year", YEARS)
def test_178_fails(year):
    other = "Z1" if year <= 2024 else "Z13"
    eps = [
        ep(PLACE="U1", PLACE_PROVIDER="PR6"),
        ep(PLACE=other, PLACE_PROVIDER="PR1"),
        ep(PLACE="T2", PLACE_PROVIDER="PR1"),
    ]
    assert fails("178", make(year, episodes=eps)) == {1, 2, 3}


def test_178_t4_provider_allowed_from_2025():
    eps = [ep(PLACE="T4", PLACE_PROVIDER="PR1")]
    assert fails("178", make(2024, episodes=eps)) == {1}
    assert fails("178", make(2025, episodes=eps)) == set()


def test_180_passes():
    assert (
        fails("180", make(oc2=[oc2(SDQ_SCORE="0"), oc2(CHILD="2", SDQ_SCORE="40"), oc2(CHILD="3")]))
        == set()
    )


def test_180_fails():
    rows = [oc2(SDQ_SCORE="41"), oc2(CHILD="2", SDQ_SCORE="12.5"), oc2(CHILD="3", SDQ_SCORE="XX")]
    assert fails("180", make(oc2=rows)) == {1, 2, 3}


def test_181_passes():
    assert fails("181", make(oc2=[oc2(**OC2_FULL), oc2(CHILD="2")])) == set()


def test_181_fails():
    assert fails("181", make(oc2=[oc2(**{**OC2_FULL, "TEETH_CHECK": "2"})])) == {1}


def test_182_passes():
    assert fails("182", make(oc2=[oc2(**OC2_FULL), oc2(CHILD="2")])) == set()


def test_182_fails():
    assert fails("182", make(oc2=[oc2(**{**OC2_FULL, "IMMUNISATIONS": ""})])) == {1}


def test_184_passes():
    ctx = make(
        header=[header(DOB="01/06/2023")],
        placed_for_adoption=[{"CHILD": "1", "DATE_PLACED": "01/06/2023"}],
    )
    assert fails("184", ctx) == set()


def test_184_fails():
    ctx = make(
        header=[header(DOB="01/06/2023")],
        placed_for_adoption=[{"CHILD": "1", "DATE_PLACED": "31/05/2023"}],
    )
    assert fails("184", ctx) == {1}


def test_185_passes():
    assert fails("185", make(episodes=[long_stay()], oc2=[oc2(SDQ_SCORE="12")])) == set()


def test_185_fails():
    assert fails("185", make(episodes=[new_entry()], oc2=[oc2(SDQ_SCORE="12")])) == {1}


def test_186_passes():
    ctx = make(
        episodes=[long_stay(), long_stay("2")],
        oc2=[oc2(SDQ_SCORE="12"), oc2(CHILD="2", DOB="01/06/2022")],
    )
    assert fails("186", ctx) == set()


def test_186_fails():
    assert fails("186", make(episodes=[long_stay()], oc2=[oc2(DOB="01/06/2012")])) == {1}


def test_186_passes_with_a_reason_for_no_score():
    """SDQ_REASON (e.g. SDQ2, carers refused) explains a missing score (rules 197a/197B)."""
    ctx = make(episodes=[long_stay()], oc2=[oc2(DOB="01/06/2012", SDQ_REASON="SDQ2")])
    assert fails("186", ctx) == set()


def test_187_passes():
    ctx = make(
        episodes=[new_entry()], ad1=[{"CHILD": "1", **AD1_FULL}], oc3=[{"CHILD": "1", **OC3_FULL}]
    )
    assert run("187", ctx) == {}


def test_187_fails():
    ctx = make(
        episodes=[long_stay()], ad1=[{"CHILD": "1", **AD1_FULL}], oc3=[{"CHILD": "1", **OC3_FULL}]
    )
    assert run("187", ctx) == {"ad1": {1}, "oc3": {1}}


def test_188_passes():
    assert (
        fails(
            "188",
            make(oc2=[oc2(DOB="31/03/2021", SDQ_SCORE="3"), oc2(CHILD="2", DOB="01/06/2023")]),
        )
        == set()
    )


def test_188_fails():
    assert fails("188", make(oc2=[oc2(DOB="01/04/2021", SDQ_REASON="SDQ1")])) == {1}


def test_189_passes():
    assert (
        fails(
            "189",
            make(oc2=[oc2(DOB="02/04/2007", SDQ_SCORE="3"), oc2(CHILD="2", DOB="01/04/2007")]),
        )
        == set()
    )


def test_189_fails():
    assert fails("189", make(oc2=[oc2(DOB="01/04/2007", SDQ_SCORE="3")])) == {1}


def test_190_passes():
    assert (
        fails(
            "190",
            make(episodes=[long_stay(), new_entry("2")], oc2=[oc2(**OC2_FULL), oc2(CHILD="2")]),
        )
        == set()
    )


def test_190_fails():
    assert fails("190", make(episodes=[new_entry()], oc2=[oc2(CONVICTED="0")])) == {1}


def test_191_passes():
    assert run("191", make(episodes=[long_stay()], oc2=[oc2(**OC2_FULL)])) == {}


def test_191_fails():
    eps = [long_stay("1"), long_stay("2")]
    result = run("191", make(episodes=eps, oc2=[oc2(**{**OC2_FULL, "TEETH_CHECK": ""})]))
    assert result == {"oc2": {1}, "episodes": {2}}


def test_192_passes():
    assert fails("192", make(oc2=[oc2(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0")])) == set()


def test_192_fails():
    assert fails("192", make(oc2=[oc2(SUBSTANCE_MISUSE="1")])) == {1}


def test_193_passes():
    assert (
        fails(
            "193",
            make(
                oc2=[
                    oc2(SUBSTANCE_MISUSE="0"),
                    oc2(CHILD="2", SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="1"),
                ]
            ),
        )
        == set()
    )


def test_193_fails():
    assert fails(
        "193",
        make(
            oc2=[
                oc2(SUBSTANCE_MISUSE="0", INTERVENTION_OFFERED="1"),
                oc2(CHILD="2", INTERVENTION_RECEIVED="0"),
            ]
        ),
    ) == {1, 2}


def test_196_passes():
    assert fails("196", make(oc2=[oc2(SDQ_REASON="SDQ5"), oc2(CHILD="2")])) == set()


def test_196_fails():
    assert fails("196", make(oc2=[oc2(SDQ_REASON="SDQ6")])) == {1}


def test_197a_passes():
    assert fails("197a", make(oc2=[oc2(SDQ_SCORE="5"), oc2(CHILD="2", SDQ_REASON="SDQ2")])) == set()


def test_197a_fails():
    assert fails("197a", make(oc2=[oc2(SDQ_SCORE="5", SDQ_REASON="SDQ2")])) == {1}


def test_197B_passes():
    eps = [long_stay("1"), long_stay("2")]
    rows = [oc2(DOB="01/06/2020", SDQ_REASON="SDQ1"), oc2(CHILD="2", DOB="01/06/2012")]
    assert fails("197B", make(episodes=eps, oc2=rows)) == set()


def test_197B_fails():
    eps = [long_stay("1"), long_stay("2")]
    rows = [oc2(DOB="01/06/2020"), oc2(CHILD="2", DOB="01/06/2007")]
    assert fails("197B", make(episodes=eps, oc2=rows)) == {1, 2}


def test_198_passes():
    assert fails("198", make(episodes=[long_stay()], oc2=[oc2(SDQ_REASON="SDQ2")])) == set()


def test_198_fails():
    assert fails("198", make(episodes=[new_entry()], oc2=[oc2(SDQ_REASON="SDQ2")])) == {1}


def test_199_passes():
    eps = [ep(DECOM="01/05/2024", DEC="01/10/2024", REC="E11")]
    assert fails("199", make(episodes=eps)) == set()


def test_199_fails():
    eps = [ep(DECOM="01/05/2024", DEC="01/10/2024", REC="E11"), ep(DECOM="01/12/2024")]
    assert fails("199", make(episodes=eps)) == {2}


def test_199_fails_on_adoption_recorded_in_an_earlier_year():
    last_year = {"episodes": [ep(DECOM="01/05/2022", DEC="01/10/2023", REC="E12")]}
    assert fails("199", make(previous=last_year, episodes=[ep(DECOM="01/06/2024")])) == {1}


# --- placement location from postcodes ---------------------------------------------------------


def test_164_passes():
    eps = [
        ep(HOME_POST="SW1A 1AA", PL_POST="M1 1AE"),
        ep(CHILD="2", HOME_POST="SW1A 1AA", PL_POST="ZZ1 1ZZ", LS="V3"),  # short break
    ]
    assert fails("164", make(episodes=eps)) == set()


def test_164_fails():
    assert fails("164", make(episodes=[ep(HOME_POST="SW1A 1AA", PL_POST="ZZ1 1ZZ")])) == {1}


def test_164_excludes_children_uasc_last_year():
    eps = [ep(HOME_POST="SW1A 1AA", PL_POST="ZZ1 1ZZ")]
    last = {"uasc": [{"CHILD": "1", "SEX": "M", "DOB": "01/06/2008"}]}
    assert fails("164", make(previous=last, episodes=eps)) == set()


@pytest.mark.parametrize("code", ["169", "179"])
def test_169_179(code):
    good = [ep(PL_POST="CF10 1EP"), ep(PL_POST="M1 1"), ep(PL_POST="", LS="V4")]
    assert fails(code, make(episodes=good)) == set()
    assert fails(code, make(episodes=[ep(PL_POST="ZZ1 1ZZ"), ep(PL_POST="")])) == {1, 2}


def test_169_passes():
    assert fails("169", make(episodes=[ep(PL_POST="SW1A 1AA")])) == set()


def test_169_fails():
    assert fails("169", make(episodes=[ep(PL_POST="ZZ9 9ZZ")])) == {1}


def test_179_passes():
    assert fails("179", make(episodes=[ep(PL_POST="SW1A 1AA")])) == set()


def test_179_fails():
    assert fails("179", make(episodes=[ep(PL_POST="")])) == {1}
