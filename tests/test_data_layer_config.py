"""Configs that would build a weak or broken data layer, cluster or network are rejected."""

from __future__ import annotations

import pytest

from stack_config import ConfigError, validate_stack_config
from tests.conftest import topfans_config


def _set(section: str, **values):
    """Return a breaker that sets keys of one config section."""

    def breaker(config):
        config[section].update(values)

    return breaker


def _nested(section: str, key: str, **values):
    """Return a breaker that sets keys of a mapping inside a config section."""

    def breaker(config):
        config[section].setdefault(key, {}).update(values)

    return breaker


# Each case: a name, how to break the dev config, fragments the message must contain.
BAD_CONFIGS = [
    (
        "auth_token_without_tls",
        _set("cache", transitEncryption=False, authToken=True),
        ["topfans:cache", "authToken needs transitEncryption", "set transitEncryption to true"],
    ),
    (
        "cache_without_tls",
        _set("cache", transitEncryption=False, authToken=False),
        ["transitEncryption is false", "rediss://", "set transitEncryption to true"],
    ),
    (
        "cache_without_auth",
        _set("cache", authToken=False),
        ["authToken is false", "set authToken to true"],
    ),
    (
        "multi_az_redis_one_node",
        _set("cache", multiAz=True, numNodes=1),
        ["multiAz needs at least 2 nodes", "numNodes is 1", "set numNodes to 2 or more"],
    ),
    (
        "mysql_family_disagrees",
        _set("database", engineVersion="8.0", parameterFamily="mysql8.4"),
        ["parameterFamily 'mysql8.4' does not match engineVersion '8.0'", "'mysql8.0'"],
    ),
    (
        "redis_family_disagrees",
        _set("cache", engineVersion="7.1", parameterFamily="redis6.x"),
        ["parameterFamily 'redis6.x' does not match engineVersion '7.1'", "'redis7'"],
    ),
    (
        "mysql_patch_version",
        _set("database", engineVersion="8.0.39"),
        ["database.engineVersion = '8.0.39'", "major.minor only", "8.0, 8.4"],
    ),
    (
        "unknown_redis_version",
        _set("cache", engineVersion="5.0"),
        ["cache.engineVersion = '5.0'", "unknown Redis version", "7.1"],
    ),
    (
        "max_storage_not_above",
        _set("database", allocatedStorageGb=100, maxAllocatedStorageGb=100),
        ["maxAllocatedStorageGb 100 must exceed allocatedStorageGb 100", "raise"],
    ),
    (
        "database_windows_overlap",
        _set("database", backupWindow="19:00-20:00", maintenanceWindow="sun:19:30-sun:20:30"),
        ["backupWindow 19:00-20:00 overlaps maintenanceWindow", "RDS rejects", "move one"],
    ),
    (
        "cache_windows_overlap",
        _set("cache", snapshotWindow="20:00-21:00", maintenanceWindow="sun:20:30-sun:21:30"),
        ["snapshotWindow 20:00-21:00 overlaps maintenanceWindow", "ElastiCache rejects"],
    ),
    (
        "malformed_backup_window",
        _set("database", backupWindow="6pm-7pm"),
        ["database.backupWindow = '6pm-7pm'", "hh:mm-hh:mm in UTC"],
    ),
    (
        "public_endpoint_without_cidrs",
        _set("cluster", endpointPublicAccess=True, publicAccessCidrs=[]),
        ["endpointPublicAccess is true but publicAccessCidrs is empty", "list the CIDRs"],
    ),
    (
        "api_open_to_internet",
        _set("cluster", publicAccessCidrs=["0.0.0.0/0"]),
        ["0.0.0.0/0 opens the Kubernetes API", "endpointPublicAccess to false"],
    ),
    (
        "api_cidr_malformed",
        _set("cluster", publicAccessCidrs=["203.0.113.0/33"]),
        ["'203.0.113.0/33' is not an IPv4 CIDR block"],
    ),
    (
        "cidrs_without_public_endpoint",
        _set("cluster", endpointPublicAccess=False),
        ["publicAccessCidrs is set but endpointPublicAccess is false"],
    ),
    (
        "unsupported_kubernetes",
        _set("cluster", kubernetesVersion="1.30"),
        ["cluster.kubernetesVersion = '1.30'", "EKS does not support", "1.35"],
    ),
    (
        "node_group_mode_without_group",
        _set("cluster", computeMode="node-group"),
        ["computeMode is node-group but nodeGroup is missing"],
    ),
    (
        "node_pool_memory_not_quantity",
        _nested("cluster", "autoMode", memoryLimit="lots"),
        ["'lots' is not a Kubernetes quantity"],
    ),
    (
        "node_pool_unknown_architecture",
        _nested("cluster", "autoMode", architectures=["x86"]),
        ["cluster.autoMode.architectures[0] = 'x86' is invalid", "'amd64' or 'arm64'"],
    ),
    (
        "expired_ca_certificate",
        _set("database", caCertificate="rds-ca-2019"),
        ["database.caCertificate = 'rds-ca-2019' is invalid", "rds-ca-rsa2048-g1"],
    ),
    (
        "lower_case_table_names_two",
        _set("database", lowerCaseTableNames=2),
        ["database.lowerCaseTableNames = 2 is invalid", "0 or 1"],
    ),
    (
        "unknown_time_zone",
        _set("database", timeZone="Mars/Olympus"),
        ["database.timeZone = 'Mars/Olympus'", "unknown IANA time zone"],
    ),
    (
        "monitoring_interval_unsupported",
        _set("database", monitoringIntervalSeconds=7),
        ["database.monitoringIntervalSeconds = 7 is invalid"],
    ),
    (
        "backup_retention_above_35",
        _set("database", backupRetentionDays=40),
        ["database.backupRetentionDays = 40", "must be at most 35; lower it"],
    ),
    (
        "unknown_instance_class",
        _set("database", instanceClass="db.x9.huge"),
        ["database.instanceClass = 'db.x9.huge'", "unknown instance class"],
    ),
    (
        "flow_log_retention_not_allowed",
        _set("network", flowLogRetentionDays=10),
        ["network.flowLogRetentionDays = 10", "CloudWatch Logs accepts only", "365"],
    ),
    (
        "unknown_eviction_policy",
        _set("cache", maxmemoryPolicy="lru"),
        ["cache.maxmemoryPolicy = 'lru' is invalid", "'allkeys-lru'"],
    ),
    (
        "short_log_retention_unlisted",
        lambda config: config["relaxations"].remove("short-log-retention"),
        ["network.flowLogRetentionDays/cluster.logRetentionDays/database.logRetentionDays"],
    ),
    (
        "public_endpoint_unlisted",
        lambda config: config["relaxations"].remove("public-cluster-endpoint"),
        ["cluster.endpointPublicAccess = True", "add public-cluster-endpoint"],
    ),
]


