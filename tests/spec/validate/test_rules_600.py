"""Spec tests for DfE 903 rules 600-699: one passing and one failing minimal return per rule."""

from __future__ import annotations

import pytest
from rule_helpers import ep_short as ep
from rule_helpers import run_tables as run

from carewise.returns.years import CollectionYear

Y = "2024-25"


AD1_FULL = dict(
    DATE_INT="01/01/2024",
    DATE_MATCH="01/02/2024",
    FOSTER_CARE="0",
    NB_ADOPTR="2",
    SEX_ADOPTR="MF",
    LS_ADOPTR="L11",
)
ADOPTED = [ep("1", "01/01/2024", "01/06/2024", REC="E11")]


def test_601_passes():
    assert run("601", episodes=ADOPTED, ad1=[{"CHILD": "1", **AD1_FULL}]) == {}


def test_601_fails():
    partial = {**AD1_FULL, "DATE_MATCH": None}
    assert run("601", episodes=ADOPTED, ad1=[{"CHILD": "1", **partial}]) == {
        "episodes": [1],
        "ad1": [1],
    }


def test_601_fails_without_ad1_record():
    assert run("601", episodes=ADOPTED, ad1=[{"CHILD": "2", **AD1_FULL}]) == {"episodes": [1]}


def test_602_passes():
    assert run("602", episodes=ADOPTED, ad1=[{"CHILD": "1", **AD1_FULL}]) == {}


def test_602_fails():
    eps = [ep("1", "01/01/2024", "01/06/2024", REC="E13")]
    assert run("602", episodes=eps, ad1=[{"CHILD": "1", **AD1_FULL}]) == {"ad1": [1]}


@pytest.mark.parametrize("year,female", [("2023-24", "2"), ("2024-25", "F")])
def test_607_passes(year, female):
    eps = [ep("1", "01/01/2024", "01/06/2024", REC="E13", LS="C2")]
    header = [{"CHILD": "1", "SEX": female, "MOTHER": "0"}]
    assert run("607", year, episodes=eps, header=header) == {}


@pytest.mark.parametrize("year,female", [("2023-24", "2"), ("2024-25", "F")])
def test_607_fails(year, female):
    start = CollectionYear.parse(year).start_year
    eps = [ep("1", "01/01/2024", f"01/06/{start}", REC="E13", LS="C2")]
    header = [{"CHILD": "1", "SEX": female, "MOTHER": None}]
    assert run("607", year, episodes=eps, header=header) == {"episodes": [1], "header": [1]}


def test_611_passes():
    assert run("611", header=[{"CHILD": "1", "MOTHER": "1", "MC_DOB": "01/01/2024"}]) == {}


def test_611_fails():
    assert run("611", header=[{"CHILD": "1", "MOTHER": "1"}]) == {"header": [1]}


@pytest.mark.parametrize("year,female", [("2023-24", "2"), ("2024-25", "F")])
def test_612_passes(year, female):
    header = [{"CHILD": "1", "SEX": female, "MOTHER": "1", "MC_DOB": "01/01/2024"}]
    assert run("612", year, header=header) == {}


@pytest.mark.parametrize("year,female", [("2023-24", "2"), ("2024-25", "F")])
def test_612_fails(year, female):
    header = [{"CHILD": "1", "SEX": female, "MOTHER": "0", "MC_DOB": "01/01/2024"}]
    assert run("612", year, header=header) == {"header": [1]}


def test_620_passes():
    assert run("620", header=[{"CHILD": "1", "DOB": "01/04/2013", "MOTHER": "1"}]) == {}


def test_620_fails():
    assert run("620", header=[{"CHILD": "1", "DOB": "02/04/2013", "MOTHER": "1"}]) == {
        "header": [1]
    }


def test_621_passes():
    assert run("621", header=[{"CHILD": "1", "DOB": "01/04/2008", "MC_DOB": "01/01/2024"}]) == {}


def test_621_fails():
    assert run("621", header=[{"CHILD": "1", "DOB": "01/04/2008", "MC_DOB": "01/04/2008"}]) == {
        "header": [1]
    }


def test_624_passes():
    last = {"header": [{"CHILD": "1", "MC_DOB": "01/01/2024"}]}
    assert run("624", last=last, header=[{"CHILD": "1", "MC_DOB": "01/01/2024"}]) == {}


def test_624_fails():
    last = {"header": [{"CHILD": "1", "MC_DOB": "01/01/2024"}]}
    assert run("624", last=last, header=[{"CHILD": "1", "MC_DOB": "02/01/2024"}]) == {"header": [1]}


def test_624_passes_when_mc_dob_is_left_blank_this_year():
    """A blank MC_DOB contradicts nothing (motherhood details are not required every year)."""
    last = {"header": [{"CHILD": "1", "MC_DOB": "01/01/2024"}]}
    assert run("624", last=last, header=[{"CHILD": "1", "MC_DOB": None}]) == {}


