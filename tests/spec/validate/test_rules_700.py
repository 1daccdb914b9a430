"""Spec tests for DfE 903 rules 700-710 (deprivation of liberty orders, 2026-27)."""

from __future__ import annotations

import pytest
from rule_helpers import ep_short as ep
from rule_helpers import run_tables

from carewise.returns.years import CollectionYear
from carewise.validate.engine import Skip, registered

Y = "2026-27"


def run(code: str, year: str = Y, last: dict | None = None, **tables) -> dict[str, list[int]]:
    """Run the rule registered for ``code`` in ``year`` (2026-27 unless given)."""
    return run_tables(code, year, last, **tables)


def dolo(
    start: str | None, end: str | None = None, child: str = "1", dob: str = "01/01/2012"
) -> dict:
    return {"CHILD": child, "DOB": dob, "DOLO_START": start, "DOLO_END": end}


@pytest.mark.parametrize("code", [f"{c}" for c in range(700, 711)])
def test_dolo_rules_only_from_2026(code):
    assert [r for r in registered()[code] if r.applies_to(CollectionYear(2026))]
    assert not [r for r in registered()[code] if r.applies_to(CollectionYear(2025))]


def test_700_passes():
    assert run("700", dolo=[dolo("01/05/2026")]) == {}


def test_700_fails():
    assert run("700", dolo=[dolo("31/02/2026"), dolo(None, "01/06/2026")]) == {"dolo": [1, 2]}


def test_701_passes():
    assert run("701", dolo=[dolo("01/05/2026"), dolo("01/05/2026", "01/06/2026")]) == {}


def test_701_fails():
    assert run("701", dolo=[dolo("01/05/2026", "2026/13/01")]) == {"dolo": [1]}


def test_702_passes():
    assert run("702", dolo=[dolo("01/05/2026", "01/05/2026")]) == {}


def test_702_fails():
    assert run("702", dolo=[dolo("01/05/2026", "30/04/2026")]) == {"dolo": [1]}


def test_703_passes():
    assert run("703", dolo=[dolo("31/03/2027")]) == {}


def test_703_fails():
    assert run("703", dolo=[dolo("01/04/2027")]) == {"dolo": [1]}


def test_704_passes():
    assert (
        run("704", dolo=[dolo("01/01/2026", "01/04/2026"), dolo("01/01/2027", "31/03/2027")]) == {}
    )


def test_704_fails():
    assert run(
        "704", dolo=[dolo("01/01/2026", "31/03/2026"), dolo("01/01/2027", "01/04/2027")]
    ) == {"dolo": [1, 2]}


def test_705_passes():
    assert run("705", dolo=[dolo("01/05/2026", "01/06/2026"), dolo("01/06/2026")]) == {}


def test_705_fails():
    orders = [
        dolo("01/05/2026"),
        dolo("01/06/2026", "05/06/2026"),
        dolo("01/05/2026", "01/06/2026", "2"),
    ]
    assert run("705", dolo=orders) == {"dolo": [2]}


LAST_DOLO = {"dolo": [dolo("01/03/2026")]}


def test_706_passes():
    assert run("706", last=LAST_DOLO, dolo=[dolo("01/03/2026", "01/05/2026")]) == {}


def test_706_fails():
    assert run("706", last=LAST_DOLO, dolo=[dolo("02/03/2026")]) == {"dolo": [1]}


def test_706_fails_on_episodes_when_order_missing():
    eps = [ep("1", "01/01/2026")]
    assert run("706", last=LAST_DOLO, dolo=[dolo("01/05/2026", child="2")], episodes=eps) == {
        "episodes": [1]
    }


def test_706_skips_without_last_years_dolo_table():
    last_without_dolo = {"episodes": [ep("1", "01/01/2026")]}
    with pytest.raises(Skip):
        run("706", last=last_without_dolo, dolo=[dolo("01/05/2026")])
    with pytest.raises(Skip):
        run("706", dolo=[dolo("01/05/2026")])


def test_707_passes():
    eps = [ep("1", "01/01/2026")]
    assert run("707", dolo=[dolo("01/05/2026")], episodes=eps) == {}


def test_707_fails():
    eps = [ep("1", "01/01/2026", "01/07/2026", REC="E13")]
    assert run("707", dolo=[dolo("01/05/2026")], episodes=eps) == {"dolo": [1]}


def test_708_passes():
    assert run("708", dolo=[dolo("02/01/2012", dob="01/01/2012")]) == {}


def test_708_fails():
    assert run("708", dolo=[dolo("01/01/2012", dob="01/01/2012")]) == {"dolo": [1]}


@pytest.mark.parametrize("place", ["K2", "Z12", "Z13"])
def test_709_passes(place):
    eps = [
        ep("1", "01/04/2026", "01/06/2026", PLACE="U1", REC="X1"),
        ep("1", "01/06/2026", PLACE=place),
    ]
    assert run("709", dolo=[dolo("02/06/2026", "01/09/2026")], episodes=eps) == {}


def test_709_fails():
    eps = [
        ep("1", "01/04/2026", "01/06/2026", PLACE="U1", REC="X1"),
        ep("1", "01/06/2026", PLACE="K2"),
    ]
    assert run("709", dolo=[dolo("01/05/2026", "01/09/2026")], episodes=eps) == {
        "dolo": [1],
        "episodes": [1],
    }


def test_710_passes():
    eps = [ep("1", "01/04/2026", PLACE="K2")]
    assert run("710", dolo=[dolo("01/05/2026", "01/09/2026")], episodes=eps) == {}


@pytest.mark.parametrize("place", ["K1", "P1", "R5", "K3"])
def test_710_fails(place):
    eps = [
        ep("1", "01/04/2026", "01/06/2026", PLACE="K2", REC="X1"),
        ep("1", "01/06/2026", PLACE=place),
    ]
    assert run("710", dolo=[dolo("01/05/2026", "01/09/2026")], episodes=eps) == {
        "dolo": [1],
        "episodes": [2],
    }
