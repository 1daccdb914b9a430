"""Sufficiency forecast: children looked after by age band and placement, costs, scenarios,
backtests and Personal Adviser caseloads (issue 6).

- :func:`fit_model` (rates over a reference window, children at the origin), :func:`project`
  (many seeded stochastic runs plus the deterministic mean), :func:`summarise` (median, 80% and
  95% intervals per date and state);
- :mod:`costs` — weekly unit costs per category, inflation, spend per year and financial year;
- :mod:`scenarios` — named, saved, comparable changes to flows (common random numbers);
- :mod:`backtest` — fit up to a cut date, forecast, compare with what happened;
- :mod:`pa_caseload` — care leavers needing a Personal Adviser at each 31 March;
- :mod:`charts` — Altair fan charts; :mod:`sweep` — many councils × scenarios on Dask.
"""

from carewise.forecast.estimate import Rates, fit
from carewise.forecast.model import (
    QUANTILES,
    FittedModel,
    fit_model,
    project,
    summarise,
    summarise_difference,
)
from carewise.forecast.simulate import (
    Projection,
    StartingPopulation,
    deterministic,
    month_ends,
    simulate,
)
from carewise.forecast.spells import spells, stock_on
from carewise.forecast.states import AGE_BANDS, CATEGORIES, CATEGORY_LABELS, EXIT, category_expr

__all__ = [
    "AGE_BANDS",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "EXIT",
    "QUANTILES",
    "FittedModel",
    "Projection",
    "Rates",
    "StartingPopulation",
    "category_expr",
    "deterministic",
    "fit",
    "fit_model",
    "month_ends",
    "project",
    "simulate",
    "spells",
    "stock_on",
    "summarise",
    "summarise_difference",
]