def test_625_passes():
    eps = [ep("1", "01/01/2024", "01/06/2024", REC="E13")]
    assert run("625", episodes=eps, header=[{"CHILD": "1", "MC_DOB": "01/06/2024"}]) == {}


def test_625_fails():
    eps = [ep("1", "01/01/2024", "01/06/2024", REC="E13"), ep("2", "01/01/2024")]
    header = [{"CHILD": "1", "MC_DOB": "02/06/2024"}, {"CHILD": "2", "MC_DOB": "01/04/2025"}]
    assert run("625", episodes=eps, header=header) == {"header": [1, 2], "episodes": [1]}


def test_626_passes():
    last = {"header": [{"CHILD": "1", "MOTHER": "0"}]}
    header = [{"CHILD": "1", "MOTHER": "1", "MC_DOB": "01/05/2024"}]
    assert run("626", last=last, header=header) == {}


def test_626_fails():
    last = {"header": [{"CHILD": "1", "MOTHER": "0"}]}
    header = [{"CHILD": "1", "MOTHER": "1", "MC_DOB": "01/03/2024"}]
    assert run("626", last=last, header=header) == {"header": [1]}


def test_628_passes():
    header = [{"CHILD": "1", "MOTHER": None}]
    assert (
        run(
            "628",
            header=header,
            episodes=[ep("2", "01/05/2024")],
            oc3=[{"CHILD": "1", "IN_TOUCH": "YES"}],
        )
        == {}
    )


def test_628_fails():
    header = [{"CHILD": "1", "MOTHER": "0"}]
    assert run(
        "628",
        header=header,
        episodes=[ep("2", "01/05/2024")],
        oc3=[{"CHILD": "1", "IN_TOUCH": "YES"}],
    ) == {"header": [1]}


def pp(**kw) -> dict:
    return {"CHILD": "1", **kw}


def test_630_passes():
    eps = [ep("1", "01/05/2024", RNE="S"), ep("2", "01/05/2024", RNE="S")]
    prev = [
        pp(PREV_PERM="P1", LA_PERM="202", DATE_PERM="ZZ/ZZ/2019"),
        pp(CHILD="2", PREV_PERM="Z1"),
    ]
    assert run("630", episodes=eps, previous_permanence=prev) == {}


def test_630_fails():
    eps = [ep("1", "01/05/2024", RNE="S"), ep("2", "01/05/2024", RNE="S")]
    assert run("630", episodes=eps, previous_permanence=[pp(PREV_PERM="P2")]) == {
        "episodes": [1, 2]
    }


def test_631_passes():
    assert run("631", previous_permanence=[pp(PREV_PERM="P4"), pp(CHILD="2")]) == {}


def test_631_fails():
    assert run("631", previous_permanence=[pp(PREV_PERM="P5")]) == {"previous_permanence": [1]}


@pytest.mark.parametrize("date", ["17/06/2001", "ZZ/05/2021", "05/ZZ/2020", "ZZ/ZZ/ZZZZ"])
def test_632_passes(date):
    eps = [ep("1", "01/06/2022")]
    assert run("632", episodes=eps, previous_permanence=[pp(DATE_PERM=date)]) == {}


@pytest.mark.parametrize("date", ["xx/10/2011", "31/02/2020", "01/06/2022", "ZZ/ZZ/ZZ"])
def test_632_fails(date):
    eps = [ep("1", "01/06/2022")]
    assert run("632", episodes=eps, previous_permanence=[pp(DATE_PERM=date)]) == {
        "previous_permanence": [1],
        "episodes": [1],
    }


def test_633_passes():
    assert run("633", previous_permanence=[pp(LA_PERM="202"), pp(LA_PERM="SCO")]) == {}


def test_633_fails():
    assert run("633", previous_permanence=[pp(LA_PERM="458")]) == {"previous_permanence": [1]}


def test_634_passes():
    eps = [ep("1", "01/04/2016")]
    assert run("634", episodes=eps, previous_permanence=[pp(PREV_PERM="Z1")]) == {}


def test_634_fails():
    eps = [ep("1", "31/03/2016")]
    assert run("634", episodes=eps, previous_permanence=[pp(PREV_PERM="Z1")]) == {
        "previous_permanence": [1],
        "episodes": [1],
    }


def test_635_passes():
    assert run("635", previous_permanence=[pp(PREV_PERM="P1", LA_PERM="202")]) == {}


@pytest.mark.parametrize("code", ["Z1", None])
def test_635_fails(code):
    prev = [pp(PREV_PERM=code, LA_PERM="202", DATE_PERM="01/01/2020")]
    assert run("635", previous_permanence=prev) == {"previous_permanence": [1]}
