# Two commands on a fresh Debian machine (README, "Quick start"):
#   make serve   set up whatever is missing, then serve the browser on the built-in knowledge base
#   make test    set up whatever is missing, then run the whole test suite (what .ci/run runs)
# setup.sh does the setting up; it is quick when everything is present.

PORT ?= 5000
PYTEST_ARGS ?=
VENV := .venv
PYTHON := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help setup serve test wheel lint

help:
	@echo "make serve   set up what the browser needs, then serve it on http://127.0.0.1:$(PORT)/ (PORT=N to change)"
	@echo "make test    set up everything, then run the whole test suite (PYTEST_ARGS='...' to pass options)"
	@echo "make setup   only set up: Debian packages, .venv, npm packages, the first build"
	@echo "make wheel   build the self-contained wheel into build/wheels/"
	@echo "make lint    ruff and mypy"

setup:
	./setup.sh all

serve:
	./setup.sh serve
	$(VENV)/bin/alignkb serve --port $(PORT)

# pytest's exit code 5 (no tests collected) is a failure: a run with no tests is not green.
test:
	./setup.sh test
	@status=0; $(PYTHON) -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

# Offline, with the dev environment's setuptools: the knowledge base and the npm packages' built folders go into
# the wheel (setup.py).
wheel:
	./setup.sh serve
	$(PYTHON) -m pip wheel --no-deps --no-build-isolation --no-index -w build/wheels .
	@ls build/wheels/alignkb-*.whl

lint:
	$(VENV)/bin/ruff check kb webapp bench tests setup.py
	$(VENV)/bin/ruff format --check kb webapp bench tests setup.py
	$(VENV)/bin/mypy kb webapp bench
