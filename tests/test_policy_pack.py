"""The policy pack: the same rules through pulumi-policy's validation arguments."""

from __future__ import annotations

import json

import pytest
from pulumi_policy import (
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from offline import preview
from offline.context import load_config, stack_context
from policy import pack
from rules import load_all
from rules.capacity import HPA, NODE_POOL

RDS_INSTANCE = "aws:rds/instance:Instance"
DEV_CONFIG = {"stack": "dev", "environment": "dev", "relaxations": ["single-az-database"]}


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], None, [], None)


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::topfans::{type_}::{name}"


def _resource_args(type_: str, name: str, props: dict, config=None) -> ResourceValidationArgs:
    # The SDK wraps props in a proxy that raises on unknown values; so does the test.
    return ResourceValidationArgs(
        type_, unknown_checking_proxy(props), _urn(type_, name), name, _options(), None, config
    )


def _policy(name: str):
    (found,) = [p for p in pack.build_policies() if p.name == name]
    return found


def _violations(policy, args) -> list[tuple[str, str | None]]:
    reported: list[tuple[str, str | None]] = []
    policy.validate(args, lambda message, urn=None: reported.append((message, urn)))
    return reported


def test_one_policy_per_rule():
    policies = pack.build_policies()
    rules = load_all()
    assert sorted(p.name for p in policies) == sorted(rules)
    for policy in policies:
        expected = (
            StackValidationPolicy if rules[policy.name].stack_wide else ResourceValidationPolicy
        )
        assert isinstance(policy, expected), policy.name


def test_public_instance_rejected():
    args = _resource_args(RDS_INSTANCE, "database-mysql", {"publiclyAccessible": True})
    (violation,) = _violations(_policy("rds-not-public"), args)
    assert (
        violation[0] == "database-mysql: publiclyAccessible is true; set publicly_accessible=False"
    )


def test_private_instance_accepted():
    args = _resource_args(RDS_INSTANCE, "database-mysql", {"publiclyAccessible": False})
    assert _violations(_policy("rds-not-public"), args) == []


def test_other_types_ignored():
    args = _resource_args("aws:ec2/vpc:Vpc", "network-vpc", {"publiclyAccessible": True})
    assert _violations(_policy("rds-not-public"), args) == []


def test_relaxation_waives_in_dev():
    args = _resource_args(RDS_INSTANCE, "database-mysql", {"multiAz": False}, DEV_CONFIG)
    assert _violations(_policy("rds-multi-az"), args) == []


def test_no_config_judged_as_prod():
    args = _resource_args(RDS_INSTANCE, "database-mysql", {"multiAz": False})
    (violation,) = _violations(_policy("rds-multi-az"), args)
    assert "set database.multiAz to true" in violation[0]


def test_unknown_input_seen_as_unknown():
    props = {"storageEncrypted": True, "identifier": UNKNOWN_STRING_VALUE}
    view = pack.view(RDS_INSTANCE, "database-mysql", unknown_checking_proxy(props))
    assert view.inputs == {"storageEncrypted": True, "identifier": pack.UNKNOWN}


def _stack_args(run, config) -> StackValidationArgs:
    resources = [
        PolicyResource(
            view.type,
            unknown_checking_proxy(view.inputs),
            _urn(view.type, view.name),
            view.name,
            _options(),
            None,
            None,
            [],
            {},
        )
        for view in run.views()
    ]
    return StackValidationArgs(resources, config)


def _prod_config(prod_run) -> dict:
    context = stack_context("prod", load_config("prod"))
    return pack.policy_pack_config(context)["capacity-database-connections"]


def test_stack_policy_accepts_prod(prod):
    args = _stack_args(prod, _prod_config(prod))
    assert _violations(_policy("capacity-database-connections"), args) == []


def test_stack_policy_rejects_connection_overrun(prod):
    args = _stack_args(prod, _prod_config(prod))
    hpa = next(
        r for r in args.resources if r.resource_type == HPA and r.name == "workloads-user-hpa"
    )
    hpa.props["spec"]["maxReplicas"] = 40.0
    (violation,) = _violations(_policy("capacity-database-connections"), args)
    message, urn = violation
    assert message.startswith("database-mysql: the services may open")
    assert "user 50 pods (HPA max 40 + surge 10) x pool 10 = 500" in message
    assert urn == _urn(RDS_INSTANCE, "database-mysql")


def test_stack_policy_rejects_small_node_pool(prod):
    args = _stack_args(prod, _prod_config(prod))
    pool = next(r for r in args.resources if r.resource_type == NODE_POOL)
    pool.props["spec"]["limits"]["cpu"] = "8"
    violations = _violations(_policy("capacity-compute"), args)
    assert len(violations) == 1
    assert "over the 8 of the NodePool spec.limits" in violations[0][0]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_preview_writes_pack_config(stack, request, tmp_path):
    run = request.getfixturevalue(stack)
    context = stack_context(stack, load_config(stack))
    target = preview.write_build(run, tmp_path, context)
    written = json.loads((target / "policy-config.json").read_text())
    assert sorted(written) == sorted(load_all())
    assert written["rds-multi-az"]["environment"] == stack
    assert written["rds-multi-az"]["relaxations"] == sorted(context.relaxations)
    assert pack.context_from_config(written["capacity-compute"]) == context


def test_pack_config_matches_schema():
    context = stack_context("dev", load_config("dev"))
    properties = set(pack.CONFIG_SCHEMA.properties)
    for config in pack.policy_pack_config(context).values():
        assert set(config) == properties
