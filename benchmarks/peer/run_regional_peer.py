"""Run the regional peer (SocialFinanceDigitalLabs/cs-demand-model-regional, engine ``ssda903``)
inside its own venv; print JSON.

    .peer/regional/venv/bin/python benchmarks/peer/run_regional_peer.py SRC DATA_DIR REF_START REF_END START [CHECK_DATES...]

SRC is the folder holding the ``ssda903`` package (``setup_regional_peer.sh`` exports it from
the repository); DATA_DIR holds episodes.csv, header.csv and uasc.csv with LA and YEAR columns
and ISO dates (the regional data platform's layout). The projection is the app's
(``ssda903.predictor.predict``): rates on [REF_START, REF_END], daily from the stock on START.
Prints the seconds taken, the total at START, and on each CHECK_DATE the predicted total and
the app's band (population ± 2·√variance, summed over the in-care states).
"""

import io
import json
import math
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd


def main() -> None:
    src, folder = sys.argv[1], Path(sys.argv[2])
    ref_start, ref_end, start = (date.fromisoformat(d) for d in sys.argv[3:6])
    checks = [date.fromisoformat(d) for d in sys.argv[6:]]
    sys.path.insert(0, src)
    t0 = time.perf_counter()
    from ssda903 import DemandModellingDataContainer, PopulationStats
    from ssda903.datastore import DataFile, DataStore, Metadata
    from ssda903.predictor import predict

    class FolderDataStore(DataStore):
        """The regional app's DataStore over plain files (its own needs Django storage)."""

        def __init__(self, root: Path) -> None:
            self.root = root

        @property
        def files(self):
            for path in sorted(self.root.glob("*.csv")):
                yield DataFile(name=path.name, metadata=Metadata(name=path.name, size=path.stat().st_size))

        @contextmanager
        def open(self, file):
            yield io.BytesIO((self.root / file.name).read_bytes())

    dc = DemandModellingDataContainer(FolderDataStore(folder))
    stats = PopulationStats(dc.enriched_view, dc.data_start_date, dc.data_end_date)
    t1 = time.perf_counter()
    end = max(checks) if checks else start.replace(year=start.year + 3)
    prediction = predict(stats, ref_start, ref_end, start, end)
    t2 = time.perf_counter()
    pop, var = prediction.population, prediction.variance
    keep = [c for c in pop.columns if "not in care" not in str(c).lower()]
    start_stock = stats.stock_at(start)
    out = {
        "prepare_seconds": t1 - t0,
        "predict_seconds": t2 - t1,
        "columns_dropped": [str(c) for c in pop.columns if c not in keep],
        "start_total": float(start_stock[[c for c in start_stock.index if "not in care" not in str(c).lower()]].sum()),
        "totals": {},
        "sd": {},
    }
    for d in checks:
        row = pop.index.get_indexer([pd.Timestamp(d)], method="nearest")[0]
        out["totals"][d.isoformat()] = float(pop.iloc[row][keep].sum())
        out["sd"][d.isoformat()] = math.sqrt(float(var.iloc[row][keep].sum()))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
