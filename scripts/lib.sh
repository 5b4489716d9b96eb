#!/usr/bin/env bash
# Shared helpers for memoflow's scripts (demo.sh, test.sh, the Makefile and .ci/run).
#
# Source it:             source scripts/lib.sh && ensure_venv
# or run one function:   bash scripts/lib.sh ensure_venv
#
# Functions:
#   find_python312          echo the path of a working Python 3.12 interpreter
#   ensure_system_packages  install the Debian packages memoflow needs (Thai font, PDF libraries, gettext)
#   ensure_venv             create .venv with Python 3.12 and install requirements/lock.txt when it changed
#   ensure_assets           `npm ci` (package-lock.json) and copy htmx and the Sarabun fonts into core/static/vendor/
#   ensure_test_browser     install Debian's chromium for the browser tests when run as root (else: say how)
#   ensure_test_tools       install the tools the tests read the memo with: mutool (mupdf-tools), zbarimg
#                           (zbar-tools), certutil (libnss3-tools) as root, else say how; and pdf.js (`npm ci`
#                           when node_modules/pdfjs-dist is missing)

# The repository root: the parent of the directory holding this file.
MEMOFLOW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MEMOFLOW_VENV="${MEMOFLOW_ROOT}/.venv"
MEMOFLOW_LOCK="${MEMOFLOW_ROOT}/requirements/lock.txt"

# Debian packages needed at run time: Thai font for PDFs, WeasyPrint's libraries, pdftoppm/pdftotext for
# tests, and gettext for compilemessages.
MEMOFLOW_SYSTEM_PACKAGES=(
    fonts-tlwg-laksaman-ttf
    fonts-dejavu-core
    libharfbuzz-subset0
    poppler-utils
    ghostscript
    libpango-1.0-0
    libpangoft2-1.0-0
    gettext
)

# Debian packages needed only by the tests: the browser tests (pytest-playwright drives /usr/bin/chromium;
# never `playwright install`) and MuPDF's text extraction (mutool, memos/tests/test_pdf_extraction.py).
MEMOFLOW_TEST_PACKAGES=(
    chromium
    mupdf-tools
)

# Files copied from node_modules (pinned in package-lock.json) into core/static/vendor/: "source target".
MEMOFLOW_VENDOR_FILES=(
    "htmx.org/dist/htmx.min.js htmx/htmx.min.js"
    "htmx.org/LICENSE htmx/LICENSE"
    "@fontsource/sarabun/files/sarabun-thai-400-normal.woff2 sarabun/sarabun-thai-400-normal.woff2"
    "@fontsource/sarabun/files/sarabun-thai-700-normal.woff2 sarabun/sarabun-thai-700-normal.woff2"
    "@fontsource/sarabun/files/sarabun-latin-400-normal.woff2 sarabun/sarabun-latin-400-normal.woff2"
    "@fontsource/sarabun/files/sarabun-latin-700-normal.woff2 sarabun/sarabun-latin-700-normal.woff2"
    "@fontsource/sarabun/LICENSE sarabun/LICENSE"
)

log() { printf '[memoflow] %s\n' "$*" >&2; }
die() {
    printf '[memoflow] ERROR: %s\n' "$*" >&2
    exit 1
}

# True when "$1" runs and is Python 3.12.
_is_python312() {
    [[ -n "$1" ]] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)' >/dev/null 2>&1
}

find_python312() {
    local candidate pyenv_root
    # 1. python3.12 on PATH, if it actually works (a pyenv shim may exist and still fail).
    if python3.12 --version >/dev/null 2>&1 && _is_python312 python3.12; then
        # Resolve to the real interpreter so the answer does not depend on pyenv's current selection.
        python3.12 -c 'import sys; print(sys.executable)'
        return 0
    fi
    # 2. pyenv installations (newest 3.12.x first).
    local -a pyenv_roots=("${PYENV_ROOT:-}" /root/.pyenv "${HOME:-/nonexistent}/.pyenv")
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_root="$(pyenv root 2>/dev/null || true)"
        pyenv_roots+=("$pyenv_root")
    fi
    local root
    for root in "${pyenv_roots[@]}"; do
        [[ -n "$root" && -d "$root/versions" ]] || continue
        while IFS= read -r candidate; do
            if _is_python312 "$candidate"; then
                echo "$candidate"
                return 0
            fi
        done < <(compgen -G "$root/versions/3.12*/bin/python3.12" | sort -rV)
    done
    # 3. System locations.
    for candidate in /usr/bin/python3.12 /usr/local/bin/python3.12; do
        if _is_python312 "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    printf '[memoflow] ERROR: no working Python 3.12 found (tried python3.12 on PATH, pyenv versions 3.12*, ' >&2
    printf '/usr/bin/python3.12, /usr/local/bin/python3.12).\n' >&2
    printf '[memoflow] Install it, e.g. on Debian/Ubuntu with Python 3.12 available: sudo apt-get install python3.12 python3.12-venv\n' >&2
    return 1
}

ensure_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log "dpkg-query not found (not Debian?): make sure these are installed: ${MEMOFLOW_SYSTEM_PACKAGES[*]}"
        return 0
    fi
    local pkg
    local -a missing=()
    for pkg in "${MEMOFLOW_SYSTEM_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]} == 0)) && return 0

    if [[ "$(id -u)" -ne 0 ]]; then
        printf '[memoflow] ERROR: missing Debian packages: %s\n' "${missing[*]}" >&2
        printf '[memoflow] Install them first:\n' >&2
        printf '  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n' \
            "${missing[*]}" >&2
        exit 1
    fi
    log "installing missing Debian packages: ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

