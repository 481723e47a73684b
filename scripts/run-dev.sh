#!/usr/bin/env bash
# The dev server with the task worker beside it (push delivery, scheduled jobs). The worker
# stops when the server does, however the server ends.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5000}"

# Threads, polling the SQLite queue at least every second once it has been idle for a while.
.venv/bin/huey_consumer community.worker.huey --workers 2 --worker-type thread --max-delay 1 --quiet &
worker=$!
stop_worker() {
  kill "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT

.venv/bin/flask --app app run --host 127.0.0.1 --port "$PORT"
