#!/usr/bin/env bash
# Installs everything, then runs the test suite (real nbgrader runs, real kernels).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
exec python -m pytest "$@"
