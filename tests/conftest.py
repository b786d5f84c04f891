"""Fixtures that run the real program under the offline engine, once per stack."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from offline.engine import RunResult, read_stack_file, run_program

STACKS = ("dev", "prod")
_RUNS: dict[str, RunResult] = {}


def stack_run(stack: str) -> RunResult:
    """Return the offline run of a stack's own config, running it once per session."""
    if stack not in _RUNS:
        _RUNS[stack] = run_program(stack)
    return _RUNS[stack]


def stack_config(stack: str) -> dict[str, Any]:
    """Return a deep copy of a stack file's config map, for tests to edit."""
    return copy.deepcopy(read_stack_file(stack))


def topfans_config(stack: str) -> dict[str, Any]:
    """Return the `topfans:*` part of a stack's config with the prefix removed."""
    return {
        key.split(":", 1)[1]: value
        for key, value in stack_config(stack).items()
        if key.startswith("topfans:")
    }


@pytest.fixture(params=STACKS)
def run(request) -> RunResult:
    """The offline run of each stack in turn."""
    return stack_run(request.param)


@pytest.fixture
def dev() -> RunResult:
    """The offline run of the dev stack."""
    return stack_run("dev")


@pytest.fixture
def prod() -> RunResult:
    """The offline run of the prod stack."""
    return stack_run("prod")
