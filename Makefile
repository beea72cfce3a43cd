# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install semantic lint format gazetteer assets browser bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The optional semantic extra: torch's CPU build first (this machine has it on disk; elsewhere
# pass TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"), then the extra.
SEMANTIC_STAMP := $(VENV)/.semantic
TORCH_INDEX ?=
$(SEMANTIC_STAMP): $(STAMP)
	$(PY) -m pip install --quiet torch==2.13.0 $(TORCH_INDEX)
	$(PY) -m pip install --quiet -e '.[dev,semantic]'
	touch $(SEMANTIC_STAMP)

semantic: $(SEMANTIC_STAMP)

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

test: install semantic gazetteer assets browser lint
	$(PY) -m pytest

bench: install gazetteer
	$(PY) bench/search_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
