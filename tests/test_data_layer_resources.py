"""RDS and ElastiCache as registered: encryption, availability, backups, groups by output."""

from __future__ import annotations

import json
import string

import pytest

from components import database as database_module
from components.database import (
    ENHANCED_MONITORING_POLICY,
    check_lower_case_table_names_kept,
    existing_lower_case_table_names,
)
from offline import aws_moto
from offline.engine import Resource, RunResult, is_secret
from stack_config import ConfigError

RDS = "aws:rds/instance:Instance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"


def _of(run: RunResult, type_: str, name: str) -> Resource:
    matches = [r for r in run.resources if r.type == type_ and r.name == name]
    assert len(matches) == 1, f"expected one {type_} {name}, found {len(matches)}"
    return matches[0]


def _instance(run: RunResult) -> Resource:
    return _of(run, RDS, "database-mysql")


def _group(run: RunResult) -> Resource:
    return _of(run, REDIS, "cache-redis")


def _parameters(group: Resource) -> dict[str, dict]:
    return {item["name"]: item for item in group.inputs["parameters"]}


def test_rds_storage_uses_database_key(prod):
    key = _of(prod, "aws:kms/key:Key", "database-mysql-key")
    assert _instance(prod).inputs["storageEncrypted"] is True
    assert _instance(prod).inputs["kmsKeyId"] == key.outputs["arn"]


def test_rds_performance_insights_encrypted(prod):
    key = _of(prod, "aws:kms/key:Key", "database-mysql-key")
    inputs = _instance(prod).inputs
    assert inputs["performanceInsightsEnabled"] is True
    assert inputs["performanceInsightsKmsKeyId"] == key.outputs["arn"]


