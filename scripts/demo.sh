#!/usr/bin/env bash
# `make demo`: set up and run memoflow locally with demo data, a background worker and the dev server.
#
# Environment:
#   PORT                     port for the dev server (default 8000)
#   DATABASE_URL             database to use (default: SQLite at var/memoflow.sqlite3, see config/settings/base.py)
#   MEMOFLOW_SKIP_DEMO_DATA  set to 1 to skip `manage.py load_demo`
#   MEMOFLOW_BASE_URL        start of the links in notification e-mails (default http://127.0.0.1:$PORT)
#
# Ctrl-C (SIGINT), SIGTERM or SIGHUP stops both the server and the worker.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MEMOFLOW_ROOT"

PORT="${PORT:-8000}"
# The worker's e-mails link to the server this script starts, on whatever port it was given.
MEMOFLOW_BASE_URL="${MEMOFLOW_BASE_URL:-$(demo_base_url)}"
export MEMOFLOW_BASE_URL
PY="$MEMOFLOW_VENV/bin/python"
export DJANGO_SETTINGS_MODULE=config.settings.local
export PYTHONUNBUFFERED=1

ensure_system_packages
ensure_venv
# The vendored front-end files are in the repository; regenerate them from package-lock.json if missing.
[[ -f core/static/vendor/htmx/htmx.min.js ]] || ensure_assets
mkdir -p var

log "database: ${DATABASE_URL:-sqlite (var/memoflow.sqlite3)}"
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0
if [[ "${MEMOFLOW_SKIP_DEMO_DATA:-0}" == "1" ]]; then
    log "MEMOFLOW_SKIP_DEMO_DATA=1: not loading demo data"
else
    "$PY" manage.py load_demo
    "$PY" manage.py signing_init # the organisation's CA and seal (safe to run again); keys: issue 10
fi

cat <<EOF

memoflow demo — every account's password is: memoflow-demo

$("$PY" manage.py load_demo --accounts-only)

  App:       http://127.0.0.1:${PORT}/
  Admin:     http://127.0.0.1:${PORT}/admin/
  API docs:  http://127.0.0.1:${PORT}/api/docs/
  Health:    http://127.0.0.1:${PORT}/healthz
  E-mail links point to: ${MEMOFLOW_BASE_URL}  (the worker prints the e-mails here)

Press Ctrl-C to stop the server and the background worker.

EOF

worker_pid=""
server_pid=""

# shellcheck disable=SC2317  # (called from the EXIT trap)
# Stop the children: SIGTERM (the worker finishes its current task), then SIGKILL after a grace period.
stop_children() {
    local pid
    local -a alive=()
    for pid in "$server_pid" "$worker_pid" "${render_pid:-}"; do
        [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && alive+=("$pid")
    done
    ((${#alive[@]})) || return 0
    log "stopping server and worker (pids ${alive[*]})"
    kill -TERM "${alive[@]}" 2>/dev/null || true
    local _
    for _ in $(seq 1 150); do # up to 15 s
        local any=0
        for pid in "${alive[@]}"; do kill -0 "$pid" 2>/dev/null && any=1; done
        ((any)) || break
        sleep 0.1
    done
    for pid in "${alive[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not stop in time: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    wait "${alive[@]}" 2>/dev/null || true
}
trap stop_children EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Each child gets its own session (setsid), so a terminal's Ctrl-C reaches only this script, which then
# stops both children once, cleanly (a second SIGINT would make db_worker abandon its current task).
# Background children read /dev/null, not the terminal.
spawn() {
    if command -v setsid >/dev/null 2>&1; then
        setsid "$@" </dev/null &
    else
        "$@" </dev/null &
    fi
}

spawn "$PY" manage.py memoflow_worker --no-reload --interval 1 --queue-name default
worker_pid=$!
spawn "$PY" manage.py memoflow_worker --no-reload --interval 1 --queue-name render # PDFs: never delay notifications
render_pid=$!
spawn "$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload
server_pid=$!

# Wait for either child to end (or for a signal, which runs the traps above).
status=0
wait -n "$server_pid" "$worker_pid" "$render_pid" || status=$?
if ! kill -0 "$server_pid" 2>/dev/null; then
    log "the server stopped (exit $status)"
else
    log "the background worker stopped (exit $status): stopping the server too"
fi
((status == 0)) && status=1 # neither child should end on its own
exit "$status"
