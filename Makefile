# The two commands a new user needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export SAFEGUARD_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run test test-unit install demo serve chromium postgresql bench screenshots docs clean reliability soak

run: demo serve  ## make the venv, install, make and load the demo data, serve on http://127.0.0.1:8050

test: install chromium postgresql  ## install what the tests need (chromium, postgresql) and run the whole suite
	$(PY) -m pytest

test-unit: install  ## the quick loop: everything but the browser tests
	$(PY) -m pytest -m "not browser"

reliability: install  ## the reliability suite in full: bad inputs, fuzzing (500 examples), 20 kill -9s, disk full
	SAFEGUARD_RELIABILITY=full $(PY) -m pytest tests/reliability

soak: install  ## loads and simulated users together for 30 minutes (MINUTES=1 for a short run); not in CI
	$(PY) bench/soak.py --minutes $(or $(MINUTES),30)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(INSTALLED)

demo: install  ## make the synthetic demo extracts and load them
	$(VENV)/bin/safeguard demo --out $(SAFEGUARD_HOME)/demo

serve: install
	@echo "Serving the dashboard on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	HOST=$(HOST) PORT=$(PORT) $(PY) -m app

chromium:  ## Debian's chromium for the browser tests, installed only when missing
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

postgresql:  ## Debian's PostgreSQL server for the app-state tests, installed only when missing
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; } \
		&& ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| echo "make postgresql: FAILED to install Debian's postgresql (see above): the PostgreSQL app-state tests will be skipped" >&2; }

bench: install  ## speed benchmarks; they print their figures and ratios
	$(PY) bench/run.py

screenshots: install chromium  ## regenerate docs/screenshots from the demo data
	$(PY) docs/make_screenshots.py

docs: install  ## regenerate the generated parts of docs/
	$(PY) -m etl.docs

clean:
	rm -rf $(VENV) var .pytest_cache
