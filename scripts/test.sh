#!/usr/bin/env bash
# The whole test suite, once on SQLite and once on PostgreSQL, plus ruff.
# PostgreSQL: CASEFLOW_TEST_PG_URL (default: the local server, database "test").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The browser tests drive Debian's Chromium (Playwright cannot download its own here); the
# printed documents are laid out in Chinese fonts (fonts-noto-cjk) and their PDF pages are
# counted with poppler's pdfinfo (poppler-utils).
PACKAGES=""
[ -x /usr/bin/chromium ] || PACKAGES="$PACKAGES chromium"
[ -x /usr/bin/pdfinfo ] || PACKAGES="$PACKAGES poppler-utils"
fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || PACKAGES="$PACKAGES fonts-noto-cjk"
if [ -n "$PACKAGES" ]; then
  if [ "$(id -u)" = 0 ]; then
    # shellcheck disable=SC2086
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
  else
    echo "Install Debian's$PACKAGES (sudo apt-get install$PACKAGES) for the browser tests." >&2
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
