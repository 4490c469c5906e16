# The two commands of the README: `make run` serves the API locally, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt requirements-local.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-local.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-local.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## run: migrate the SQLite database, load the Issy demo, start localstripe and gunicorn on :8000
run: $(VENV)/.run-deps
	$(BIN)/python scripts/run_local.py

## test: lint, then the whole suite (DATABASE_URL=postgresql+psycopg://... for PostgreSQL)
test: $(VENV)/.dev-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: every benchmark of bench/ on SQLite and PostgreSQL, written to docs/BENCHMARKS.md (QUICK=1: smaller, printed only)
bench: $(VENV)/.dev-deps
	@command -v wrk >/dev/null || apt-get install -y -q wrk || echo "make bench needs wrk: apt-get install wrk"
	$(BIN)/python bench/run_all.py $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
