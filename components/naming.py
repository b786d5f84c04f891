"""Physical names of AWS resources, derived from the project and the stack."""

from __future__ import annotations

import pulumi


def physical_name(suffix: str) -> str:
    """Return `<project>-<stack>-<suffix>`, the explicit AWS name of a resource.

    Names are explicit and stable so that a rename of a logical resource never
    replaces a stateful one. The stack name is validated by `stack_config.load`, so
    the result is valid for RDS (at most 63 characters) and ElastiCache (at most 40).
    """
    return f"{pulumi.get_project()}-{pulumi.get_stack()}-{suffix}"


def child_name(parent: str, suffix: str) -> str:
    """Return the logical name of a component's child, derived from the component's."""
    return f"{parent}-{suffix}"
