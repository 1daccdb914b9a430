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

from typing import TYPE_CHECKING

from carewise.lazy import lazy_names

if TYPE_CHECKING:  # the names as the type checker sees them; at run time, imported on first use
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
    from carewise.forecast.states import (
        AGE_BANDS,
        CATEGORIES,
        CATEGORY_LABELS,
        EXIT,
        category_expr,
    )

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

# Imported on first use, so a command that only lists saved scenarios (forecast.scenarios) does
# not load polars and the whole model.
__getattr__ = lazy_names(__name__, {
    **dict.fromkeys(["Rates", "fit"], "carewise.forecast.estimate"),
    **dict.fromkeys(["QUANTILES", "FittedModel", "fit_model", "project", "summarise",
                     "summarise_difference"], "carewise.forecast.model"),
    **dict.fromkeys(["Projection", "StartingPopulation", "deterministic", "month_ends", "simulate"],
                    "carewise.forecast.simulate"),
    **dict.fromkeys(["spells", "stock_on"], "carewise.forecast.spells"),
    **dict.fromkeys(["AGE_BANDS", "CATEGORIES", "CATEGORY_LABELS", "EXIT", "category_expr"],
                    "carewise.forecast.states"),
})
