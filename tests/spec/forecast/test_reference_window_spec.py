"""The reference window: rates on up to 36 months of the data; backtest cuts after two years."""

from __future__ import annotations

from datetime import date

from carewise.forecast.backtest import default_cuts
from carewise.forecast.model import DEFAULT_REFERENCE_MONTHS, fit_model
from carewise.history import stitch
from carewise.returns.build import return_from_rows

HEADER = [{"CHILD": "1", "SEX": "1", "DOB": "01/01/2012"}]
EPISODE = [{"CHILD": "1", "DECOM": "01/04/2020", "DEC": None, "PLACE": "U4", "PLACE_PROVIDER": "PR1",
            "RNE": "S", "REC": None, "LS": "C2", "CIN": "N1"}]


NEWCOMER = [{"CHILD": "2", "DECOM": "31/03/2024", "DEC": None, "PLACE": "U4", "PLACE_PROVIDER": "PR1",
             "RNE": "S", "REC": None, "LS": "C2", "CIN": "N1"}]


def _history(first_year: int, last_year: int):
    """One child in in-house foster care from 1 April 2020, still there: every return holds the
    open episode; and a second child starting on 31 March 2024 (1 child-day), so the window holds
    an entry (a window with no child starting or leaving care is refused: forecast.checks)."""
    return stitch([return_from_rows(y, episodes=EPISODE + (NEWCOMER if y == 2023 else []),
                                    header=HEADER + [{"CHILD": "2", "SEX": "1", "DOB": "01/01/2015"}] * (y == 2023))
                   for y in range(first_year, last_year + 1)])


def test_rates_use_the_36_months_to_the_start_when_held():
    """Four years held (2020-21 to 2023-24), forecast from 31 March 2024: the window is 1 April
    2021 to 31 March 2024 — 365 + 366 (29 February 2024) + 365 = 1,096 child-days, and the
    newcomer's 1."""
    assert DEFAULT_REFERENCE_MONTHS == 36
    rates = fit_model(_history(2020, 2023)).rates
    assert (rates.window_start, rates.window_end) == (date(2021, 4, 1), date(2024, 3, 31))
    assert rates.exposure.sum() == 1096 + 1


def test_rates_use_all_the_data_when_less_is_held():
    """Two years held (2022-23, 2023-24): the window starts with the data, 1 April 2022 —
    365 + 366 = 731 child-days, and the newcomer's 1."""
    rates = fit_model(_history(2022, 2023)).rates
    assert (rates.window_start, rates.window_end) == (date(2022, 4, 1), date(2024, 3, 31))
    assert rates.exposure.sum() == 731 + 1


def test_backtest_cuts_need_two_years_not_the_whole_window():
    """Four years held: quarter ends from 31 March 2022 (two years received) to 31 March 2023 (12
    months of outcomes left) — five cuts; requiring the whole 36-month window would leave one."""
    history = _history(2020, 2023)
    assert default_cuts(history) == [date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30),
                                     date(2022, 12, 31), date(2023, 3, 31)]
    assert default_cuts(history, DEFAULT_REFERENCE_MONTHS) == [date(2023, 3, 31)]
