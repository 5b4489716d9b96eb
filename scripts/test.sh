#!/usr/bin/env bash
# `make test`: run the test suite twice, on PostgreSQL and on SQLite. Extra arguments go to pytest.
#
# PostgreSQL, in order of preference:
#   1. DATABASE_URL, when it is a postgres:// or postgresql:// URL;
#   2. a server answering on 127.0.0.1:5432 as user postgres without a password;
#   3. a throwaway server (initdb in a temporary directory, on a free port), removed on exit.
# pytest-django creates (and drops) the test database itself: test_<database name>.
#
# Environment:
#   MEMOFLOW_FORCE_THROWAWAY_PG=1  skip 1 and 2 and always start a throwaway server
#   MEMOFLOW_TEST_DB_SUFFIX=NAME   use database memoflow_NAME (so test_memoflow_NAME) on the detected or
#                                  throwaway server and var/test-NAME.sqlite3, so parallel runs do not clash
#
# Exit status: 0 only when both runs passed; pytest's 5 (no tests collected) counts as a failure.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MEMOFLOW_ROOT"

PY="$MEMOFLOW_VENV/bin/python"
# pytest's settings come from pyproject.toml; a DJANGO_SETTINGS_MODULE left in the shell would override them.
unset DJANGO_SETTINGS_MODULE

ensure_system_packages
ensure_venv
mkdir -p var

suffix="${MEMOFLOW_TEST_DB_SUFFIX:-}"
if [[ -n "$suffix" && ! "$suffix" =~ ^[A-Za-z0-9_]+$ ]]; then
    die "MEMOFLOW_TEST_DB_SUFFIX may contain only letters, digits and underscores"
fi
db_name="memoflow${suffix:+_$suffix}"
sqlite_file="$MEMOFLOW_ROOT/var/test${suffix:+-$suffix}.sqlite3"

# --- throwaway PostgreSQL ---------------------------------------------------------------------------
pg_tmp=""
pg_bin=""
as_pg_user=()

