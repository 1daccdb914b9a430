#!/usr/bin/env bash
# The main job on a fresh machine: set up, generate a synthetic council, import and validate it,
# render the corporate parenting panel pack, and serve the web app on the embedded SQLite store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The demo's own store starts empty each run: importing the same years again into it would date them
# as corrections received today, and the pack's backtest would then find no return known at its cuts.
# A data folder given in CAREWISE_DATA_DIR is the user's and is left as it is.
if [[ -z "${CAREWISE_DATA_DIR:-}" ]]; then
  export CAREWISE_DATA_DIR="$PWD/demo/data"
  rm -rf "$CAREWISE_DATA_DIR"
fi
cw=.venv/bin/carewise
rm -rf demo/council demo/pack demo/extracts demo/market demo/voice
# Derbyshire looks after about 1,000 children, the size of a "large" synthetic council.
$cw synth --size large --council E10000007 --years 2020-21..2025-26 --seed 2026 --out demo/council
$cw import demo/council
$cw status
# The council's local records: visits, health, PEPs, leavers' contacts (compliance) and its placements market.
$cw extracts synth --out demo/extracts --load
# What children and care leavers told us: surveys, review consultations, "you said, we did" (docs/voice.md).
$cw voice synth --out demo/voice --load
$cw market synth demo/market --council E10000007 --size 60
$cw market load demo/market/*.csv --council E10000007
$cw validate demo/council/2025-26 --previous demo/council/2024-25 --format html --out demo/validation-2025-26.html \
  || echo "Validation report: demo/validation-2025-26.html"
$cw pack --period 2025-26 --audience panel --format html,pdf,xlsx --out demo/pack
echo "Panel pack: $(ls demo/pack | tr '\n' ' ')"
$cw serve --demo-admin --port "${PORT:-8000}"
