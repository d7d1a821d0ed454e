#!/usr/bin/env bash
# Creates .venv (Python 3.11) and installs the pinned requirements into it.
# Idempotent: a second run only checks that everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.installed-requirements 2>/dev/null; then
    echo "==> installing requirements.txt into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.txt
    cp requirements.txt .venv/.installed-requirements
fi
