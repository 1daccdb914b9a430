"""Tiny hand-built councils for the measure spec tests: each test works its answer out by hand."""

from __future__ import annotations

import pytest

from carewise.history import History, stitch
from carewise.measures import MeasureResult, Options, evaluate
from carewise.returns.build import return_from_rows


def make_history(**years: dict[str, list[dict[str, object]]]) -> History:
    """``make_history(y2024={"header": [...], "episodes": [...]})``: one return per year."""
    returns = [return_from_rows(int(key[1:]), **tables) for key, tables in years.items()]
    return stitch(returns)


def measure(
    history: History,
    mid: str,
    period: str = "2024-25",
    la_code: str | None = None,
    audience: str = "internal",
    options: Options | None = None,
) -> MeasureResult:
    (result,) = evaluate(history, period, la_code, audience, ids=[mid], options=options)
    return result


def child(child_id: str, dob: str, sex: str = "M", ethnic: str = "WBRI") -> dict[str, object]:
    return {"CHILD": child_id, "SEX": sex, "DOB": dob, "ETHNIC": ethnic}


def ep(
    child_id: str,
    decom: str,
    rne: str = "S",
    dec: str | None = None,
    rec: str | None = None,
    ls: str = "C2",
    place: str = "U4",
    provider: str = "PR1",
    cin: str = "N1",
    pl_post: str | None = None,
) -> dict[str, object]:
    return {
        "CHILD": child_id,
        "DECOM": decom,
        "RNE": rne,
        "LS": ls,
        "CIN": cin,
        "PLACE": place,
        "PLACE_PROVIDER": provider,
        "DEC": dec,
        "REC": rec,
        "PL_POST": pl_post,
    }


@pytest.fixture
def helpers():
    class H:
        pass

    h = H()
    h.make_history = make_history
    h.measure = measure
    h.child = child
    h.ep = ep
    return h
