# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install lint format gazetteer assets browser bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

gazetteer: $(STAMP)
	$(PY) -m directory.places.build

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: $(STAMP) node_modules/.installed
	$(PY) scripts/build_assets.py

browser:
	sh scripts/install_browser.sh

run: install gazetteer assets
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) reindex
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install gazetteer assets browser lint
	$(PY) -m pytest

bench: install gazetteer
	$(PY) bench/search_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
