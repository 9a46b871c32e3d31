# `make up` runs the platform, `make test` runs the whole test suite; both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

FRONTEND_STAMP := frontend/node_modules/.installed

.PHONY: up test lint format lock clean engine image frontend frontend-test chromium api-client deploy-tools

up: $(STAMP) image frontend
	@if [ "$$(id -u)" = 0 ]; then $(BIN)/autocode firewall apply; \
	else echo "make up: not root, so sandboxes start only after \`sudo $(BIN)/autocode firewall apply\`"; fi
	$(BIN)/autocode serve

# Lint first (seconds), then everything the tests need, then the tests.
test: lint $(STAMP) image frontend-test chromium deploy-tools
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# The PWA: dependencies from the lock file, then the unit tests (Vitest) and the production build that the
# control plane serves from frontend/dist.
$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json scripts/ensure-node.sh
	scripts/ensure-node.sh
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: $(FRONTEND_STAMP)
	cd frontend && npm run build

frontend-test: $(FRONTEND_STAMP)
	cd frontend && npm test && npm run build

# The PWA's typed API client, regenerated from the control plane's OpenAPI document after an API change
# (tests/controlplane/test_api_client.py fails while it is stale).
api-client: $(STAMP) $(FRONTEND_STAMP)
	$(BIN)/autocode openapi --output frontend/openapi.json
	cd frontend && npm run api:generate
	$(BIN)/python scripts/form_limits.py

# The deployment tests (tests/deploy) validate docker-compose.yml with Debian's docker-compose and verify the systemd
# unit with systemd-analyze; Caddy, Compose v2 and testcontainers come from the pinned dev dependencies.
deploy-tools:
	scripts/ensure-deploy-tools.sh

# The browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded.
chromium:
	scripts/ensure-chromium.sh

# A Docker engine (installed and started on Debian when none answers) and the sandbox image, built once
# per run; the layer cache makes an unchanged rebuild take seconds.
engine:
	scripts/ensure-docker.sh

image: $(STAMP) engine
	$(BIN)/autocode sandbox build

# Ruff, then mypy in strict mode over controlplane and the runner (what and how: [tool.mypy] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
