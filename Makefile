# idgraph: `make demo` runs the whole main job, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The investigator explorer (web/): npm dependencies, then its build into api/static/ui.
WEB_DEPS := web/node_modules/.installed
WEB_BUILD := api/static/ui/index.html
WEB_SOURCES := $(wildcard web/src/*) web/build.mjs web/package.json

.PHONY: help install demo test check lint typecheck format bench db-start db-stop clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_DEPS)

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build

install: $(STAMP) $(WEB_BUILD) ## .venv, the web explorer's build (npm), Neo4j + GDS + Browser jars (Maven)
	$(BIN)/idgraph db install

demo: install ## local Neo4j, demo data, ingest, clustering, then the API on 127.0.0.1:8000
	$(BIN)/idgraph demo

check: install ## ruff (lint + format check) and mypy strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP) ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Coverage is reported, not gated: a terminal table of the files not fully covered.
COVERAGE := --cov=graph --cov=api --cov=idgraph --cov-report=term:skip-covered

test: check ## check, then every test against a real Neo4j with GDS, and a coverage report
	$(BIN)/pytest $(COVERAGE)

bench: install ## benchmarks (print figures)
	@ls bench/*.py >/dev/null 2>&1 && for b in bench/[!_]*.py; do $(BIN)/python $$b; done || echo "no benchmarks yet"

db-start: install ## start the local Neo4j
	$(BIN)/idgraph db start

db-stop: ## stop the local Neo4j
	$(BIN)/idgraph db stop

clean: ## remove the venv and caches (not the Neo4j data)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis web/node_modules api/static/ui
