"""Each AWS rule fails on the prod run's resources once one input breaks it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from rules import ResourceView, StackContext, load_all, run_rule
from rules import aws as aws_rules

PROD = StackContext("prod", "prod")
DELETE = object()

Views = list[ResourceView]


def _set(type_: str, **changes) -> Callable[[Views], Views]:
    """Return a mutation that changes inputs of the first resource of `type_`."""

    def mutate(views: Views) -> Views:
        index = next(i for i, view in enumerate(views) if view.type == type_)
        inputs = dict(views[index].inputs)
        for key, value in changes.items():
            if value is DELETE:
                inputs.pop(key, None)
            else:
                inputs[key] = value
        return [*views[:index], replace(views[index], inputs=inputs), *views[index + 1 :]]

    return mutate


def _nested(type_: str, key: str, **changes) -> Callable[[Views], Views]:
    """Return a mutation that changes fields of one object input of the first `type_`."""

    def mutate(views: Views) -> Views:
        view = next(view for view in views if view.type == type_)
        return _set(type_, **{key: {**(view.inputs.get(key) or {}), **changes}})(views)

    return mutate


def _parameter(type_: str, name: str, value: object) -> Callable[[Views], Views]:
    """Return a mutation that sets (or, with DELETE, drops) one parameter of a group."""

    def mutate(views: Views) -> Views:
        view = next(view for view in views if view.type == type_)
        kept = [item for item in view.inputs["parameters"] if item["name"] != name]
        if value is not DELETE:
            kept.append({"name": name, "value": value})
        return _set(type_, parameters=kept)(views)

    return mutate


def _drop(type_: str) -> Callable[[Views], Views]:
    """Return a mutation that removes every resource of `type_`."""
    return lambda views: [view for view in views if view.type != type_]


def _keep_first(type_: str) -> Callable[[Views], Views]:
    """Return a mutation that keeps only the first resource of `type_`."""

    def mutate(views: Views) -> Views:
        first = next(view for view in views if view.type == type_)
        return [view for view in views if view.type != type_ or view is first]

    return mutate


def _add(type_: str, **inputs) -> Callable[[Views], Views]:
    """Return a mutation that adds one resource of `type_` with these inputs."""
    return lambda views: [*views, ResourceView(type_, "added", inputs)]


RDS = aws_rules.RDS_INSTANCE
REDIS = aws_rules.REPLICATION_GROUP
EKS = aws_rules.EKS_CLUSTER

# Each case: the rule, how to break prod, a fragment of the message it must produce.
CASES = [
    ("rds-storage-encrypted", _set(RDS, storageEncrypted=False), "storageEncrypted is not true"),
    ("rds-storage-cmk", _set(RDS, kmsKeyId=DELETE), "kmsKeyId is missing"),
    ("rds-not-public", _set(RDS, publiclyAccessible=True), "publiclyAccessible is true"),
    ("rds-enhanced-monitoring", _set(RDS, monitoringInterval=0.0), "monitoringInterval is 0"),
    ("rds-log-exports", _set(RDS, enabledCloudwatchLogsExports=["error"]), "'slowquery'"),
    ("rds-backups-on", _set(RDS, backupRetentionPeriod=0.0), "backupRetentionPeriod is 0"),
    ("rds-backups-week", _set(RDS, backupRetentionPeriod=3.0), "7 or more"),
    ("rds-windows-set", _set(RDS, backupWindow=DELETE), "backupWindow missing"),
    ("rds-multi-az", _set(RDS, multiAz=False), "multiAz is not true"),
    ("rds-iam-auth", _set(RDS, iamDatabaseAuthenticationEnabled=False), "iamDatabase"),
    ("rds-ca-certificate", _set(RDS, caCertIdentifier="rds-ca-2019"), "'rds-ca-2019'"),
    ("rds-minor-upgrades", _set(RDS, autoMinorVersionUpgrade=False), "autoMinorVersion"),
    ("rds-engine-version-major-minor", _set(RDS, engineVersion="8.0.39"), "'8.0.39'"),
    ("rds-deletion-protection", _set(RDS, deletionProtection=False), "deletionProtection"),
    ("rds-final-snapshot", _set(RDS, skipFinalSnapshot=True), "skipFinalSnapshot"),
    ("rds-performance-insights", _set(RDS, performanceInsightsEnabled=False), "performance"),
    (
        "rds-performance-insights-cmk",
        _set(RDS, performanceInsightsKmsKeyId=DELETE),
        "performanceInsightsKmsKeyId is missing",
    ),
    ("rds-copy-tags-to-snapshot", _set(RDS, copyTagsToSnapshot=False), "copyTagsToSnapshot"),
    ("rds-storage-autoscaling", _set(RDS, maxAllocatedStorage=100.0), "is not above"),
    (
        "rds-secure-transport",
        _parameter(aws_rules.RDS_PARAMETER_GROUP, "require_secure_transport", "0"),
        "require_secure_transport",
    ),
    (
        "rds-parameter-group",
        _set(aws_rules.RDS_PARAMETER_GROUP, family="mysql8.4"),
        "needs 'mysql8.0'",
    ),
    ("cache-encrypted-at-rest", _set(REDIS, atRestEncryptionEnabled="false"), "atRest"),
    ("cache-encrypted-in-transit", _set(REDIS, transitEncryptionEnabled=False), "transit"),
    ("cache-auth-token", _set(REDIS, authToken=DELETE), "authToken is missing"),
    ("cache-cmk", _set(REDIS, kmsKeyId=DELETE), "kmsKeyId is missing"),
    ("cache-automatic-failover", _set(REDIS, automaticFailoverEnabled=False), "automatic"),
    ("cache-multi-az", _set(REDIS, numCacheClusters=1.0), "numNodes to 2"),
    ("cache-snapshots", _set(REDIS, snapshotRetentionLimit=0.0), "snapshotRetentionLimit"),
    (
        "cache-parameter-group",
        _set(aws_rules.CACHE_PARAMETER_GROUP, family="redis6.x"),
        "needs 'redis7'",
    ),
    (
        "eks-control-plane-logs",
        _set(EKS, enabledClusterLogTypes=["api", "audit"]),
        "'authenticator'",
    ),
    (
        "eks-public-endpoint-cidrs",
        _nested(EKS, "vpcConfig", endpointPublicAccess=True, publicAccessCidrs=["0.0.0.0/0"]),
        "contains 0.0.0.0/0",
    ),
    (
        "eks-public-endpoint-off",
        _nested(EKS, "vpcConfig", endpointPublicAccess=True),
        "endpointPublicAccess is not false",
    ),
    (
        "eks-secrets-encrypted",
        _nested(EKS, "encryptionConfig", resources=[]),
        "does not cover secrets",
    ),
    ("eks-supported-version", _set(EKS, version="1.29"), "'1.29'"),
    (
        "eks-node-imdsv2",
        _add(
            aws_rules.LAUNCH_TEMPLATE,
            metadataOptions={"httpTokens": "optional", "httpPutResponseHopLimit": 1.0},
        ),
        "httpTokens is not required",
    ),
    (
        "eks-auto-mode-node-pool-limits",
        _drop(aws_rules.NODE_POOL),
        "no NodePool sets limits",
    ),
    ("vpc-flow-logs", _drop(aws_rules.FLOW_LOG), "the VPC has no flow log"),
    (
        "vpc-default-security-group-closed",
        _set(
            aws_rules.DEFAULT_SECURITY_GROUP,
            ingress=[{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "self": True}],
        ),
        "the default security group has rules",
    ),
    ("subnet-no-public-ip", _set(aws_rules.SUBNET, mapPublicIpOnLaunch=True), "mapPublicIp"),
    (
        "sg-no-open-egress",
        _add(aws_rules.EGRESS_RULE, ipProtocol="-1", cidrIpv4="0.0.0.0/0"),
        "every protocol and port",
    ),
    (
        "sg-no-open-ingress",
        _add(
            aws_rules.INGRESS_RULE,
            ipProtocol="tcp",
            fromPort=3306.0,
            toPort=3306.0,
            cidrIpv4="0.0.0.0/0",
            description="MySQL from anywhere",
        ),
        "on port 3306",
    ),
    (
        "sg-ingress-from-group",
        _set(aws_rules.INGRESS_RULE, description=DELETE),
        "has no description",
    ),
    ("nat-gateway-per-az", _keep_first(aws_rules.NAT_GATEWAY), "1 NAT gateways for 3 zones"),
    ("log-group-cmk", _set(aws_rules.LOG_GROUP, kmsKeyId=DELETE), "kmsKeyId is missing"),
    (
        "log-group-retention-year",
        _set(aws_rules.LOG_GROUP, retentionInDays=90.0),
        "retentionInDays is 90",
    ),
    ("kms-key-rotation", _set(aws_rules.KMS_KEY, enableKeyRotation=False), "enableKeyRotation"),
    ("kms-key-policy", _set(aws_rules.KMS_KEY, policy=DELETE), "policy is missing"),
]


@pytest.mark.parametrize(("rule_id", "breaker", "fragment"), CASES, ids=[case[0] for case in CASES])
def test_rule_fails_on_broken_input(rule_id, breaker, fragment, prod):
    rule = load_all()[rule_id]
    messages = [message for _, message in run_rule(rule, breaker(prod.views()), PROD)]
    assert messages, f"{rule_id} passed on the broken input"
    assert any(fragment in message for message in messages), messages


@pytest.mark.parametrize(("rule_id", "breaker", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_rule_passes_on_prod(rule_id, breaker, fragment, prod):
    assert run_rule(load_all()[rule_id], prod.views(), PROD) == []


def test_every_aws_rule_has_case():
    aws_rule_ids = {
        rule.id for rule in load_all().values() if rule.check.__module__ == aws_rules.__name__
    }
    assert aws_rule_ids == {case[0] for case in CASES}


def test_rules_name_listed_checkov_ids():
    named = {check for rule in load_all().values() for check in rule.checkov}
    listed = {
        "CKV_AWS_16", "CKV_AWS_17", "CKV_AWS_118", "CKV_AWS_129", "CKV_AWS_133",
        "CKV_AWS_157", "CKV_AWS_161", "CKV_AWS_211", "CKV_AWS_226", "CKV_AWS_293",
        "CKV_AWS_353", "CKV_AWS_354", "CKV2_AWS_60", "CKV2_AWS_69",
        "CKV_AWS_29", "CKV_AWS_30", "CKV_AWS_31", "CKV_AWS_191", "CKV2_AWS_50",
        "CKV_AWS_37", "CKV_AWS_38", "CKV_AWS_39", "CKV_AWS_58", "CKV_AWS_339",
        "CKV2_AWS_11", "CKV2_AWS_12", "CKV_AWS_130", "CKV_AWS_382",
    }  # fmt: skip
    assert listed - named == set()
