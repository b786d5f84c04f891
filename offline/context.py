"""The stack config and rule context both runners give the rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from offline.engine import PROJECT_DIR, read_stack_file
from rules import StackContext
from stack_config import StackConfig, validate_stack_config

NAMESPACE_PREFIX = "topfans:"


def topfans_part(values: dict[str, Any]) -> dict[str, Any]:
    """Return the `topfans:*` keys of a stack's config map without their prefix."""
    return {
        key.removeprefix(NAMESPACE_PREFIX): value
        for key, value in values.items()
        if key.startswith(NAMESPACE_PREFIX)
    }


def load_config(
    stack: str, config: dict[str, Any] | None = None, config_dir: Path = PROJECT_DIR
) -> StackConfig:
    """Return the validated config of a stack, from its file unless `config` is given."""
    values = read_stack_file(stack, config_dir) if config is None else config
    return validate_stack_config(topfans_part(values), stack)


def stack_context(stack: str, config: StackConfig) -> StackContext:
    """Return what the rules may know of the stack: environment, relaxations."""
    return StackContext(
        stack=stack,
        environment=config.environment.value,
        relaxations=frozenset(relaxation.value for relaxation in config.relaxations),
    )


def region(values: dict[str, Any]) -> str:
    """Return the stack's AWS region (`aws:region`), us-east-1 when unset."""
    return str(values.get("aws:region", "us-east-1"))
