# The two commands a new user needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export SAFEGUARD_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run test test-unit check install demo serve chromium postgresql bench screenshots docs clean reliability soak upgrade-deps

run: demo serve  ## make the venv, install, make and load the demo data, serve on http://127.0.0.1:8050

# The tests run in an empty home of their own: the demo home `make run` makes holds the demo board
# and model files, which would change the model under test.
TEST_HOME = SAFEGUARD_HOME=$$(mktemp -d)

# The suite on one more worker than cores (pytest-xdist), each test file's tests on one worker, so
# that a file's servers and warehouses are built once. A worker waits on its servers and Chromium a
# third of the time: on 2 cores, 3 workers ran the suite in 8 min 37 s, 2 in 9 min 24 s, 4 in 8 min 47 s.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: install chromium postgresql check  ## install what the tests need (chromium, postgresql), check the code, run the whole suite
	$(TEST_HOME) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

check: install  ## lint, formatting and types: ruff and mypy as configured in pyproject.toml
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test-unit: install  ## the quick loop, under 3 minutes: everything but the browser and slow tests (README)
	$(TEST_HOME) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not browser and not slow"

reliability: install  ## the reliability suite in full: bad inputs, fuzzing (500 examples), 20 kill -9s, disk full
	$(TEST_HOME) SAFEGUARD_RELIABILITY=full $(PY) -m pytest tests/reliability

soak: install  ## loads and simulated users together for 30 minutes (MINUTES=1 for a short run); not in CI
	$(PY) bench/soak.py --minutes $(or $(MINUTES),30)

install: $(INSTALLED)

# Exactly the versions in the lock, each checked against its hash; then the project itself.
$(INSTALLED): pyproject.toml requirements/test.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/test.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(INSTALLED)

upgrade-deps:  ## remake requirements/*.lock from pyproject.toml with the newest releases (docs/deploy.md: monthly)
	$(PYTHON) -m venv $(VENV)-tools && $(VENV)-tools/bin/pip install --quiet pip-tools
	$(VENV)-tools/bin/pip-compile --quiet --upgrade --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --extra postgresql -o requirements/run.lock pyproject.toml
	$(VENV)-tools/bin/pip-compile --quiet --upgrade --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --extra postgresql --extra test -o requirements/test.lock pyproject.toml

demo: install  ## make the synthetic demo extracts and load them
	$(VENV)/bin/safeguard demo --out $(SAFEGUARD_HOME)/demo

serve: install
	@echo "Serving the dashboard on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	HOST=$(HOST) PORT=$(PORT) $(PY) -m app

chromium:  ## Debian's chromium for the browser tests, and poppler-utils to read the PDFs it prints, installed only when missing
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils; }

postgresql:  ## Debian's PostgreSQL server for the app-state tests, installed only when missing
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; } \
		&& ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| echo "make postgresql: FAILED to install Debian's postgresql (see above): the PostgreSQL app-state tests will be skipped" >&2; }

bench: install  ## speed benchmarks; they print their figures and ratios
	$(PY) bench/run.py

screenshots: install chromium  ## regenerate docs/screenshots from the demo data (pages, and the printed pack's pages)
	$(PY) docs/make_screenshots.py

docs: install  ## regenerate the generated parts of docs/
	$(PY) -m etl.docs

clean:
	rm -rf $(VENV) $(VENV)-tools var .pytest_cache