# shellcheck disable=SC2317  # (called from the EXIT trap)
cleanup() {
    local rc=$?
    if [[ -n "$pg_tmp" && -d "$pg_tmp" ]]; then
        if [[ -f "$pg_tmp/data/postmaster.pid" ]]; then
            log "stopping the throwaway PostgreSQL server"
            if ! "${as_pg_user[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
                local pid
                pid="$(head -n1 "$pg_tmp/data/postmaster.pid" 2>/dev/null || true)"
                if [[ -n "$pid" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
            fi
        fi
        rm -rf "$pg_tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

find_pg_bin() {
    local initdb
    initdb="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n1 || true)"
    if [[ -z "$initdb" ]] && command -v initdb >/dev/null 2>&1; then
        initdb="$(command -v initdb)"
    fi
    [[ -n "$initdb" ]] && dirname "$(readlink -f "$initdb")"
}

install_postgresql() {
    if [[ "$(id -u)" -ne 0 ]]; then
        printf '[memoflow] ERROR: no PostgreSQL server answers on 127.0.0.1:5432 and PostgreSQL is not installed.\n' >&2
        printf '[memoflow] Either start a server (trust auth for user postgres), set DATABASE_URL=postgres://..., or install it:\n' >&2
        printf '  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql\n' >&2
        exit 1
    fi
    log "installing Debian's postgresql (for a throwaway test server)"
    # Keep the package from starting its own cluster: this script runs its own server and leaves nothing
    # running (policy-rc.d exit 101 = "action forbidden").
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi
    local rc=0
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; } || rc=$?
    ((added_policy)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get install postgresql failed"
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_throwaway_pg() {
    pg_bin="$(find_pg_bin || true)"
    if [[ -z "$pg_bin" ]]; then
        install_postgresql
        pg_bin="$(find_pg_bin || true)"
        [[ -n "$pg_bin" ]] || die "initdb still not found after installing postgresql"
    fi

    if [[ "$(id -u)" -eq 0 ]]; then
        # PostgreSQL refuses to run as root: run it as the postgres OS user, in a directory it owns
        # (under /tmp, which that user can reach whatever TMPDIR says).
        id postgres >/dev/null 2>&1 || die "PostgreSQL refuses to run as root and there is no 'postgres' user"
        as_pg_user=(runuser -u postgres --)
        pg_tmp="$(mktemp -d /tmp/memoflow-pg.XXXXXX)"
        chown postgres: "$pg_tmp"
    else
        pg_tmp="$(mktemp -d "${TMPDIR:-/tmp}/memoflow-pg.XXXXXX")"
    fi
    log "starting a throwaway PostgreSQL server ($pg_bin) in $pg_tmp"
    "${as_pg_user[@]}" "$pg_bin/initdb" -D "$pg_tmp/data" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 \
        >"$pg_tmp/initdb.log" 2>&1 || {
        cat "$pg_tmp/initdb.log" >&2
        die "initdb failed"
    }

    local attempt port
    for attempt in 1 2 3; do
        port="$(free_port)"
        if "${as_pg_user[@]}" "$pg_bin/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/server.log" -w -t 60 \
            -o "-p $port -k $pg_tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            start >/dev/null; then
            pg_url="postgres://postgres@127.0.0.1:${port}/${db_name}"
            return 0
        fi
        log "PostgreSQL did not start on port $port (attempt $attempt)"
    done
    cat "$pg_tmp/server.log" >&2 || true
    die "could not start a throwaway PostgreSQL server"
}

# True when a PostgreSQL server on 127.0.0.1:5432 accepts user postgres without a password.
local_pg_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h 127.0.0.1 -p 5432 -U postgres -t 3 || return 1
    fi
    # pg_isready only says the server is up; check that we may log in too.
    "$PY" - <<'EOF' >/dev/null 2>&1
import psycopg
psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3").close()
EOF
}

# --- choose PostgreSQL ------------------------------------------------------------------------------
pg_url=""
if [[ "${MEMOFLOW_FORCE_THROWAWAY_PG:-0}" == "1" ]]; then
    log "MEMOFLOW_FORCE_THROWAWAY_PG=1: using a throwaway PostgreSQL server"
    start_throwaway_pg
elif [[ "${DATABASE_URL:-}" == postgres* ]]; then
    pg_url="$DATABASE_URL"
elif local_pg_answers; then
    pg_url="postgres://postgres@127.0.0.1:5432/${db_name}"
else
    log "no PostgreSQL server usable on 127.0.0.1:5432 (user postgres, no password)"
    start_throwaway_pg
fi

# --- run the suite on both databases ----------------------------------------------------------------
# Hide a password in a URL shown to the user.
redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }

run_suite() {
    local label="$1" url="$2"
    shift 2
    printf '\n== tests on %s (%s) ==\n' "$label" "$(redact "$url")"
    local rc=0
    DATABASE_URL="$url" "$PY" -m pytest "$@" || rc=$?
    return "$rc"
}

describe() {
    case "$1" in
        0) echo "passed" ;;
        1) echo "FAILED (some tests failed)" ;;
        2) echo "FAILED (interrupted or collection errors)" ;;
        3) echo "FAILED (internal pytest error)" ;;
        4) echo "FAILED (pytest usage error)" ;;
        5) echo "FAILED (no tests collected)" ;;
        *) echo "FAILED (exit $1)" ;;
    esac
}

pg_rc=0
run_suite PostgreSQL "$pg_url" "$@" || pg_rc=$?
sqlite_rc=0
run_suite SQLite "sqlite:///$sqlite_file" "$@" || sqlite_rc=$?

printf '\n== summary ==\n'
printf 'PostgreSQL: %s\n' "$(describe "$pg_rc")"
printf 'SQLite:     %s\n' "$(describe "$sqlite_rc")"
if ((pg_rc != 0 || sqlite_rc != 0)); then
    exit 1
fi
exit 0
