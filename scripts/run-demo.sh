#!/usr/bin/env bash
# Install, migrate a SQLite database, load the demo district and start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo
PORT="${PORT:-5000}"
echo
echo "caseflow is running at http://127.0.0.1:${PORT}/  (stop with Ctrl-C)"
echo "Log in as any role name above, e.g. child_director / caseflow-demo"
exec .venv/bin/flask run --host 127.0.0.1 --port "$PORT"
