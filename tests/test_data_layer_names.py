"""Physical names derive from project and stack and stay valid for every accepted stack."""

from __future__ import annotations

import re

import pytest

from stack_config import ConfigError, validate_stack_config
from tests.conftest import topfans_config

# Stack names at the edges of what stack_config.load accepts: 2 and 26 characters,
# digits and hyphens where they are allowed.
BOUNDARY_STACKS = ["ab", "a1", "a" * 26, "a-" * 12 + "b9", "z" + "9" * 25, "x-y"]

# AWS naming rules by (type token, input): a pattern and a maximum length.
_RDS_NAME = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$")
_SECURITY_GROUP_NAME = re.compile(r"^[\w .:/()#,@\[\]+=&;{}!$*-]+$")
NAME_RULES = {
    ("aws:rds/instance:Instance", "identifier"): (_RDS_NAME, 63),
    ("aws:rds/instance:Instance", "finalSnapshotIdentifier"): (_RDS_NAME, 255),
    ("aws:rds/subnetGroup:SubnetGroup", "name"): (re.compile(r"^[a-z0-9._ -]+$"), 255),
    ("aws:rds/parameterGroup:ParameterGroup", "name"): (_RDS_NAME, 255),
    (
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "replicationGroupId",
    ): (re.compile(r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$"), 40),
    ("aws:elasticache/subnetGroup:SubnetGroup", "name"): (re.compile(r"^[a-z0-9-]+$"), 255),
    ("aws:elasticache/parameterGroup:ParameterGroup", "name"): (_RDS_NAME, 255),
    ("aws:eks/cluster:Cluster", "name"): (re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]*$"), 100),
    ("aws:iam/role:Role", "name"): (re.compile(r"^[\w+=,.@-]+$"), 64),
    ("aws:kms/alias:Alias", "name"): (re.compile(r"^alias/[A-Za-z0-9/_-]+$"), 256),
    ("aws:cloudwatch/logGroup:LogGroup", "name"): (re.compile(r"^[.\-_/#A-Za-z0-9]+$"), 512),
    ("aws:ec2/securityGroup:SecurityGroup", "name"): (_SECURITY_GROUP_NAME, 255),
}  # fmt: skip


def _physical_names(run) -> list[tuple[tuple[str, str], str]]:
    return [
        ((resource.type, key), resource.inputs[key])
        for resource in run.resources
        for (type_, key) in NAME_RULES
        if resource.type == type_ and key in resource.inputs
    ]


def test_every_named_type_registered(prod):
    assert {rule for rule, _ in _physical_names(prod)} == set(NAME_RULES)


def test_names_derive_from_project_and_stack(prod):
    for (type_, key), name in _physical_names(prod):
        assert "topfans-prod-" in name, f"{type_}.{key} = {name!r}"


@pytest.mark.parametrize("stack", BOUNDARY_STACKS)
def test_boundary_stack_accepted(stack):
    assert validate_stack_config(topfans_config("dev"), stack).environment.value == "dev"


@pytest.mark.parametrize("stack", BOUNDARY_STACKS)
def test_names_valid_for_boundary_stack(prod, stack):
    for (type_, key), name in _physical_names(prod):
        renamed = name.replace("topfans-prod-", f"topfans-{stack}-")
        pattern, max_length = NAME_RULES[(type_, key)]
        assert len(renamed) <= max_length, f"{type_}.{key} = {renamed!r}"
        assert pattern.match(renamed), f"{type_}.{key} = {renamed!r}"


@pytest.mark.parametrize("stack", ["a" * 27, "ab-", "a--b", "1ab"])
def test_stack_past_boundary_rejected(stack):
    with pytest.raises(ConfigError, match="Invalid stack name"):
        validate_stack_config(topfans_config("dev"), stack)
