#!/usr/bin/env bash
# Installs the system packages grading needs, creates .venv (Python 3.11), installs the
# pinned requirements into it, then this repository's `grading` package (editable: the
# `grading` command and the nbgrader plugins that nbgrader_config.py imports).
# Idempotent: a second run only checks that everything is installed. Needs root (or sudo)
# only when a system package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# bubblewrap sandboxes each student kernel while autograding (grading/plugins/sandbox.py).
if ! command -v bwrap >/dev/null; then
    echo "==> installing bubblewrap (Debian package) for the grading sandbox"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bubblewrap >/dev/null
fi

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
if ! .venv/bin/python -c "import grading.cli" 2>/dev/null || [ ! -x .venv/bin/grading ]; then
    echo "==> installing the grading package (editable) into .venv"
    .venv/bin/python -m pip install --quiet --no-deps -e .
fi
