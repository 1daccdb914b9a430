#!/usr/bin/env bash
# Give the peer validator (data-to-insight's csc-validator-be-903, PyPI) its own virtual environment.
#
# It brings its own pandas/numpy pins, so carewise never imports it: the validation benchmark
# (benchmarks/test_bench_validate.py) and the agreement script (benchmarks/peer/compare_validators.py)
# call it through benchmarks/peer/run_validator_peer.py in this venv and skip when it is absent.
#
#   bash benchmarks/peer/setup_validator_peer.sh            # creates .peer/validator-venv in the repository (git-ignored)
#   PEER_VALIDATOR_VENV=/somewhere bash benchmarks/peer/setup_validator_peer.sh
set -euo pipefail
PEER_VENV="${PEER_VALIDATOR_VENV:-$(cd "$(dirname "$0")/../.." && pwd)/.peer/validator-venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$PEER_VENV/bin/python" ]; then
    "$PYTHON" -m venv "$PEER_VENV"
fi
"$PEER_VENV/bin/python" -m pip install --quiet --upgrade pip
"$PEER_VENV/bin/python" -m pip install --quiet "csc-validator-be-903==0.1.17"
"$PEER_VENV/bin/python" -c "import lac_validator, pandas; print('peer validator ready:', lac_validator.__file__, 'pandas', pandas.__version__)"
