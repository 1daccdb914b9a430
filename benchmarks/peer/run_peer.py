"""Run the peer model (cs-demand-model, PyPI 0.5.1) inside its own venv; print JSON.

    /tmp/peer-venv/bin/python benchmarks/peer/run_peer.py DATA_DIR REF_START REF_END DAYS [CHECK_DATES...]

DATA_DIR holds YEAR/episodes.csv and YEAR/header.csv (dd/mm/YYYY dates). Prints the seconds the
deterministic projection took and the predicted total children looked after (the "Not in care"
columns, which accumulate everyone who left, are dropped) on each CHECK_DATE.
"""

import json
import sys
import time
from datetime import date

import pandas as pd
from cs_demand_model import DemandModellingDataContainer, ModelPredictor, PopulationStats
from cs_demand_model.config import Config
from cs_demand_model.datastore import fs_datastore


def main() -> None:
    source, ref_start, ref_end, days = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    checks = sys.argv[5:]
    t0 = time.perf_counter()
    config = Config()
    dc = DemandModellingDataContainer(fs_datastore(source), config)
    stats = PopulationStats(dc.enriched_view, config)
    t1 = time.perf_counter()
    predictor = ModelPredictor.from_model(stats, date.fromisoformat(ref_start), date.fromisoformat(ref_end))
    pop = predictor.predict(days)
    t2 = time.perf_counter()
    keep = [c for c in pop.columns if "Not in care" not in str(c)]
    total = pop[keep].sum(axis=1)
    out = {"prepare_seconds": t1 - t0, "predict_seconds": t2 - t1, "totals": {}}
    for d in checks:
        ts = pd.Timestamp(d)
        near = total.index[total.index.get_indexer([ts], method="nearest")[0]]
        out["totals"][d] = float(total.loc[near])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
