#!/usr/bin/env bash
# Give the peer model (data-to-insight's cs-demand-model, PyPI) its own virtual environment.
#
# It pins pandas<2 and numpy<2, which cannot live beside carewise's numpy>=2, so the forecast
# benchmark (benchmarks/test_bench_forecast.py) calls it through a subprocess in this venv and
# skips with a message when the venv is absent.
#
#   bash benchmarks/peer/setup_peer.sh            # creates .peer/demand-venv in the repository (git-ignored)
#   PEER_VENV=/somewhere bash benchmarks/peer/setup_peer.sh
set -euo pipefail
PEER_VENV="${PEER_VENV:-$(cd "$(dirname "$0")/../.." && pwd)/.peer/demand-venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$PEER_VENV/bin/python" ]; then
    "$PYTHON" -m venv "$PEER_VENV"
fi
"$PEER_VENV/bin/python" -m pip install --quiet --upgrade pip
"$PEER_VENV/bin/python" -m pip install --quiet "cs-demand-model==0.5.1"
"$PEER_VENV/bin/python" -c "import cs_demand_model, pandas, numpy; print('peer ready:', cs_demand_model.__file__, 'pandas', pandas.__version__, 'numpy', numpy.__version__)"
