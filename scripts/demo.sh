#!/usr/bin/env bash
# Installs everything, then grades the demo class end to end (`grading demo`, see
# grading/commands/demo.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# nbgrader shells out to `alembic`, which lives in the virtualenv's bin/.
export PATH="$PWD/.venv/bin:$PATH"
exec grading demo "$@"
