"""The rules of `rules/` as Pulumi policies, for `pulumi preview --policy-pack policy`.

Each resource rule becomes a ResourceValidationPolicy and each stack rule a
StackValidationPolicy that call the same functions the offline preview runs. A
policy reads the stack it judges from its policy config. `make preview` writes
`build/<stack>/policy-config.json`, which gives every policy the stack's name,
environment and relaxations: pass it with
`--policy-pack-config`. Without it, every policy judges the stack as prod with no
relaxations, the strictest reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from rules import ResourceView, Rule, StackContext, load_all, run_rule

# The value a rule gets for an input only known after deployment (a preview's unknowns).
UNKNOWN = "[unknown]"

CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "stack": {"type": "string", "description": "the stack name"},
        "environment": {"type": "string", "enum": ["dev", "prod"]},
        "relaxations": {
            "type": "array",
            "items": {"type": "string"},
            "description": "the dev relaxations the stack lists (topfans:relaxations)",
        },
    }
)


def plain(value: Any) -> Any:
    """Return a policy SDK value as plain dicts and lists, unknowns replaced by "[unknown]".

    The SDK wraps inputs in proxies that raise UnknownValueError on every read of a
    value a preview cannot know yet.
    """
    if isinstance(value, Mapping):
        result = {}
        for key in value:
            try:
                result[key] = plain(value[key])
            except UnknownValueError:
                result[key] = UNKNOWN
        return result
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def view(resource_type: str, name: str, props: Mapping[str, Any]) -> ResourceView:
    """Return a resource as the rules see it.

    NOTE: the policy SDK hands over secret inputs in plain text, so a rule here gets
    the value where the offline runner passes "[secret]". No rule reads one.
    """
    return ResourceView(resource_type, name, plain(props))


def context_from_config(config: Mapping[str, Any]) -> StackContext:
    """Return the stack context a policy config describes; prod without relaxations if empty."""
    return StackContext(
        stack=str(config.get("stack", "unknown")),
        environment=str(config.get("environment", "prod")),
        relaxations=frozenset(config.get("relaxations") or ()),
    )


def _waived(rule: Rule, context: StackContext) -> bool:
    return rule.relaxation is not None and rule.relaxation in context.relaxations


def resource_policy(rule: Rule) -> ResourceValidationPolicy:
    """Return a policy that runs a resource rule on every resource of its types."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        context = context_from_config(args.get_config())
        if _waived(rule, context):
            return
        message = rule.check(view(args.resource_type, args.name, args.props), context)
        if message:
            report_violation(f"{args.name}: {message}", None)

    return ResourceValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        config_schema=CONFIG_SCHEMA,
    )


def stack_policy(rule: Rule) -> StackValidationPolicy:
    """Return a policy that runs a stack rule over all resources of the stack."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        context = context_from_config(args.get_config())
        if _waived(rule, context):
            return
        views = [view(r.resource_type, r.name, r.props) for r in args.resources]
        urns: dict[str, str] = {}
        for resource in args.resources:
            urns.setdefault(resource.name, resource.urn)
        for name, message in run_rule(rule, views, context):
            report_violation(f"{name}: {message}", urns.get(name))

    return StackValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        config_schema=CONFIG_SCHEMA,
    )


def build_policies(rules: Iterable[Rule] | None = None) -> list[Any]:
    """Return one policy per rule, by default for every registered rule."""
    chosen = list(rules) if rules is not None else list(load_all().values())
    return [stack_policy(rule) if rule.stack_wide else resource_policy(rule) for rule in chosen]


def policy_pack_config(context: StackContext, rules: Iterable[Rule] | None = None) -> dict:
    """Return the `--policy-pack-config` content that describes a stack to every policy."""
    chosen = list(rules) if rules is not None else list(load_all().values())
    properties = {
        "stack": context.stack,
        "environment": context.environment,
        "relaxations": sorted(context.relaxations),
    }
    return {rule.id: dict(properties) for rule in chosen}
