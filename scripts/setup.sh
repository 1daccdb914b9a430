#!/usr/bin/env bash
# Set up carewise on a fresh Debian machine: Python environment from the lock file,
# plus (with --system) the Debian packages the tests use: PostgreSQL and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv
fi
uv sync --frozen --python 3.11 --quiet

if [[ "${1:-}" == "--system" ]]; then
  need=()
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  fc-list 2>/dev/null | grep -qi "dejavu" || need+=(fonts-dejavu-core)
  if ((${#need[@]})); then
    if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
