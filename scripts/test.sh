#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine and run them (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
eval "$(bash scripts/postgres.sh start)"
trap 'bash scripts/postgres.sh stop' EXIT
uv run --frozen ruff check src tests benchmarks
uv run --frozen lint-imports  # the layers (.importlinter; docs/developers.md)
uv run --frozen mypy src  # type checks ([tool.mypy] in pyproject.toml)
uv run --frozen pytest tests -q -p no:cacheprovider "$@"
