"""Spec tests for the DfE social worker episode rules SW01-SW17: one passing and one failing case each."""

from __future__ import annotations

import pytest
from rule_helpers import context as make
from rule_helpers import run

SW = "social_worker_episodes"


def sw(child="1", sw_id="SW123", decom="01/05/2024", dec=None, reason="MANAGE") -> dict:
    return {
        "CHILD": child,
        "DOB": "01/01/2010",
        "SW_ID": sw_id,
        "SW_DECOM": decom,
        "SW_DEC": dec,
        "SW_REASON": reason,
    }


def ep(child="1", decom="01/05/2024", dec=None, rne="S", ls="C2", rec=None) -> dict:
    return {
        "CHILD": child,
        "DECOM": decom,
        "DEC": dec,
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": "U1",
        "PLACE_PROVIDER": "PR1",
        "REC": rec,
    }


# SW01STG1 (2023-24) ------------------------------------------------------------------------------


def test_SW01STG1_passes():
    ctx = make(
        2023, episodes=[ep(decom="01/05/2023")], social_worker_episodes=[sw(decom="01/05/2023")]
    )
    assert run("SW01STG1", ctx) == {}


def test_SW01STG1_fails():
    ctx = make(
        2023,
        episodes=[ep(decom="01/05/2023"), ep(child="2", decom="01/05/2023", ls="V3")],
        social_worker_episodes=[sw(child="3")],
    )
    assert run("SW01STG1", ctx) == {"episodes": {1}}


# SW01a / SW01b (2024-25 on) ----------------------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_SW01aSTG1_passes(year):
    ctx = make(year, social_worker_episodes=[sw(decom="01/01/2023", reason=None), sw(sw_id=None)])
    assert run("SW01aSTG1", ctx) == {}


@pytest.mark.parametrize("year", [2024, 2025])
def test_SW01aSTG1_fails(year):
    ctx = make(year, social_worker_episodes=[sw(decom="01/01/2023", sw_id=None), sw(decom=None)])
    assert run("SW01aSTG1", ctx) == {SW: {1, 2}}


def test_SW01bSTG1_passes():
    ctx = make(2024, social_worker_episodes=[sw(), sw(decom="01/01/2022", reason=None)])
    assert run("SW01bSTG1", ctx) == {}


def test_SW01bSTG1_fails():
    ctx = make(2024, social_worker_episodes=[sw(reason=None), sw(sw_id=None), sw(decom=None), sw()])
    assert run("SW01bSTG1", ctx) == {SW: {1, 2, 3}}


# SW02 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_SW02STG1_passes(year):
    ctx = make(year, social_worker_episodes=[sw(sw_id="SW1234"), sw(sw_id="XX99"), sw(sw_id=None)])
    assert run("SW02STG1", ctx) == {}


@pytest.mark.parametrize("year", [2023, 2025])
def test_SW02STG1_fails(year):
    ctx = make(year, social_worker_episodes=[sw(sw_id="AB1234"), sw(sw_id="SW1234")])
    assert run("SW02STG1", ctx) == {SW: {1}}


def test_SW02STG1_bare_prefix_fails_from_2025_only():
    rows = [sw(sw_id="SW")]
    assert run("SW02STG1", make(2024, social_worker_episodes=rows)) == {}
    assert run("SW02STG1", make(2025, social_worker_episodes=rows)) == {SW: {1}}


# SW03 (2023-24) ----------------------------------------------------------------------------------


def test_SW03STG1_passes():
    assert run("SW03STG1", make(2023, social_worker_episodes=[sw(decom="01/05/2023")])) == {}


def test_SW03STG1_fails():
    ctx = make(
        2023, social_worker_episodes=[sw(decom="01/05/2023", reason=None), sw(decom="01/06/2023")]
    )
    assert run("SW03STG1", ctx) == {SW: {1}}


# SW04 / SW05 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2023, 2025])
def test_SW04STG1_passes(year):
    assert run("SW04STG1", make(year, social_worker_episodes=[sw(decom="01/05/2023")])) == {}


@pytest.mark.parametrize("year", [2023, 2025])
def test_SW04STG1_fails(year):
    ctx = make(year, social_worker_episodes=[sw(decom="31/02/2024"), sw()])
    assert run("SW04STG1", ctx) == {SW: {1}}


def test_SW04STG1_blank_fails_from_2025():
    rows = [sw(decom=None)]
    assert run("SW04STG1", make(2024, social_worker_episodes=rows)) == {}
    assert run("SW04STG1", make(2025, social_worker_episodes=rows)) == {SW: {1}}


def test_SW05STG1_passes():
    assert (
        run("SW05STG1", make(2024, social_worker_episodes=[sw(dec="01/06/2024"), sw(dec=None)]))
        == {}
    )


def test_SW05STG1_fails():
    assert run("SW05STG1", make(2024, social_worker_episodes=[sw(dec="2024-13-01x")])) == {SW: {1}}


# SW06 / SW07 -------------------------------------------------------------------------------------


def test_SW06STG2_passes():
    assert run("SW06STG2", make(2024, social_worker_episodes=[sw(decom="31/03/2025")])) == {}


