#!/usr/bin/env bash
# Install, migrate a SQLite database, load the demo district and start the app with its
# scheduler beside it (reminders, escalations, digests, exports). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo
PORT="${PORT:-5000}"
mkdir -p instance

# The scheduler runs in the background, its log in instance/scheduler.log; whatever ends
# this script (Ctrl-C, a kill, the web server stopping) stops it too.
.venv/bin/flask scheduler >>instance/scheduler.log 2>&1 &
SCHEDULER_PID=$!
WEB_PID=""
stop() {
  trap - EXIT INT TERM
  [ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null || true
  kill "$SCHEDULER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

echo
echo "caseflow is running at http://127.0.0.1:${PORT}/  (stop with Ctrl-C)"
echo "Log in as any role name above, e.g. child_director / caseflow-demo"
echo "The scheduler (pid ${SCHEDULER_PID}) sends reminders, escalations and digests; log: instance/scheduler.log"
.venv/bin/flask run --host 127.0.0.1 --port "$PORT" &
WEB_PID=$!
wait "$WEB_PID"
