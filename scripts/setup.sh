#!/usr/bin/env bash
# Create .venv with the pinned dependencies and compile the translations. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/pybabel compile --statistics -d caseflow/translations 2>&1 | tail -n 2 || {
  echo "translation catalog missing or broken" >&2
  exit 1
}