@pytest.mark.parametrize(
    ("breaker", "fragments"),
    [case[1:] for case in BAD_CONFIGS],
    ids=[case[0] for case in BAD_CONFIGS],
)
def test_bad_config_message(breaker, fragments):
    config = topfans_config("dev")
    breaker(config)
    with pytest.raises(ConfigError) as raised:
        validate_stack_config(config, "dev")
    for fragment in fragments:
        assert fragment in str(raised.value)


# Each case: a key, a value that is fine in dev and a prod stack must not use.
PROD_ONLY = [
    ("network", {"flowLogRetentionDays": 90}, "'short-log-retention' relaxation"),
    ("cluster", {"logRetentionDays": 30}, "'short-log-retention' relaxation"),
    ("database", {"logRetentionDays": 30}, "'short-log-retention' relaxation"),
    (
        "cluster",
        {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]},
        "'public-cluster-endpoint' relaxation",
    ),
    ("cache", {"numNodes": 1, "multiAz": False}, "'single-cache-node' relaxation"),
    ("database", {"performanceInsights": False}, "'no-performance-insights' relaxation"),
    ("database", {"backupRetentionDays": 3}, "'short-backup-retention' relaxation"),
    ("database", {"deletionProtection": False}, "'no-deletion-protection' relaxation"),
]


@pytest.mark.parametrize(("section", "values", "fragment"), PROD_ONLY)
def test_prod_rejects_relaxed_value(section, values, fragment):
    config = topfans_config("prod")
    config[section].update(values)
    with pytest.raises(ConfigError) as raised:
        validate_stack_config(config, "prod")
    assert fragment in str(raised.value)
    assert "a prod stack may not use" in str(raised.value)