def test_rds_enhanced_monitoring_role(prod):
    role = _of(prod, "aws:iam/role:Role", "database-monitoring-role")
    attachment = _of(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", role.name)
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert _instance(prod).inputs["monitoringInterval"] == 60
    assert _instance(prod).inputs["monitoringRoleArn"] == role.outputs["arn"]
    assert attachment.inputs["policyArn"] == ENHANCED_MONITORING_POLICY
    assert trust["Statement"][0]["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}


def test_rds_dev_has_no_monitoring_role(dev):
    assert "monitoringRoleArn" not in _instance(dev).inputs
    assert _instance(dev).inputs["performanceInsightsEnabled"] is False


def test_rds_storage_grows_never_shrinks(prod):
    instance = _instance(prod)
    assert instance.inputs["storageType"] == "gp3"
    assert instance.inputs["maxAllocatedStorage"] > instance.inputs["allocatedStorage"]
    assert instance.ignore_changes == ["allocatedStorage"]


def test_rds_prod_availability_and_backups(prod):
    inputs = _instance(prod).inputs
    assert inputs["multiAz"] is True
    assert inputs["backupRetentionPeriod"] >= 7
    assert inputs["backupWindow"] == "18:00-19:00"
    assert inputs["maintenanceWindow"] == "sun:19:30-sun:20:30"


def test_rds_prod_final_snapshot(prod):
    inputs = _instance(prod).inputs
    assert inputs["deletionProtection"] is True
    assert inputs["skipFinalSnapshot"] is False
    assert inputs["finalSnapshotIdentifier"] == "topfans-prod-mysql-final"


def test_rds_upgrades_and_certificate(prod):
    inputs = _instance(prod).inputs
    assert inputs["engineVersion"] == "8.0"
    assert inputs["autoMinorVersionUpgrade"] is True
    assert inputs["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    assert inputs["iamDatabaseAuthenticationEnabled"] is True
    assert inputs["publiclyAccessible"] is False


def test_rds_logs_exported_to_encrypted_groups(prod):
    key = _of(prod, "aws:kms/key:Key", "database-mysql-key")
    assert _instance(prod).inputs["enabledCloudwatchLogsExports"] == ["error", "slowquery"]
    for log in ("error", "slowquery"):
        group = _of(prod, "aws:cloudwatch/logGroup:LogGroup", f"database-{log}-logs")
        assert group.inputs["name"] == f"/aws/rds/instance/topfans-prod-mysql/{log}"
        assert group.inputs["kmsKeyId"] == key.outputs["arn"]
        assert group.inputs["retentionInDays"] == 365
        assert group.urn in _instance(prod).dependencies


def test_rds_parameter_group_settings(prod):
    group = _of(prod, "aws:rds/parameterGroup:ParameterGroup", "database-params")
    parameters = _parameters(group)
    assert group.inputs["family"] == "mysql8.0"
    assert parameters["character_set_server"]["value"] == "utf8mb4"
    assert parameters["collation_server"]["value"] == "utf8mb4_unicode_ci"
    assert parameters["require_secure_transport"]["value"] == "1"
    assert parameters["slow_query_log"]["value"] == "1"
    assert parameters["time_zone"]["value"] == "Asia/Shanghai"
    assert parameters["lower_case_table_names"]["value"] == "1"
    assert parameters["lower_case_table_names"]["applyMethod"] == "pending-reboot"


def test_rds_records_lower_case_table_names(prod):
    assert _instance(prod).inputs["tags"]["lower_case_table_names"] == "1"


@pytest.mark.parametrize(
    ("input_name", "type_", "name"),
    [
        ("dbSubnetGroupName", "aws:rds/subnetGroup:SubnetGroup", "database-subnets"),
        ("parameterGroupName", "aws:rds/parameterGroup:ParameterGroup", "database-params"),
    ],
)
def test_rds_groups_referenced_by_output(prod, input_name, type_, name):
    group = _of(prod, type_, name)
    instance = _instance(prod)
    assert instance.inputs[input_name] == group.outputs["name"]
    assert group.urn in instance.dependencies


@pytest.mark.parametrize(
    ("input_name", "type_", "name"),
    [
        ("subnetGroupName", "aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets"),
        ("parameterGroupName", "aws:elasticache/parameterGroup:ParameterGroup", "cache-params"),
    ],
)
def test_cache_groups_referenced_by_output(prod, input_name, type_, name):
    group = _of(prod, type_, name)
    replication_group = _group(prod)
    assert replication_group.inputs[input_name] == group.outputs["name"]
    assert group.urn in replication_group.dependencies


def test_cache_parameter_group_family(prod):
    group = _of(prod, "aws:elasticache/parameterGroup:ParameterGroup", "cache-params")
    assert group.inputs["family"] == "redis7"
    assert _parameters(group)["maxmemory-policy"]["value"] == "volatile-lru"


def test_cache_encrypted_with_cache_key(prod):
    key = _of(prod, "aws:kms/key:Key", "cache-redis-key")
    inputs = _group(prod).inputs
    assert inputs["atRestEncryptionEnabled"] is True
    assert inputs["kmsKeyId"] == key.outputs["arn"]
    assert inputs["transitEncryptionEnabled"] is True


def test_cache_auth_token_secret_and_allowed(run):
    token = _group(run).inputs["authToken"]
    assert is_secret(token)
    assert 16 <= len(token["value"]) <= 128
    assert set(token["value"]) <= set(string.ascii_letters + string.digits)


def test_cache_prod_fails_over_across_zones(prod):
    inputs = _group(prod).inputs
    assert inputs["automaticFailoverEnabled"] is True
    assert inputs["multiAzEnabled"] is True
    assert inputs["numCacheClusters"] >= 2


def test_cache_snapshots(prod):
    inputs = _group(prod).inputs
    assert inputs["snapshotRetentionLimit"] == 7
    assert inputs["snapshotWindow"] == "17:00-18:00"


@pytest.mark.parametrize("name", ["database-mysql-key", "cache-redis-key"])
def test_data_keys_rotate_with_explicit_policy(run, name):
    key = _of(run, "aws:kms/key:Key", name)
    policy = json.loads(key.inputs["policy"])
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


def test_data_stores_protected_in_prod(prod):
    assert _instance(prod).protect is True
    assert _group(prod).protect is True


@pytest.mark.parametrize("existing", [None, "1"])
def test_lower_case_table_names_kept_passes(existing):
    check_lower_case_table_names_kept("topfans-prod-mysql", existing, 1)


def test_lower_case_table_names_change_rejected():
    with pytest.raises(ConfigError) as raised:
        check_lower_case_table_names_kept("topfans-prod-mysql", "1", 0)
    message = str(raised.value)
    assert "topfans:database.lowerCaseTableNames = 0" in message
    assert "topfans-prod-mysql was created with 1" in message
    assert "set lowerCaseTableNames back to 1" in message


class _Found:
    def __init__(self, identifiers, tags=None):
        self.instance_identifiers = identifiers
        self.tags = tags


def test_existing_value_read_from_tag(monkeypatch):
    monkeypatch.setattr(
        database_module.aws.rds, "get_instances", lambda filters: _Found(["topfans-prod-mysql"])
    )
    monkeypatch.setattr(
        database_module.aws.rds,
        "get_instance",
        lambda db_instance_identifier: _Found([], {"lower_case_table_names": "0"}),
    )
    assert existing_lower_case_table_names("topfans-prod-mysql") == "0"


def test_existing_value_none_for_new_instance(monkeypatch):
    monkeypatch.setattr(database_module.aws.rds, "get_instances", lambda filters: _Found([]))
    assert existing_lower_case_table_names("topfans-prod-mysql") is None


def test_offline_lookup_finds_tagged_instance():
    backend = aws_moto.AwsBackend("us-east-1")
    with backend.active():
        backend.client("rds").create_db_instance(
            DBInstanceIdentifier="topfans-prod-mysql",
            DBInstanceClass="db.t4g.small",
            Engine="mysql",
            MasterUsername="topfans_admin",
            MasterUserPassword="a" * 32,
            AllocatedStorage=20,
            Tags=[{"Key": "lower_case_table_names", "Value": "0"}],
        )
        found = backend.invoke(
            "aws:rds/getInstances:getInstances",
            {"filters": [{"name": "db-instance-id", "values": ["topfans-prod-mysql"]}]},
        )
        missing = backend.invoke(
            "aws:rds/getInstances:getInstances",
            {"filters": [{"name": "db-instance-id", "values": ["topfans-dev-mysql"]}]},
        )
        detail = backend.invoke(
            "aws:rds/getInstance:getInstance", {"dbInstanceIdentifier": "topfans-prod-mysql"}
        )
    assert found["instanceIdentifiers"] == ["topfans-prod-mysql"]
    assert missing["instanceIdentifiers"] == []
    assert detail["tags"]["lower_case_table_names"] == "0"
