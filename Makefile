# Two entry points: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data
SEED ?= 42
REGIONS ?= AM13,AM14,AM12
PORT ?= 8866

.PHONY: run test test-fast lint typecheck pytest demo lab dashboard clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## Build the demo area (the three synthetic regions Midden-Utrecht, Amersfoort and Gooi en
## Vechtstreek; REGIONS=AM13 for one): raw files, load, marts, quality report.
demo: $(STAMP)
	$(BIN)/workforce generate --out $(DATA)/raw --seed $(SEED) --scale region --regions $(REGIONS)
	$(BIN)/workforce ingest $(DATA)/raw --data-dir $(DATA)
	$(BIN)/workforce build --data-dir $(DATA)
	$(BIN)/workforce report quality --data-dir $(DATA) > /dev/null

## Demo region, shortage intervals calibrated on outlooks from past origins, forecasts (demand,
## supply, shortage), then the dashboards (Voila, token auth) until Ctrl+C.
run: demo
	$(BIN)/workforce report outlook-backtest --data-dir $(DATA) --baselines-only --paths 100 > /dev/null
	$(BIN)/workforce forecast --data-dir $(DATA)
	$(BIN)/workforce regional --data-dir $(DATA)
	$(BIN)/workforce dashboard --data-dir $(DATA) --port $(PORT) --no-browser

## Serve the dashboards on what is in $(DATA); prints the URL with its token.
dashboard: $(STAMP)
	$(BIN)/workforce dashboard --data-dir $(DATA) --port $(PORT) --no-browser

## JupyterLab on notebooks/ with the project's kernel ("workforce", installed into the venv).
## Notebooks read $WORKFORCE_DATA, set here to the folder `make run` fills, as an absolute path.
lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name workforce --display-name "workforce" > /dev/null
	WORKFORCE_DATA="$(abspath $(or $(WORKFORCE_DATA),$(DATA)))" $(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## The whole suite on two processes, a test file in one; the folders of the session fixtures
## (generated regions, their forecasts) are built once and shared (tests/conftest.py).
pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

## Everything: lint, types and the whole suite, browser and slow tests included (CI).
test: lint typecheck pytest

## Lint and every test except the slow and browser ones, on two processes (a test file stays
## in one), for the edit-test loop.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -m "not slow and not browser" -q -n 2 --dist loadfile

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