ensure_test_browser() {
    if [[ -x /usr/bin/chromium ]]; then
        return 0
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        log "no /usr/bin/chromium: the browser tests will be skipped. Install it with:"
        log "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${MEMOFLOW_TEST_PACKAGES[*]}"
        return 0
    fi
    log "installing Debian packages for the browser tests: ${MEMOFLOW_TEST_PACKAGES[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${MEMOFLOW_TEST_PACKAGES[@]}"
}

# The PDF text extraction tests read the memo with poppler, pypdf, pdfminer.six, pdf.js and MuPDF: make sure
# mutool and node_modules/pdfjs-dist are there (under CI=true the tests fail without them; locally they skip).
ensure_test_tools() {
    (
        set -euo pipefail
        cd "$MEMOFLOW_ROOT"
        # command:package — mutool (MuPDF's text extraction), zbarimg (reads the memo's QR code back),
        # certutil (an NSS database trusting the organisation's CA, for poppler's pdfsig).
        local missing=() entry
        for entry in mutool:mupdf-tools zbarimg:zbar-tools certutil:libnss3-tools; do
            command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
        done
        if ((${#missing[@]})); then
            if [[ "$(id -u)" -ne 0 ]]; then
                log "missing ${missing[*]}: the tests that use them will be skipped (fail under CI). Install them with:"
                log "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
            else
                log "installing ${missing[*]} for the tests"
                apt-get update
                DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
            fi
        fi
        if [[ ! -f node_modules/pdfjs-dist/legacy/build/pdf.mjs || ! -f node_modules/axe-core/axe.min.js ]]; then
            if ! command -v npm >/dev/null 2>&1; then
                log "no npm: the pdf.js text extraction and axe-core accessibility tests will be skipped (fail under CI). Install Node.js (Debian: apt-get install npm)"
                exit 0
            fi
            log "node_modules/pdfjs-dist or axe-core is missing: npm ci (package-lock.json)"
            npm ci --no-audit --no-fund --ignore-scripts
        fi
    )
}

# The vendored front-end files are committed (small); this regenerates them from the npm lock file.
ensure_assets() {
    (
        set -euo pipefail
        cd "$MEMOFLOW_ROOT"
        command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js (Debian: apt-get install npm)"
        npm ci --no-audit --no-fund --ignore-scripts
        local entry src dst
        for entry in "${MEMOFLOW_VENDOR_FILES[@]}"; do
            src="node_modules/${entry%% *}"
            dst="core/static/vendor/${entry##* }"
            mkdir -p "$(dirname "$dst")"
            cp "$src" "$dst"
        done
        log "core/static/vendor/ is up to date with package-lock.json"
    )
}

ensure_venv() {
    (
        set -euo pipefail
        cd "$MEMOFLOW_ROOT"
        [[ -f "$MEMOFLOW_LOCK" ]] || die "missing $MEMOFLOW_LOCK"

        # Serialise concurrent runs (e.g. two `make test` at once) so they do not install into the same venv.
        if command -v flock >/dev/null 2>&1; then
            local lock_file
            lock_file="${TMPDIR:-/tmp}/memoflow-venv-$(printf '%s' "$MEMOFLOW_ROOT" | sha256sum | cut -c1-16).lock"
            exec 9>"$lock_file"
            flock 9
        fi

        if ! _is_python312 "$MEMOFLOW_VENV/bin/python"; then
            local py
            py="$(find_python312)" || exit 1
            if [[ -e "$MEMOFLOW_VENV" ]]; then
                log "$MEMOFLOW_VENV is not a working Python 3.12 venv: recreating it"
                rm -rf "$MEMOFLOW_VENV"
            fi
            log "creating $MEMOFLOW_VENV with $py"
            "$py" -m venv "$MEMOFLOW_VENV"
        fi

        local want have=""
        want="$(sha256sum "$MEMOFLOW_LOCK" | cut -d' ' -f1)"
        [[ -f "$MEMOFLOW_VENV/.lock-sha256" ]] && have="$(<"$MEMOFLOW_VENV/.lock-sha256")"
        if [[ "$want" == "$have" ]]; then
            exit 0
        fi
        log "installing requirements/lock.txt into .venv (lock changed or first run)"
        "$MEMOFLOW_VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q \
            --require-hashes --no-deps -r "$MEMOFLOW_LOCK"
        printf '%s\n' "$want" >"$MEMOFLOW_VENV/.lock-sha256"
        log ".venv is up to date with requirements/lock.txt"
    )
}

# The address `make demo` serves on PORT, which notification e-mails link to (MEMOFLOW_BASE_URL).
demo_base_url() { printf 'http://127.0.0.1:%s\n' "${PORT:-8000}"; }

# `bash scripts/lib.sh FUNCTION [ARGS...]` runs one function.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    if [[ $# -eq 0 ]] || ! declare -F "$1" >/dev/null; then
        die "usage: bash scripts/lib.sh {find_python312|ensure_system_packages|ensure_venv|ensure_assets|ensure_test_browser|ensure_test_tools|demo_base_url}"
    fi
    "$@"
fi
