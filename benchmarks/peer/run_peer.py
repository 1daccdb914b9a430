"""Run the peer model (cs-demand-model, PyPI 0.5.1) inside its own venv; print JSON.

    .peer/demand-venv/bin/python benchmarks/peer/run_peer.py DATA_DIR REF_START REF_END [CHECK_DATES...]

DATA_DIR holds YEAR/episodes.csv and YEAR/header.csv (dd/mm/YYYY dates). The projection starts
from the stock on REF_END and runs daily to the last CHECK_DATE. Prints the seconds taken, the
total children looked after at the start (to check by hand against the 903 count) and the
predicted total on each CHECK_DATE.

The peer's frame has a column per (age band, category) and its exit columns, named like
``('TEN_TO_SIXTEEN', 'NOT_IN_CARE')``, accumulate everyone who has left since the start: they
are dropped before summing (:func:`in_care_columns`).
"""

import json
import sys
import time
from datetime import date

import pandas as pd
from cs_demand_model import DemandModellingDataContainer, ModelPredictor, PopulationStats
from cs_demand_model.config import Config
from cs_demand_model.datastore import fs_datastore


def is_exit(level) -> bool:
    """True for the peer's "Not in care" state, however it is spelled (enum, name or label)."""
    text = str(getattr(level, "name", level)).upper().replace(" ", "_")
    return text.endswith("NOT_IN_CARE")


def in_care_columns(columns) -> list:
    """The (band, category) columns of children in care: every column with no exit level."""
    keep = []
    for col in columns:
        levels = col if isinstance(col, tuple) else (col,)
        if not any(is_exit(level) for level in levels):
            keep.append(col)
    return keep


def main() -> None:
    source, ref_start, ref_end = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    checks = [date.fromisoformat(d) for d in sys.argv[4:]]
    t0 = time.perf_counter()
    config = Config()
    dc = DemandModellingDataContainer(fs_datastore(source), config)
    stats = PopulationStats(dc.enriched_view, config)
    t1 = time.perf_counter()
    predictor = ModelPredictor.from_model(stats, ref_start, ref_end)
    days = max((max(checks) - ref_end).days, 1) if checks else 3 * 365
    pop = predictor.predict(days)
    t2 = time.perf_counter()
    keep = in_care_columns(pop.columns)
    dropped = [str(c) for c in pop.columns if c not in keep]
    total = pop[keep].sum(axis=1)
    total.index = pd.DatetimeIndex(total.index)
    start_stock = stats.stock.loc[: pd.Timestamp(ref_end)].iloc[-1]  # the stock after the last change
    out = {
        "prepare_seconds": t1 - t0,
        "predict_seconds": t2 - t1,
        "columns_dropped": dropped,
        "start_total": float(start_stock[in_care_columns(start_stock.index)].sum()),
        "totals": {},
    }
    for d in checks:
        out["totals"][d.isoformat()] = float(total.loc[pd.Timestamp(d)])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
