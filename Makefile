# Set-up, offline preview and tests of topfans-infra. Needs only python3 and make.
#   make preview [STACK=prod]   offline preview of a stack, written to build/<stack>/
#   make test                   the test suite
#   make bench [SIZES="10 50 200"] [REPEAT=5]   offline preview against the floor, build/bench/
#   make lock                   re-pin requirements*.txt from requirements*.in

PYTHON ?= python3
STACK ?= dev
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
INSTALLED := $(VENV)/.installed

.PHONY: setup preview test lint lock clean

setup: $(INSTALLED)

# The virtualenv is the one the Pulumi CLI uses too (Pulumi.yaml: virtualenv .venv).
$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements-dev.txt
	touch $@

preview: $(INSTALLED)
	$(BIN)/python -m offline.preview --stack $(STACK)

test: $(INSTALLED)
	$(BIN)/python -m pytest

.PHONY: bench
SIZES ?= 10 50 200
REPEAT ?= 5
bench: $(INSTALLED)
	$(BIN)/python -m bench.run --sizes $(SIZES) --repeat $(REPEAT)

lint: $(INSTALLED)
	$(BIN)/ruff check .

lock: $(INSTALLED)
	$(BIN)/uv pip compile --quiet requirements-dev.in -o requirements-dev.txt --python-version 3.11
	$(BIN)/uv pip compile --quiet requirements.in -c requirements-dev.txt -o requirements.txt --python-version 3.11

clean:
	rm -rf build $(VENV) .pytest_cache
