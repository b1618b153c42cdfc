#!/usr/bin/env bash
# The whole test suite, once on SQLite and once on PostgreSQL, plus ruff.
# PostgreSQL: CASEFLOW_TEST_PG_URL (default: the local server, database "test").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/chromium ]; then
  # The browser tests drive Debian's Chromium; Playwright cannot download its own here.
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Install Debian's chromium (sudo apt-get install chromium) for the browser tests." >&2
    exit 1
  fi
fi
PG_URL="${CASEFLOW_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== tests on SQLite =="
CASEFLOW_TEST_DATABASE_URL= .venv/bin/pytest -q "$@"
echo "== tests on PostgreSQL ($PG_URL) =="
CASEFLOW_TEST_DATABASE_URL="$PG_URL" .venv/bin/pytest -q "$@"
