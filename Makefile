# KPI Tracker. Quick start: `make run` (demo server) and `make test` (whole suite).
# Every target sets itself up: a fresh machine needs only Python 3.11 (and, for
# the browser tests, apt-get as root to install Debian's chromium).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test bench setup demo-data lint messages check-migrations clean system-deps e2e-deps e2e bench-load bench-fault

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Shared libraries WeasyPrint needs (pango) and gettext for the catalogues; installed only if missing.
system-deps:
	@bash scripts/system-deps.sh

setup: $(STAMP) system-deps

# Debian's chromium for the browser tests (tests/e2e/); installed only if missing.
e2e-deps:
	@bash scripts/e2e-deps.sh

demo-data: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_units --sample data/units/sample-units.csv
	DEBUG=1 $(PY) manage.py load_groups data/groups/groups.csv
	for rubric in data/rubrics/*.yaml; do DEBUG=1 $(PY) manage.py load_rubric $$rubric || exit 1; done
	DEBUG=1 $(PY) manage.py seed_demo

# The web server and the background worker (department summaries, the round's workbook, backups).
run: demo-data
	@echo "Serving http://127.0.0.1:8000 with the background worker (Ctrl-C stops both)"
	@DEBUG=1 $(PY) manage.py run_worker --no-reload -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: setup e2e-deps
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v0
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest --ds=kpi_tracker.settings_test

bench: setup
	$(PY) benchmarks/run.py

# The browser tests alone (also part of `make test`); screenshots of failures go to test-results/.
e2e: setup e2e-deps
	$(VENV)/bin/pytest --ds=kpi_tracker.settings_test -m e2e tests/e2e

# One benchmark alone; quick runs: make bench-load LOAD_DURATION_S=20. The fault runs need root:
# `postgres` stops and starts the local PostgreSQL cluster (pg_ctlcluster; always left running),
# `disk` mounts a small tmpfs; `s3` and `worker` need nothing more. Some of them alone:
# make bench-fault FAULTS=s3,disk,worker (default: all four).
bench-load: setup
	$(PY) benchmarks/run.py bench_load

bench-fault: setup
	FAULTS="$(FAULTS)" $(PY) benchmarks/run.py bench_fault

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

messages: setup
	DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv --ignore=var
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

check-migrations: setup
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
