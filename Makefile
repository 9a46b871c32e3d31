# `make up` runs the platform, `make test` runs the whole test suite; both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: up test lint format lock clean engine image

up: $(STAMP) image
	$(BIN)/autocode serve

test: $(STAMP) image
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# A Docker engine (installed and started on Debian when none answers) and the sandbox image, built once
# per run; the layer cache makes an unchanged rebuild take seconds.
engine:
	scripts/ensure-docker.sh

image: $(STAMP) engine
	$(BIN)/autocode sandbox build

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The virtual environment, installed from the pinned lock; rebuilt when the pins change.
$(STAMP): pyproject.toml requirements.lock scripts/ensure-python.sh sandbox-image/runner/pyproject.toml
	scripts/ensure-python.sh $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock \
		-e '.[dev]' -e sandbox-image/runner
	touch $@

# Re-resolve the newest versions the ranges in pyproject.toml allow and pin them.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	{ head -n 2 requirements.lock; .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
