"""The rule framework: registration, waivers by relaxation, and the stack runs."""

from __future__ import annotations

import pytest

from rules import RULES, ResourceView, Rule, StackContext, evaluate, load_all, resource_rule

DEV = StackContext("dev", "dev", frozenset({"single-az-database"}))
PROD = StackContext("prod", "prod")


def _instance(**inputs) -> ResourceView:
    return ResourceView("aws:rds/instance:Instance", "db", inputs)


def test_rule_ids_unique():
    load_all()
    with pytest.raises(ValueError, match="registered twice"):
        resource_rule("rds-multi-az", "again", types=["x"])(lambda resource, context: None)
    assert RULES["rds-multi-az"].description == "RDS runs Multi-AZ"


def test_violation_fails_without_relaxation():
    rule = load_all()["rds-multi-az"]
    report = evaluate([_instance(multiAz=False)], PROD, [rule])
    assert [finding.resource for finding in report.failed] == ["db"]
    assert not report.ok


def test_violation_waived_by_listed_relaxation():
    rule = load_all()["rds-multi-az"]
    report = evaluate([_instance(multiAz=False)], DEV, [rule])
    assert report.failed == []
    assert [finding.resource for finding in report.waived] == ["db"]


def test_passing_rule_listed_as_passed():
    rule = load_all()["rds-multi-az"]
    report = evaluate([_instance(multiAz=True)], PROD, [rule])
    assert report.passed == [rule]


def test_rule_ignores_other_types():
    rule = load_all()["rds-multi-az"]
    report = evaluate([ResourceView("aws:ec2/vpc:Vpc", "vpc", {})], PROD, [rule])
    assert report.passed == [rule]


def test_every_rule_documented():
    for rule in load_all().values():
        assert isinstance(rule, Rule)
        assert rule.description, rule.id


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_passes_all_rules(stack, request):
    run = request.getfixturevalue(stack)
    context = StackContext(stack, stack, frozenset(_relaxations(stack)))
    report = evaluate(run.views(), context)
    assert [f"{f.rule.id}: {f.resource}: {f.message}" for f in report.failed] == []
    assert len(report.passed) + len({f.rule.id for f in report.waived}) == len(RULES)


def _relaxations(stack: str) -> list[str]:
    from tests.conftest import topfans_config

    return topfans_config(stack).get("relaxations", [])
