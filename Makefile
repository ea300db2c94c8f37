# Samverkan: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
# Python 3.13 (see .python-version); under pyenv the shim picks the right version.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help env demo test lint node-deps

help:
	@echo "make demo   start the demo on http://127.0.0.1:$(PORT) (SQLite, demo data)"
	@echo "make test   run the whole test suite (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint   ruff, mypy, Django's checks"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

env: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --python $(PYTHON) --quiet

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: browser accessibility checks need it (apt-get install npm)"; fi

node-deps: node_modules/axe-core/axe.min.js

demo: env
	DEMO_MODE=1 DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DEMO_MODE=1 DEBUG=1 $(PY) manage.py demo_data
	@# Background work (the board report's PDF, the follow-up's summary tables) runs in a
	@# worker beside the server; it stops with it.
	DEMO_MODE=1 DEBUG=1 $(PY) manage.py task_worker --no-reload --interval 1 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEMO_MODE=1 DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite runs on both cores (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2

test: env node-deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py makemigrations --check --dry-run
