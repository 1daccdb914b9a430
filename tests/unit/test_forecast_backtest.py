"""Backtest: each cut sees only the returns received by then; quarter-end cuts; separate scores."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carewise.errors import SettingError
from carewise.forecast.backtest import add_months, default_cuts, known_at, run_backtest
from carewise.forecast.known_rates import example_rates, known_council
from carewise.history import stitch
from carewise.returns.build import return_from_rows


def _episode(child: str, decom: str, dec: str | None, provider: str) -> dict:
    return {"CHILD": child, "DECOM": decom, "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4",
            "PLACE_PROVIDER": provider, "DEC": dec, "REC": "E11" if dec else None,
            "REASON_PLACE_CHANGE": None, "HOME_POST": None, "PL_POST": None, "URN": "SC123456"}


def _header(child: str) -> dict:
    return {"CHILD": child, "SEX": "1", "DOB": "01/01/2012", "ETHNIC": "WBRI", "UPN": None,
            "MOTHER": None, "MC_DOB": None}


def test_known_at_hides_a_later_correction():
    """The 2023-24 return recodes the provider of an episode reported open in 2022-23 (PR1 to
    PR4): a cut on 31 March 2023 must see PR1, as it was received then."""
    y22 = return_from_rows(2022, header=[_header("A")], episodes=[_episode("A", "01/06/2022", None, "PR1")])
    y23 = return_from_rows(2023, header=[_header("A")],
                           episodes=[_episode("A", "01/06/2022", "01/02/2024", "PR4")])
    returns = {y22.year: y22, y23.year: y23}
    then = known_at(returns, date(2023, 3, 31))
    assert then.episodes["PLACE_PROVIDER"].to_list() == ["PR1"]
    assert then.episodes["DEC"].to_list() == [None]
    assert then.last_date == date(2023, 3, 31)
    assert stitch(returns).episodes["PLACE_PROVIDER"].to_list() == ["PR4"]
    with pytest.raises(SettingError, match="No return had been received"):
        known_at(returns, date(2023, 3, 30))


@pytest.fixture(scope="module")
def council():
    known = example_rates()
    known.entries_per_year = 300
    return known_council(known, seed=4)


def test_cuts_are_quarter_ends_with_two_years_before_and_one_after(council):
    history = stitch(council)
    cuts = default_cuts(history)
    assert cuts, "the known council spans enough years"
    assert all((c.month, c.day) in {(3, 31), (6, 30), (9, 30), (12, 31)} for c in cuts)
    first, last = history.first_date, history.last_date
    assert all(add_months(c, 12) <= last for c in cuts)
    # two full years of returns received by the cut: the first cut is the third 31 March
    assert cuts[0] == date(first.year + 2, 3, 31)
    assert cuts[-1] == add_months(last, -12)


def test_forecast_starts_where_the_received_data_ends(council):
    history = stitch(council)
    cuts = default_cuts(history)
    bt = run_backtest(history, cuts=cuts, runs=50, returns=council)
    rows = bt.rows
    assert bt.as_received
    # a cut on 30 June uses the returns up to the 31 March before it
    june = rows.filter(pl.col("cut").dt.month() == 6)
    assert june.height and (june["data_end"] == june["cut"].dt.offset_by("-3mo").dt.month_end()).all()
    assert (rows["data_end"] <= rows["cut"]).all()


def test_total_and_categories_are_scored_separately(council):
    history = stitch(council)
    bt = run_backtest(history, runs=50, returns=council)
    summary = bt.summary()
    total12 = bt.rows.filter((pl.col("state") == "total") & (pl.col("horizon_months") == 12))
    assert summary["coverage_total_95_12m"] == pytest.approx(total12["inside_95"].mean())
    assert summary["mape_total_12m"] == pytest.approx(total12["ape"].mean() * 100)
    cal = bt.calibration()
    assert cal["state"][0] == "total"
    row = cal.filter((pl.col("state") == "total") & (pl.col("horizon_months") == 12)).row(0, named=True)
    assert row["coverage_95"] == pytest.approx(summary["coverage_total_95_12m"])
    assert row["cuts"] == summary["cuts"]
    assert set(cal["state"]) > {"total"}
