# VeloConnect Numbers — every command a developer or CI needs.
# Needs only Python 3.11+, JDK 17+ and Maven on PATH; everything else is fetched here.

SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never

TOOLS := .tools
UV := $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)
PY := .venv/bin/python
CODE := contracts/velo_contracts libs/*/velo_* services/*/velo_*

.PHONY: help install prepare test test-fast run infra-up infra-down lint format docs \
        contracts-snapshot bench chaos clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.8"

.venv/.synced: uv.lock pyproject.toml $(wildcard */pyproject.toml */*/pyproject.toml) | $(UV)
	$(UV) sync --frozen
	touch $@

install: .venv/.synced ## create .venv from uv.lock (installs uv itself if missing)

prepare: install ## fetch Kafka's and mongo-java-server's jars, compile the mongo launcher, build promtool (cached in .cache/)
	$(PY) -m velo_devinfra.cli prepare

test: prepare ## the whole suite, on real Kafka + mongo-java-server started by the tests
	$(PY) -m pytest

test-fast: install ## only the tests that need no Kafka or database
	$(PY) -m pytest -m "not infra"

run: prepare ## the whole system in the foreground (INSTANCES=2: two of each service); Ctrl-C stops it
	$(PY) -m velo_devinfra.run --instances $(or $(INSTANCES),1)

infra-up: prepare ## start Kafka (127.0.0.1:9092) and MongoDB (127.0.0.1:27017) in the background
	$(PY) -m velo_devinfra.cli up

infra-down: install ## stop what infra-up started
	$(PY) -m velo_devinfra.cli down

lint: install ## ruff, formatting and mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy $(CODE)

format: install ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

docs: install ## write the AsyncAPI documents to docs/asyncapi/
	$(PY) -m velo_runtime.asyncapi docs/asyncapi

contracts-snapshot: install ## refresh contracts/schemas/v1.json after an additive change
	$(PY) -m velo_contracts.compat --write

bench: install ## benchmarks (speed figures live here, not in tests)
	@set -e; for b in $$(ls benchmarks/bench_*.py 2>/dev/null); do echo "== $$b"; $(PY) $$b; done

chaos: prepare ## the whole system (2 of each) driven while killed and faulted, then checked (not in make test)
	$(PY) -m velo_devinfra.chaos --operations 240 --kills 60

clean: ## remove the environment, caches and local data
	rm -rf .venv $(TOOLS) .cache .var .pytest_cache .mypy_cache .ruff_cache