def test_SW06STG2_fails():
    assert run("SW06STG2", make(2024, social_worker_episodes=[sw(decom="01/04/2025")])) == {SW: {1}}


def test_SW07STG2_passes():
    ctx = make(
        2024,
        social_worker_episodes=[sw(decom="01/03/2023", dec="01/04/2023"), sw(dec="31/03/2025")],
    )
    assert run("SW07STG2", ctx) == {}


def test_SW07STG2_fails():
    ctx = make(
        2024,
        social_worker_episodes=[sw(decom="01/01/2023", dec="31/03/2023"), sw(dec="01/04/2025")],
    )
    assert run("SW07STG2", ctx) == {SW: {1, 2}}


# SW08 / SW14 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code,year", [("SW08STG2", 2024), ("SW14STG2", 2023)])
def test_SW08STG2_SW14STG2_passes(code, year):
    ctx = make(
        year,
        social_worker_episodes=[sw(decom="01/05/2023", dec="01/06/2023"), sw(decom="01/06/2023")],
    )
    assert run(code, ctx) == {}


@pytest.mark.parametrize("code,year", [("SW08STG2", 2024), ("SW14STG2", 2023)])
def test_SW08STG2_SW14STG2_fails(code, year):
    ctx = make(year, social_worker_episodes=[sw(decom="01/05/2023"), sw(decom="01/06/2023")])
    assert run(code, ctx) == {SW: {1}}


# SW09 / SW10 -------------------------------------------------------------------------------------


def test_SW09STG2_passes():
    assert (
        run(
            "SW09STG2",
            make(2024, social_worker_episodes=[sw(decom="01/05/2024", dec="02/05/2024")]),
        )
        == {}
    )


def test_SW09STG2_fails():
    assert run(
        "SW09STG2", make(2024, social_worker_episodes=[sw(decom="01/05/2024", dec="01/05/2024")])
    ) == {SW: {1}}


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW09STG2_from_2025_same_day_only(year):
    """From 2025-26 an end before the start is SW18STG2's; SW09 keeps the same-day episode."""
    rows = [
        sw(decom="01/05/2025", dec="01/05/2025"),
        sw(child="2", decom="01/05/2025", dec="30/04/2025"),
    ]
    assert run("SW09STG2", make(year, social_worker_episodes=rows)) == {SW: {1}}


def test_SW10STG2_passes():
    ctx = make(
        2024,
        social_worker_episodes=[
            sw(decom="01/05/2024", dec="20/06/2024"),
            sw(decom="15/06/2024"),  # within the 7-day handover
            sw(child="2", decom="01/05/2024", dec="20/06/2024"),
            sw(child="2", decom="01/06/2024", reason="FCONTA"),  # first contact: exempt
        ],
    )
    assert run("SW10STG2", ctx) == {}


def test_SW10STG2_fails():
    ctx = make(
        2024,
        social_worker_episodes=[sw(decom="01/05/2024", dec="20/06/2024"), sw(decom="01/06/2024")],
    )
    assert run("SW10STG2", ctx) == {SW: {2}}


# SW11a / SW11b / SW17 ----------------------------------------------------------------------------


def test_SW11aSTG2_passes():
    ctx = make(
        2023,
        social_worker_episodes=[sw(decom="01/05/2023", dec="01/06/2023"), sw(decom="03/06/2023")],
    )
    assert run("SW11aSTG2", ctx) == {}


def test_SW11aSTG2_fails():
    ctx = make(
        2023,
        social_worker_episodes=[sw(decom="01/05/2023", dec="01/06/2023"), sw(decom="01/08/2023")],
    )
    assert run("SW11aSTG2", ctx) == {SW: {1}}


def test_SW11bSTG2_passes():
    ctx = make(
        2024,
        episodes=[ep(child="2", dec="01/06/2024", rec="E4A")],
        social_worker_episodes=[sw(decom="01/05/2024"), sw(child="2", dec="01/06/2024")],
    )
    assert run("SW11bSTG2", ctx) == {}


def test_SW11bSTG2_fails():
    ctx = make(
        2024, episodes=[ep()], social_worker_episodes=[sw(decom="01/05/2024", dec="01/06/2024")]
    )
    assert run("SW11bSTG2", ctx) == {SW: {1}}


def test_SW17STG2_passes():
    ctx = make(
        2025,
        social_worker_episodes=[sw(decom="01/05/2025", dec="01/06/2025"), sw(decom="01/06/2025")],
    )
    assert run("SW17STG2", ctx) == {}


def test_SW17STG2_fails():
    ctx = make(
        2025,
        social_worker_episodes=[sw(decom="01/05/2025"), sw(decom="01/06/2025", dec="01/07/2025")],
    )
    assert run("SW17STG2", ctx) == {SW: {2}}


# SW12 / SW13 -------------------------------------------------------------------------------------


def test_SW12STG2_passes():
    ctx = make(
        2024,
        episodes=[ep(decom="01/01/2020"), ep(child="2", decom="01/09/2024")],
        social_worker_episodes=[sw(decom="01/01/2024"), sw(child="2", decom="01/08/2024")],
    )
    assert run("SW12STG2", ctx) == {}


