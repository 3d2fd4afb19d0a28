# Two commands on a fresh machine with Python 3.11:  make run  ·  make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The development settings (DEBUG is off unless set: production leaves it unset).
export DEBUG ?= 1

.PHONY: install run test check bench loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

install: $(VENV)/.installed

## make run: install, migrate, load the demo desk once, serve on http://127.0.0.1:$(PORT) with a
## task worker (email) and the scheduled work every minute beside it; Ctrl-C stops all three
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py db_worker --queue-name '*' --interval 2 & worker=$$!; \
	  (while sleep 60; do $(BIN)/python manage.py run_scheduled_work; done) & cron=$$!; \
	  trap 'kill $$worker $$cron 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make check: lint, format, types and migrations are clean
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

## make bench: build a 100,000-ticket desk in a scratch database and time every page
bench: install
	$(BIN)/python manage.py bench $(BENCH_ARGS)

## make loadtest: a Locust load test (signed-in agents, gunicorn with the production settings) on a
## scratch desk; needs DATABASE_URL=postgres://… (LOADTEST_ARGS="--tickets 20000 --run-time 30s")
loadtest: install
	test -x $(BIN)/locust || $(BIN)/python -m pip install --quiet "locust>=2.32"
	$(BIN)/python manage.py loadtest $(LOADTEST_ARGS)
