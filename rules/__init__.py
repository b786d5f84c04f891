"""Rules over the resources a stack registers, written once for two runners.

A rule is a plain function of a resource's type token and inputs (camelCase, as the
engine and a policy pack see them), or of all resources for stack-wide rules. The
offline preview runs them over what the mock engine recorded; the policy pack in
`policy/` runs the same functions during a real `pulumi preview`.

A rule that a dev relaxation explains names that relaxation: in a stack that lists
it, a violation is reported as waived instead of failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The value a secret input has in the resources the rules see.
SECRET = "[secret]"


@dataclass(frozen=True)
class StackContext:
    """The facts about the stack a rule receives besides its resources."""

    stack: str
    environment: str
    relaxations: frozenset[str] = frozenset()
    # The stack's validated `topfans:` config (camelCase keys, defaults filled in), for
    # stack rules that need a setting no resource carries. Empty when unknown.


@dataclass(frozen=True)
class ResourceView:
    """One resource as a rule receives it: type token, logical name, inputs."""

    type: str
    name: str
    inputs: Mapping[str, Any]


ResourceCheck = Callable[[ResourceView, StackContext], "str | None"]
StackCheck = Callable[[list[ResourceView], StackContext], "list[tuple[str, str]]"]


@dataclass(frozen=True)
class Rule:
    """A named check, the checkov ids it mirrors, and the relaxation that may waive it.

    For a rule with `types`, `check` is a `ResourceCheck` that returns a violation
    message or None. For a stack rule (`types` empty), it is a `StackCheck` that
    returns (resource name, message) pairs.
    """

    id: str
    description: str
    check: Callable[..., Any]
    types: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    relaxation: str | None = None

    @property
    def stack_wide(self) -> bool:
        """Whether the rule looks at all resources at once."""
        return not self.types


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one resource."""

    rule: Rule
    resource: str
    message: str


@dataclass
class Report:
    """The outcome of running every rule over a stack."""

    passed: list[Rule] = field(default_factory=list)
    failed: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no rule failed (waived findings do not count)."""
        return not self.failed


RULES: dict[str, Rule] = {}


def resource_rule(
    rule_id: str,
    description: str,
    types: Iterable[str],
    checkov: Iterable[str] = (),
    relaxation: str | None = None,
) -> Callable[[ResourceCheck], ResourceCheck]:
    """Register a function as a rule over each resource of the given types."""

    def register(check: ResourceCheck) -> ResourceCheck:
        _add(Rule(rule_id, description, check, tuple(types), tuple(checkov), relaxation))
        return check

    return register


def stack_rule(
    rule_id: str,
    description: str,
    checkov: Iterable[str] = (),
    relaxation: str | None = None,
) -> Callable[[StackCheck], StackCheck]:
    """Register a function as a rule over all resources of the stack at once."""

    def register(check: StackCheck) -> StackCheck:
        _add(Rule(rule_id, description, check, (), tuple(checkov), relaxation))
        return check

    return register


def _add(rule: Rule) -> None:
    if rule.id in RULES:
        raise ValueError(f"rule id {rule.id!r} is registered twice; give each rule its own id")
    RULES[rule.id] = rule


def load_all() -> dict[str, Rule]:
    """Import every rule module, so that RULES contains the whole rule set."""
    from rules import (
        aws,  # noqa: F401 - imported for its registrations
        capacity,  # noqa: F401 - imported for its registrations
        kubernetes,  # noqa: F401 - imported for its registrations
    )

    return RULES


def evaluate(
    resources: list[ResourceView], context: StackContext, rules: Iterable[Rule] | None = None
) -> Report:
    """Run rules (by default all of them) over the resources and sort the verdicts."""
    report = Report()
    for rule in rules if rules is not None else load_all().values():
        findings = [
            Finding(rule, name, message) for name, message in run_rule(rule, resources, context)
        ]
        if not findings:
            report.passed.append(rule)
        elif rule.relaxation is not None and rule.relaxation in context.relaxations:
            report.waived.extend(findings)
        else:
            report.failed.extend(findings)
    return report


def run_rule(
    rule: Rule, resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    """Return (resource name, message) for each violation of one rule."""
    if rule.stack_wide:
        return list(rule.check(resources, context))
    violations = []
    for resource in resources:
        if resource.type in rule.types:
            message = rule.check(resource, context)
            if message:
                violations.append((resource.name, message))
    return violations
