#!/usr/bin/env bash
# Give the regional peer model (SocialFinanceDigitalLabs/cs-demand-model-regional, not on PyPI)
# its own folder and virtual environment, outside this repository.
#
# Its engine, the ``ssda903`` package, is exported from a git checkout of the repository at the
# commit read for docs/forecasting.md (03e04a0, 2026-05-22). Give a local clone with
# REGIONAL_REPO, or the script clones it from GitHub. Django is installed only because the
# engine's datastore module imports a Django type; nothing else of the web app is used.
#
#   bash benchmarks/peer/setup_regional_peer.sh                 # creates .peer/regional in the repository (git-ignored)
#   REGIONAL_REPO=/path/to/clone REGIONAL_PEER=/somewhere bash benchmarks/peer/setup_regional_peer.sh
set -euo pipefail
REGIONAL_PEER="${REGIONAL_PEER:-$(cd "$(dirname "$0")/../.." && pwd)/.peer/regional}"
REGIONAL_COMMIT="${REGIONAL_COMMIT:-03e04a0}"
mkdir -p "$REGIONAL_PEER"
if [ -z "${REGIONAL_REPO:-}" ]; then
    REGIONAL_REPO="$REGIONAL_PEER/repo"
    [ -d "$REGIONAL_REPO" ] || git clone --quiet https://github.com/SocialFinanceDigitalLabs/cs-demand-model-regional "$REGIONAL_REPO"
fi
git -C "$REGIONAL_REPO" archive "$REGIONAL_COMMIT" ssda903 | tar -x -C "$REGIONAL_PEER"
if [ ! -x "$REGIONAL_PEER/venv/bin/python" ]; then
    uv venv --quiet -p 3.11 "$REGIONAL_PEER/venv"
fi
uv pip install --quiet -p "$REGIONAL_PEER/venv/bin/python" "pandas>=2.2" numpy python-dateutil "django>=4.2,<5"
"$REGIONAL_PEER/venv/bin/python" -c "import sys; sys.path.insert(0, '$REGIONAL_PEER'); import ssda903, pandas; print('regional peer ready:', ssda903.__file__, 'pandas', pandas.__version__)"
