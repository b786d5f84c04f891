"""Cluster access: the admins' entries, the deploying identity, and its offline lookups."""

from __future__ import annotations

import json

import pytest

from components.cluster import admin_access_warning
from offline.aws_moto import ACCOUNT_ID, AwsBackend
from offline.errors import RejectedError

SESSION_CONTEXT = "aws:iam/getSessionContext:getSessionContext"
CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
OFFLINE_IDENTITY = f"arn:aws:iam::{ACCOUNT_ID}:user/moto"
ROLE = "arn:aws:iam::111122223333:role/deployer"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@pytest.fixture
def backend():
    """moto's AWS, started for one test."""
    aws = AwsBackend("us-east-1")
    with aws.active():
        yield aws


@pytest.mark.parametrize(
    ("deployer", "admins"),
    [
        (ROLE, [ROLE]),
        ("arn:aws:iam::111122223333:role/ci/github/deployer", [ROLE]),
        (ROLE, ["arn:aws:iam::111122223333:role/ci/deployer"]),
        (ROLE, ["arn:aws:sts::111122223333:assumed-role/deployer/ci-run"]),
        (ROLE, ["arn:aws:iam::111122223333:role/other", ROLE]),
    ],
)
def test_listed_deployer_no_warning(deployer, admins):
    assert admin_access_warning(deployer, admins) is None


@pytest.mark.parametrize(
    ("deployer", "admins"),
    [
        (ROLE, []),
        (ROLE, ["arn:aws:iam::444455556666:role/deployer"]),
        (ROLE, ["arn:aws:iam::111122223333:user/deployer"]),
        (ROLE, ["arn:aws:iam::111122223333:role/deployer-old"]),
    ],
)
def test_unlisted_deployer_warned(deployer, admins):
    warning = admin_access_warning(deployer, admins)
    assert warning is not None
    assert f"does not contain {ROLE}" in warning
    assert "Unauthorized" in warning
    assert f"add {ROLE} to topfans:cluster.adminArns" in warning


def test_offline_deployer_warned(dev):
    warnings = [message for level, message in dev.logs if level == "warning"]
    assert [w for w in warnings if f"does not contain {OFFLINE_IDENTITY}" in w]


def test_creator_gets_no_implicit_admin(run):
    access = run.of_type("aws:eks/cluster:Cluster")[0].inputs["accessConfig"]
    assert access["bootstrapClusterCreatorAdminPermissions"] is False


def test_provider_waits_for_admin_access(run):
    provider = run.named("cluster-k8s")
    grants = run.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert grants
    for grant in grants:
        assert grant.urn in provider.dependencies


def test_session_context_resolves_role(backend):
    backend.client("iam").create_role(
        RoleName="deployer", Path="/ci/", AssumeRolePolicyDocument=TRUST
    )
    arn = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/deployer/run-42"
    context = backend.invoke(SESSION_CONTEXT, {"arn": arn})
    assert context["issuerArn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/ci/deployer"
    assert context["issuerName"] == "deployer"
    assert context["sessionName"] == "run-42"
    assert context["arn"] == arn


def test_session_context_passes_user(backend):
    context = backend.invoke(SESSION_CONTEXT, {"arn": OFFLINE_IDENTITY})
    assert context["issuerArn"] == OFFLINE_IDENTITY
    assert context["sessionName"] == ""


def test_session_context_unknown_role(backend):
    arn = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/missing/run-42"
    with pytest.raises(RejectedError, match="NoSuchEntity"):
        backend.invoke(SESSION_CONTEXT, {"arn": arn})


def test_caller_identity_iam_user(backend):
    assert backend.invoke(CALLER_IDENTITY, {})["arn"] == OFFLINE_IDENTITY
