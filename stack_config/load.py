"""Read the `topfans:*` stack config and validate it into one `StackConfig`."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import ValidationError

from stack_config.model import StackConfig

NAMESPACE = "topfans"
TOP_LEVEL_KEYS = (
    "environment",
    "relaxations",
    "network",
    "cluster",
    "database",
    "cache",
    "registry",
    "gateway",
    "services",
    "cutover",
)

# Physical names such as "topfans-<stack>-redis" must stay within the AWS limits
# (an ElastiCache replication group id has at most 40 characters) and the RDS rule
# of letters, digits and single hyphens, starting with a letter.
# How to fix a missing key, by key name; others get a generic hint.
MISSING_HINTS = {
    "environment": "set topfans:environment to dev or prod",
    "gateway": "add topfans:gateway with certificateArn (an ACM certificate ARN)",
    "services": "add topfans:services, the service catalog",
    "image": "add image with registry, repository and tag",
    "ports": "add ports with http and/or dubbo",
    "resources": "add resources with requests (cpu, memory) and limits (memory)",
    "name": "add name, a lowercase DNS label",
    "certificateArn": "add certificateArn, the ACM certificate ARN of the public host name",
    "recordName": "add recordName, the public host name that clients resolve",
    "vmTarget": "add vmTarget, the VM's IPv4 address or host name",
    "eksPercent": "add eksPercent, the share of DNS answers for EKS from 0 to 100",
}

STACK_NAME = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,24}[a-z0-9]$")


class ConfigError(pulumi.RunError):
    """An invalid stack config. A `RunError`, so the Pulumi CLI prints no traceback."""


def load_stack_config(stack: str) -> StackConfig:
    """Read the current stack's `topfans:*` config and return it validated."""
    config = pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for key in TOP_LEVEL_KEYS:
        value = config.get(key)
        if value is None:
            continue
        try:
            raw[key] = json.loads(value)
        except json.JSONDecodeError:
            raw[key] = value
    unknown = sorted(_config_keys() - {f"{NAMESPACE}:{key}" for key in TOP_LEVEL_KEYS})
    if unknown:
        known = ", ".join(TOP_LEVEL_KEYS)
        raise ConfigError(
            f"Invalid stack config: unknown key {unknown[0]}; the topfans keys are {known}"
        )
    return validate_stack_config(raw, stack)


def validate_stack_config(raw: dict[str, Any], stack: str) -> StackConfig:
    """Validate a config dict (camelCase keys, as in the YAML) into a `StackConfig`.

    Raises `ConfigError` with one line per problem, each naming the key, the value
    and the fix.
    """
    if not STACK_NAME.match(stack):
        raise ConfigError(
            f"Invalid stack name {stack!r}: AWS names are derived from it, so it must be "
            "2-26 lowercase letters, digits and single hyphens, starting with a letter; "
            "rename the stack (pulumi stack rename)"
        )
    try:
        return StackConfig.model_validate(raw)
    except ValidationError as error:
        lines = [_describe(problem, raw) for problem in error.errors()]
        if len(lines) == 1:
            raise ConfigError(f"Invalid stack config: {lines[0]}") from None
        raise ConfigError("Invalid stack config:\n  " + "\n  ".join(lines)) from None


def _config_keys() -> set[str]:
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    return {key for key in keys if key.startswith(f"{NAMESPACE}:")}


def _describe(problem: dict[str, Any], raw: dict[str, Any]) -> str:
    """Turn one pydantic error into 'key = value: rule and fix'."""
    location = [part for part in problem["loc"] if part not in ("function-after",)]
    key = _key_name(location, raw)
    message = problem["msg"].removeprefix("Value error, ")
    kind = problem["type"]
    if kind == "missing":
        hint = MISSING_HINTS.get(str(location[-1]), "add it to Pulumi.<stack>.yaml")
        return f"{key} is missing; {hint}"
    if kind == "extra_forbidden":
        return f"{key} is not a known setting; remove it or check its spelling"
    if kind in ("literal_error", "enum"):
        expected = problem.get("ctx", {}).get("expected", "")
        return f"{key} = {problem['input']!r} is invalid; use one of {expected}"
    value = problem.get("input")
    rule = _TYPE_RULES.get(kind)
    if rule is not None:
        message = rule.format(**problem.get("ctx", {}))
    if not location:
        # A check across several keys names them in its own message.
        return message
    if isinstance(value, (dict, list)):
        return f"{key}: {message}"
    return f"{key} = {value!r}: {message}"


# Sentences with a fix for pydantic's type and bound errors, by error type. YAML reads
# an unquoted 1.30 as the number 1.3, so the fix for a text setting is to quote it.
_TYPE_RULES = {
    "string_type": "expected text; quote the value in the YAML, e.g. '1.35'",
    "int_type": "expected a whole number; write it without quotes or decimals",
    "int_parsing": "expected a whole number; write it without quotes or decimals",
    "int_from_float": "expected a whole number; drop the decimals",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list; write it as a YAML sequence ([a, b] or '- a' lines)",
    "dict_type": "expected a mapping of settings; write it as 'key: value' lines",
    "model_type": "expected a mapping of settings; write it as 'key: value' lines",
    "too_short": "must have at least {min_length} items; add the missing ones",
    "too_long": "must have at most {max_length} items; remove the extra ones",
    "greater_than_equal": "must be at least {ge}; raise it",
    "greater_than": "must be above {gt}; raise it",
    "less_than_equal": "must be at most {le}; lower it",
    "less_than": "must be below {lt}; lower it",
    "string_pattern_mismatch": "does not match the pattern {pattern}; correct the value",
}


def _key_name(location: list[Any], raw: dict[str, Any]) -> str:
    """Render a pydantic location as a config key, naming services by their name."""
    text = NAMESPACE
    node: Any = raw
    for index, part in enumerate(location):
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if index == 1 and location[0] == "services" and isinstance(node, dict):
                text += f" ({node.get('name', '?')})"
            continue
        text += ":" if index == 0 else "."
        text += str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return text
