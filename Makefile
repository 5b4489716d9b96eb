# memoflow developer tasks. `make` (or `make help`) lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
LOCK_FILE ?= requirements/lock.txt
UV_VENV := var/tools/uv
ARGS ?=

.PHONY: help demo test manual lint format lock venv migrate worker render-worker messages clean reset-demo bench assets

help: ## List the targets
	@echo "memoflow — make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'
	@echo
	@echo "  e.g. make test ARGS='-k health -x'   PORT=8123 make demo"

demo: ## Migrate, load demo data, run the dev server + background worker (PORT=8000)
	bash scripts/demo.sh

test: ## Run the tests on PostgreSQL and on SQLite (pytest arguments: ARGS='...')
	bash scripts/lib.sh ensure_test_browser
	bash scripts/lib.sh ensure_test_tools
	bash scripts/test.sh $(ARGS)

manual: venv ## Retake the user manual's screenshots (docs/manual/img/) from the browser test that checks the manual
	bash scripts/lib.sh ensure_test_browser
	MEMOFLOW_MANUAL_SCREENSHOTS=update bash scripts/test.sh tests/web/test_manual.py

assets: ## npm ci (package-lock.json) and copy htmx and the Sarabun font into core/static/vendor/
	bash scripts/lib.sh ensure_assets

bench: venv ## Benchmark the seed route through the API, then every list and an approve at scale (figures go in docs/performance.md)
	$(PY) scripts/bench_api.py --memos $${MEMOS:-30} --json var/bench-api.json
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/memoflow_loadbig} \
		$(PY) scripts/bench_lists.py --runs $${RUNS:-20} --approves $${APPROVES:-20} --json var/bench-lists.json

venv: ## Create .venv (Python 3.12) and install requirements/lock.txt when it changed
	bash scripts/lib.sh ensure_venv

lint: venv ## ruff check, ruff format --check, mypy and the dependency rules (lint-imports)
	@rc=0; \
	echo "== ruff check =="; $(VENV)/bin/ruff check . || rc=1; \
	echo "== ruff format --check =="; $(VENV)/bin/ruff format --check . || rc=1; \
	echo "== mypy =="; $(VENV)/bin/mypy . || rc=1; \
	echo "== lint-imports (pyproject.toml [tool.importlinter]) =="; $(VENV)/bin/lint-imports --no-logo --no-cache || rc=1; \
	exit $$rc

format: venv ## Format the code and sort imports with ruff
	$(VENV)/bin/ruff check --select I --fix .
	$(VENV)/bin/ruff format .

lock: venv ## Regenerate requirements/lock.txt from pyproject.toml with uv
	@test -x $(UV_VENV)/bin/uv || { $(PY) -m venv $(UV_VENV) && $(UV_VENV)/bin/pip install --disable-pip-version-check -q uv; }
	$(UV_VENV)/bin/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.12 --generate-hashes -o $(LOCK_FILE)

migrate: venv ## Apply database migrations
	$(PY) manage.py migrate

worker: venv ## Run the background worker for notifications (memoflow_worker: db_worker + heartbeat, ADR 0004; queue "default")
	$(PY) manage.py memoflow_worker --interval 1 --queue-name default $(ARGS)

render-worker: venv ## Run the background worker that renders memo PDFs and archives (queue "render")
	$(PY) manage.py memoflow_worker --interval 1 --queue-name render $(ARGS)

messages: venv ## Compile translations (.po -> .mo)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules

clean: ## Remove test databases, test media and __pycache__ (keeps the demo database)
	rm -f var/test.sqlite3 var/test.sqlite3-* var/test-*.sqlite3 var/test-*.sqlite3-*
	rm -rf var/test-media
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -type d -name __pycache__ -exec rm -rf {} +

reset-demo: ## Delete the demo database and media (var/memoflow.sqlite3, var/media); `make demo` recreates them
	rm -f var/memoflow.sqlite3 var/memoflow.sqlite3-wal var/memoflow.sqlite3-shm
	rm -rf var/media var/static