def test_SW12STG2_fails():
    ctx = make(
        2024,
        episodes=[ep(decom="01/01/2020"), ep(child="2", decom="01/09/2024")],
        social_worker_episodes=[sw(decom="01/06/2024")],
    )
    assert run("SW12STG2", ctx) == {SW: {1}, "episodes": {2}}


def test_SW13STG1_passes():
    ctx = make(
        2023, social_worker_episodes=[sw(decom="01/05/2023", reason=None), sw(decom="01/06/2023")]
    )
    assert run("SW13STG1", ctx) == {}
    assert run("SW13STG1", make(2024, social_worker_episodes=[sw(reason=None)])) == {}


@pytest.mark.parametrize("year", [2023, 2024, 2026])
def test_SW13STG1_fails(year):
    ctx = make(
        year, social_worker_episodes=[sw(decom="01/05/2023"), sw(decom="01/06/2023", reason="LAZY")]
    )
    assert run("SW13STG1", ctx) == {SW: {2}}


def test_SW13STG1_blank_change_reason_fails_in_2023_only():
    rows = [sw(decom="01/05/2023"), sw(decom="01/06/2023", reason=None)]
    assert run("SW13STG1", make(2023, social_worker_episodes=rows)) == {SW: {2}}


# SW10a / SW10b / SW18 / SW19 (2025-26 on) --------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW10aSTG2_passes(year):
    ctx = make(
        year,
        social_worker_episodes=[
            sw(decom="01/05/2025", dec="20/06/2025"),
            sw(decom="13/06/2025", dec="01/08/2025"),  # 7 days' overlap: handover
            sw(decom="08/08/2025"),  # 7 days' gap
            sw(child="2", decom="01/05/2025", dec="20/06/2025"),
            sw(child="2", decom="01/10/2025", reason="FCONTA"),  # a new first contact after a gap
            sw(child="3", decom="01/05/2025"),  # open, then another: SW08's business, not SW10a's
            sw(child="3", decom="01/09/2025"),
        ],
    )
    assert run("SW10aSTG2", ctx) == {}


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW10aSTG2_fails(year):
    ctx = make(
        year,
        social_worker_episodes=[
            sw(decom="01/05/2025", dec="20/06/2025"),
            sw(decom="12/06/2025", dec="01/08/2025"),  # 8 days before the previous ended
            sw(decom="10/08/2025", reason=None),  # 9 days after it ended, no reason
        ],
    )
    assert run("SW10aSTG2", ctx) == {SW: {2, 3}}


@pytest.mark.parametrize("code", ["SW10aSTG2", "SW10bSTG2", "SW18STG2", "SW19STG2"])
def test_new_SW_rules_run_from_2025(code):
    from carewise.validate.engine import registered

    assert [(r.first_year, r.last_year) for r in registered()[code]] == [(2025, 2026)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW10bSTG2_passes(year):
    ctx = make(
        year,
        social_worker_episodes=[
            sw(decom="01/05/2025", dec="20/06/2025"),
            sw(decom="21/06/2025", reason="FCONTA"),
            sw(child="2", decom="01/05/2025", dec="20/06/2025"),
            sw(child="2", decom="15/06/2025", reason="MANAGE"),  # handover: not a first contact
            sw(child="3", decom="01/05/2025", reason="FCONTA"),  # the child's first episode
        ],
    )
    assert run("SW10bSTG2", ctx) == {}


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW10bSTG2_fails(year):
    ctx = make(
        year,
        social_worker_episodes=[
            sw(decom="01/05/2025", dec="20/06/2025"),
            sw(decom="20/06/2025", reason="FCONTA"),  # the day the previous ended
        ],
    )
    assert run("SW10bSTG2", ctx) == {SW: {2}}


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW18STG2_passes(year):
    rows = [
        sw(decom="01/05/2025", dec="02/05/2025"),
        sw(child="2", decom="01/05/2025", dec="01/05/2025"),  # same day: SW09's business
        sw(child="3", decom="01/05/2025"),
    ]
    assert run("SW18STG2", make(year, social_worker_episodes=rows)) == {}


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW18STG2_fails(year):
    rows = [sw(decom="01/05/2025", dec="30/04/2025")]
    assert run("SW18STG2", make(year, social_worker_episodes=rows)) == {SW: {1}}


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW19STG2_passes(year):
    rows = [
        sw(decom="01/05/2025", dec="01/06/2025"),
        sw(decom="01/06/2025"),
        sw(child="2", decom="01/05/2025"),  # another child on the same day
    ]
    assert run("SW19STG2", make(year, social_worker_episodes=rows)) == {}


@pytest.mark.parametrize("year", [2025, 2026])
def test_SW19STG2_fails(year):
    rows = [
        sw(decom="01/05/2025", dec="01/06/2025"),
        sw(decom="01/06/2025"),
        sw(decom="01/05/2025", dec="03/05/2025", sw_id="SW999"),
    ]
    assert run("SW19STG2", make(year, social_worker_episodes=rows)) == {SW: {1, 3}}
