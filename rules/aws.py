"""Rules over the AWS resources: the data layer, the cluster and the network.

Each rule names the checkov check it mirrors, so a reader can compare it with the
check's source in checkov (checkov/terraform/checks). A rule with no checkov id
enforces the prod baseline where checkov has no check. Inputs are camelCase, numbers
arrive as floats, and pulumi-aws booleans may arrive as "true"/"false" strings.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from rules import ResourceView, StackContext, resource_rule, stack_rule
from stack_config.catalog import (
    EKS_KUBERNETES_VERSIONS,
    MYSQL_PARAMETER_FAMILIES,
    REDIS_PARAMETER_FAMILIES,
)

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KMS_KEY = "aws:kms/key:Key"

# CA certificates RDS offers that do not expire before 2061 (rds-ca-2019 expired in
# August 2024).
RDS_MODERN_CA_CERTIFICATES = ("rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1")
RDS_MONITORING_INTERVALS = (1, 5, 10, 15, 30, 60)
RDS_REQUIRED_LOG_EXPORTS = ("error", "slowquery")
PROD_MIN_BACKUP_RETENTION_DAYS = 7
MIN_LOG_RETENTION_DAYS = 365
EKS_CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# Ports an internet-facing load balancer serves; no other port may admit 0.0.0.0/0.
PUBLIC_LOAD_BALANCER_PORTS = (80, 443)


def _true(value: Any) -> bool:
    """Read a pulumi-aws boolean that may arrive as a bool or as "true"/"false"."""
    if isinstance(value, str):
        return value.lower() == "true"
    return value is True


def _parameters(group: ResourceView) -> dict[str, str]:
    return {item["name"]: str(item["value"]) for item in group.inputs.get("parameters") or []}


def _named(resources: list[ResourceView], type_: str, name: Any) -> ResourceView | None:
    """Return the resource of `type_` whose `name` input is `name`, if there is one."""
    for resource in resources:
        if resource.type == type_ and resource.inputs.get("name") == name:
            return resource
    return None


def _of_type(resources: list[ResourceView], type_: str) -> list[ResourceView]:
    return [resource for resource in resources if resource.type == type_]


# RDS.


@resource_rule(
    "rds-storage-encrypted",
    "RDS storage is encrypted at rest",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_16"],
)
def rds_storage_encrypted(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("storageEncrypted") is not True:
        return "storageEncrypted is not true; set storage_encrypted=True"
    return None


@resource_rule(
    "rds-storage-cmk",
    "RDS storage is encrypted with a customer-managed KMS key",
    types=[RDS_INSTANCE],
)
def rds_storage_cmk(resource: ResourceView, context: StackContext) -> str | None:
    if not resource.inputs.get("kmsKeyId"):
        return "kmsKeyId is missing, so RDS uses the AWS-managed key; pass the database key"
    return None


@resource_rule(
    "rds-not-public",
    "RDS is not publicly accessible",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_17"],
)
def rds_not_public(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("publiclyAccessible") is True:
        return "publiclyAccessible is true; set publicly_accessible=False"
    return None


@resource_rule(
    "rds-enhanced-monitoring",
    "RDS enhanced monitoring is on, with a monitoring role",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_118"],
    relaxation="no-performance-insights",
)
def rds_enhanced_monitoring(resource: ResourceView, context: StackContext) -> str | None:
    interval = resource.inputs.get("monitoringInterval")
    if interval not in RDS_MONITORING_INTERVALS:
        return (
            f"monitoringInterval is {interval}; set database.monitoringIntervalSeconds to one "
            f"of {', '.join(map(str, RDS_MONITORING_INTERVALS))}"
        )
    if not resource.inputs.get("monitoringRoleArn"):
        return "monitoringRoleArn is missing; enhanced monitoring needs its IAM role"
    return None


@resource_rule(
    "rds-log-exports",
    "RDS exports its error and slow query logs to CloudWatch Logs",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_129"],
)
def rds_log_exports(resource: ResourceView, context: StackContext) -> str | None:
    exports = resource.inputs.get("enabledCloudwatchLogsExports") or []
    missing = [log for log in RDS_REQUIRED_LOG_EXPORTS if log not in exports]
    if missing:
        return f"enabledCloudwatchLogsExports lacks {missing}; export error and slowquery"
    return None


@resource_rule(
    "rds-backups-on",
    "RDS keeps automated backups (1 to 35 days)",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_133"],
)
def rds_backups_on(resource: ResourceView, context: StackContext) -> str | None:
    days = resource.inputs.get("backupRetentionPeriod", 1)
    if not 0 < days <= 35:
        return f"backupRetentionPeriod is {days}; set database.backupRetentionDays to 1-35"
    return None


@resource_rule(
    "rds-backups-week",
    "RDS keeps automated backups at least 7 days",
    types=[RDS_INSTANCE],
    relaxation="short-backup-retention",
)
def rds_backups_week(resource: ResourceView, context: StackContext) -> str | None:
    days = resource.inputs.get("backupRetentionPeriod", 1)
    if days < PROD_MIN_BACKUP_RETENTION_DAYS:
        return (
            f"backupRetentionPeriod is {days}; set database.backupRetentionDays to "
            f"{PROD_MIN_BACKUP_RETENTION_DAYS} or more"
        )
    return None


@resource_rule(
    "rds-windows-set",
    "RDS backup and maintenance windows are set",
    types=[RDS_INSTANCE],
)
def rds_windows_set(resource: ResourceView, context: StackContext) -> str | None:
    missing = [key for key in ("backupWindow", "maintenanceWindow") if not resource.inputs.get(key)]
    if missing:
        return f"{' and '.join(missing)} missing, so AWS picks them at random; set both"
    return None


@resource_rule(
    "rds-multi-az",
    "RDS runs Multi-AZ",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_157"],
    relaxation="single-az-database",
)
def rds_multi_az(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("multiAz") is not True:
        return "multiAz is not true; set database.multiAz to true"
    return None


@resource_rule(
    "rds-iam-auth",
    "RDS accepts IAM database authentication",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_161"],
)
def rds_iam_auth(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("iamDatabaseAuthenticationEnabled") is not True:
        return "iamDatabaseAuthenticationEnabled is not true; set it to true"
    return None


@resource_rule(
    "rds-ca-certificate",
    "RDS uses a CA certificate that is not expired",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_211"],
)
def rds_ca_certificate(resource: ResourceView, context: StackContext) -> str | None:
    certificate = resource.inputs.get("caCertIdentifier")
    if certificate not in RDS_MODERN_CA_CERTIFICATES:
        return (
            f"caCertIdentifier is {certificate!r}; set database.caCertificate to one of "
            f"{', '.join(RDS_MODERN_CA_CERTIFICATES)}"
        )
    return None


@resource_rule(
    "rds-minor-upgrades",
    "RDS takes minor upgrades automatically",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_226"],
)
def rds_minor_upgrades(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("autoMinorVersionUpgrade") is not True:
        return "autoMinorVersionUpgrade is not true; set auto_minor_version_upgrade=True"
    return None


@resource_rule(
    "rds-engine-version-major-minor",
    "RDS engine version is major.minor, so an automatic minor upgrade is no diff",
    types=[RDS_INSTANCE],
)
def rds_engine_version_major_minor(resource: ResourceView, context: StackContext) -> str | None:
    version = str(resource.inputs.get("engineVersion"))
    if not re.fullmatch(r"\d+\.\d+", version):
        return (
            f"engineVersion is {version!r}; pin major.minor only, or the program asks to "
            "go back after each automatic minor upgrade"
        )
    return None


@resource_rule(
    "rds-deletion-protection",
    "RDS has deletion protection",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_293"],
    relaxation="no-deletion-protection",
)
def rds_deletion_protection(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("deletionProtection") is not True:
        return "deletionProtection is not true; set database.deletionProtection to true"
    return None


@resource_rule(
    "rds-final-snapshot",
    "RDS takes a named final snapshot when deleted",
    types=[RDS_INSTANCE],
    relaxation="no-deletion-protection",
)
def rds_final_snapshot(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("skipFinalSnapshot") is not False:
        return "skipFinalSnapshot is not false; set database.deletionProtection to true"
    if not resource.inputs.get("finalSnapshotIdentifier"):
        return "finalSnapshotIdentifier is missing; name the final snapshot"
    return None


@resource_rule(
    "rds-performance-insights",
    "RDS Performance Insights is on",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_353"],
    relaxation="no-performance-insights",
)
def rds_performance_insights(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("performanceInsightsEnabled") is not True:
        return "performanceInsightsEnabled is not true; set database.performanceInsights to true"
    return None


@resource_rule(
    "rds-performance-insights-cmk",
    "RDS Performance Insights, where on, is encrypted with a customer-managed key",
    types=[RDS_INSTANCE],
    checkov=["CKV_AWS_354"],
)
def rds_performance_insights_cmk(resource: ResourceView, context: StackContext) -> str | None:
    enabled = resource.inputs.get("performanceInsightsEnabled") is True
    if enabled and not resource.inputs.get("performanceInsightsKmsKeyId"):
        return "performanceInsightsKmsKeyId is missing; pass the database key"
    return None


@resource_rule(
    "rds-copy-tags-to-snapshot",
    "RDS copies its tags to snapshots",
    types=[RDS_INSTANCE],
    checkov=["CKV2_AWS_60"],
)
def rds_copy_tags_to_snapshot(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("copyTagsToSnapshot") is not True:
        return "copyTagsToSnapshot is not true; set copy_tags_to_snapshot=True"
    return None


@resource_rule(
    "rds-storage-autoscaling",
    "RDS uses gp3 storage that autoscales above its allocated size",
    types=[RDS_INSTANCE],
)
def rds_storage_autoscaling(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("storageType") != "gp3":
        return f"storageType is {resource.inputs.get('storageType')!r}; set it to gp3"
    allocated = resource.inputs.get("allocatedStorage", 0)
    maximum = resource.inputs.get("maxAllocatedStorage", 0)
    if not maximum > allocated:
        return (
            f"maxAllocatedStorage {maximum} is not above allocatedStorage {allocated}; "
            "raise database.maxAllocatedStorageGb"
        )
    return None


@stack_rule(
    "rds-secure-transport",
    "RDS MySQL has a parameter group that requires TLS",
    checkov=["CKV2_AWS_69"],
)
def rds_secure_transport(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    violations = []
    for instance in _of_type(resources, RDS_INSTANCE):
        group = _named(resources, RDS_PARAMETER_GROUP, instance.inputs.get("parameterGroupName"))
        if group is None:
            violations.append(
                (instance.name, "no parameter group of the stack is attached; attach one")
            )
        elif _parameters(group).get("require_secure_transport") != "1":
            violations.append(
                (instance.name, f"{group.name} does not set require_secure_transport to 1")
            )
    return violations


@stack_rule(
    "rds-parameter-group",
    "RDS parameter group matches the engine and sets utf8mb4, slow log, zone and case",
)
def rds_parameter_group(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    violations = []
    for instance in _of_type(resources, RDS_INSTANCE):
        group = _named(resources, RDS_PARAMETER_GROUP, instance.inputs.get("parameterGroupName"))
        if group is None:
            violations.append((instance.name, "no parameter group of the stack is attached"))
            continue
        version = str(instance.inputs.get("engineVersion"))
        expected = MYSQL_PARAMETER_FAMILIES.get(".".join(version.split(".")[:2]))
        if group.inputs.get("family") != expected:
            violations.append(
                (
                    instance.name,
                    f"{group.name} has family {group.inputs.get('family')!r} but engine "
                    f"version {version} needs {expected!r}",
                )
            )
        parameters = _parameters(group)
        if parameters.get("character_set_server") != "utf8mb4":
            violations.append((instance.name, f"{group.name} does not set utf8mb4"))
        if parameters.get("slow_query_log") != "1":
            violations.append((instance.name, f"{group.name} does not turn the slow log on"))
        for name in ("time_zone", "lower_case_table_names"):
            if name not in parameters:
                violations.append((instance.name, f"{group.name} does not set {name}"))
    return violations


# ElastiCache.


@resource_rule(
    "cache-encrypted-at-rest",
    "ElastiCache encrypts data at rest",
    types=[REPLICATION_GROUP],
    checkov=["CKV_AWS_29"],
)
def cache_encrypted_at_rest(resource: ResourceView, context: StackContext) -> str | None:
    if not _true(resource.inputs.get("atRestEncryptionEnabled")):
        return "atRestEncryptionEnabled is not true; set at_rest_encryption_enabled"
    return None


@resource_rule(
    "cache-encrypted-in-transit",
    "ElastiCache encrypts data in transit",
    types=[REPLICATION_GROUP],
    checkov=["CKV_AWS_30"],
)
def cache_encrypted_in_transit(resource: ResourceView, context: StackContext) -> str | None:
    if not _true(resource.inputs.get("transitEncryptionEnabled")):
        return "transitEncryptionEnabled is not true; set cache.transitEncryption to true"
    return None


@resource_rule(
    "cache-auth-token",
    "ElastiCache requires an auth token over TLS",
    types=[REPLICATION_GROUP],
    checkov=["CKV_AWS_31"],
)
def cache_auth_token(resource: ResourceView, context: StackContext) -> str | None:
    if not _true(resource.inputs.get("transitEncryptionEnabled")):
        return "transitEncryptionEnabled is not true, and AUTH needs it; turn it on"
    if not resource.inputs.get("authToken"):
        return "authToken is missing; set cache.authToken to true"
    return None


@resource_rule(
    "cache-cmk",
    "ElastiCache encrypts at rest with a customer-managed KMS key",
    types=[REPLICATION_GROUP],
    checkov=["CKV_AWS_191"],
)
def cache_cmk(resource: ResourceView, context: StackContext) -> str | None:
    if not resource.inputs.get("kmsKeyId"):
        return "kmsKeyId is missing, so ElastiCache uses the AWS-managed key; pass the cache key"
    return None


@resource_rule(
    "cache-automatic-failover",
    "ElastiCache fails over automatically",
    types=[REPLICATION_GROUP],
    checkov=["CKV2_AWS_50"],
    relaxation="single-cache-node",
)
def cache_automatic_failover(resource: ResourceView, context: StackContext) -> str | None:
    if not _true(resource.inputs.get("automaticFailoverEnabled")):
        return "automaticFailoverEnabled is not true; set cache.numNodes to 2 or more"
    return None


@resource_rule(
    "cache-multi-az",
    "ElastiCache runs Multi-AZ with at least two nodes",
    types=[REPLICATION_GROUP],
    relaxation="single-cache-node",
)
def cache_multi_az(resource: ResourceView, context: StackContext) -> str | None:
    nodes = resource.inputs.get("numCacheClusters", 1)
    if not _true(resource.inputs.get("multiAzEnabled")) or nodes < 2:
        return (
            f"multiAzEnabled/numCacheClusters is {resource.inputs.get('multiAzEnabled')}/"
            f"{nodes}; set cache.multiAz to true and cache.numNodes to 2 or more"
        )
    return None


@resource_rule(
    "cache-snapshots",
    "ElastiCache keeps daily snapshots in a set window",
    types=[REPLICATION_GROUP],
)
def cache_snapshots(resource: ResourceView, context: StackContext) -> str | None:
    if not resource.inputs.get("snapshotRetentionLimit"):
        return "snapshotRetentionLimit is 0 or missing; set cache.snapshotRetentionDays"
    if not resource.inputs.get("snapshotWindow"):
        return "snapshotWindow is missing; set cache.snapshotWindow"
    return None


@stack_rule(
    "cache-parameter-group",
    "ElastiCache uses a parameter group of the stack, of its engine's family",
)
def cache_parameter_group(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    violations = []
    for group in _of_type(resources, REPLICATION_GROUP):
        name = group.inputs.get("parameterGroupName")
        parameters = _named(resources, CACHE_PARAMETER_GROUP, name)
        if parameters is None:
            violations.append((group.name, f"parameterGroupName {name!r} is no group of the stack"))
            continue
        expected = REDIS_PARAMETER_FAMILIES.get(str(group.inputs.get("engineVersion")))
        if parameters.inputs.get("family") != expected:
            violations.append(
                (
                    group.name,
                    f"{parameters.name} has family {parameters.inputs.get('family')!r} but "
                    f"engine version {group.inputs.get('engineVersion')} needs {expected!r}",
                )
            )
    return violations


# EKS.


@resource_rule(
    "eks-control-plane-logs",
    "EKS sends all five control-plane log types to CloudWatch Logs",
    types=[EKS_CLUSTER],
    checkov=["CKV_AWS_37"],
)
def eks_control_plane_logs(resource: ResourceView, context: StackContext) -> str | None:
    enabled = resource.inputs.get("enabledClusterLogTypes") or []
    missing = [kind for kind in EKS_CONTROL_PLANE_LOG_TYPES if kind not in enabled]
    if missing:
        return f"enabledClusterLogTypes lacks {missing}; enable all five"
    return None


@resource_rule(
    "eks-public-endpoint-cidrs",
    "EKS public endpoint, where on, admits listed CIDRs, never 0.0.0.0/0",
    types=[EKS_CLUSTER],
    checkov=["CKV_AWS_38"],
)
def eks_public_endpoint_cidrs(resource: ResourceView, context: StackContext) -> str | None:
    vpc_config = resource.inputs.get("vpcConfig") or {}
    if vpc_config.get("endpointPublicAccess") is False:
        return None
    cidrs = vpc_config.get("publicAccessCidrs") or []
    if not cidrs:
        return "the public endpoint admits every address; list cluster.publicAccessCidrs"
    if "0.0.0.0/0" in cidrs:
        return "publicAccessCidrs contains 0.0.0.0/0; list office or VPN CIDRs only"
    return None


@resource_rule(
    "eks-public-endpoint-off",
    "EKS API endpoint is private only",
    types=[EKS_CLUSTER],
    checkov=["CKV_AWS_39"],
    relaxation="public-cluster-endpoint",
)
def eks_public_endpoint_off(resource: ResourceView, context: StackContext) -> str | None:
    if (resource.inputs.get("vpcConfig") or {}).get("endpointPublicAccess") is not False:
        return "endpointPublicAccess is not false; set cluster.endpointPublicAccess to false"
    return None


@resource_rule(
    "eks-secrets-encrypted",
    "EKS encrypts Kubernetes Secrets with a KMS key",
    types=[EKS_CLUSTER],
    checkov=["CKV_AWS_58"],
)
def eks_secrets_encrypted(resource: ResourceView, context: StackContext) -> str | None:
    encryption = resource.inputs.get("encryptionConfig") or {}
    if "secrets" not in (encryption.get("resources") or []):
        return "encryptionConfig does not cover secrets; encrypt secrets with the cluster key"
    if not (encryption.get("provider") or {}).get("keyArn"):
        return "encryptionConfig has no key ARN; pass the cluster key"
    return None


@resource_rule(
    "eks-supported-version",
    "EKS runs a Kubernetes version EKS supports",
    types=[EKS_CLUSTER],
    checkov=["CKV_AWS_339"],
)
def eks_supported_version(resource: ResourceView, context: StackContext) -> str | None:
    version = resource.inputs.get("version")
    if version not in EKS_KUBERNETES_VERSIONS:
        return (
            f"version is {version!r}; set cluster.kubernetesVersion to one of "
            f"{', '.join(EKS_KUBERNETES_VERSIONS)}"
        )
    return None


@resource_rule(
    "eks-node-imdsv2",
    "Node launch templates require IMDSv2 with hop limit 1",
    types=[LAUNCH_TEMPLATE],
    checkov=["CKV_AWS_79", "CKV_AWS_341"],
)
def eks_node_imdsv2(resource: ResourceView, context: StackContext) -> str | None:
    metadata = resource.inputs.get("metadataOptions") or {}
    if metadata.get("httpTokens") != "required":
        return "metadataOptions.httpTokens is not required; require IMDSv2 tokens"
    if metadata.get("httpPutResponseHopLimit") != 1:
        return (
            f"metadataOptions.httpPutResponseHopLimit is "
            f"{metadata.get('httpPutResponseHopLimit')}; set 1 so pods cannot reach it"
        )
    return None


@stack_rule(
    "eks-auto-mode-node-pool-limits",
    "EKS Auto Mode runs workloads only on a NodePool with CPU and memory limits",
)
def eks_auto_mode_node_pool_limits(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    violations = []
    for cluster in _of_type(resources, EKS_CLUSTER):
        compute = cluster.inputs.get("computeConfig") or {}
        if not compute.get("enabled"):
            continue
        if "general-purpose" in (compute.get("nodePools") or []):
            violations.append(
                (cluster.name, "the built-in general-purpose pool has no limits; turn it off")
            )
        limited = [
            pool
            for pool in _of_type(resources, NODE_POOL)
            if {"cpu", "memory"} <= set((pool.inputs.get("spec") or {}).get("limits") or {})
        ]
        if not limited:
            violations.append(
                (cluster.name, "no NodePool sets limits.cpu and limits.memory; create one")
            )
    return violations


# Network.


@stack_rule(
    "vpc-flow-logs",
    "Every VPC of the stack sends flow logs",
    checkov=["CKV2_AWS_11"],
)
def vpc_flow_logs(resources: list[ResourceView], context: StackContext) -> list[tuple[str, str]]:
    logged = {log.inputs.get("vpcId") for log in _of_type(resources, FLOW_LOG)}
    logged.discard(None)
    vpcs = _of_type(resources, VPC)
    # A view has no id of its own, so each VPC of the stack needs one flow-logged VPC id.
    if len(logged) < len(vpcs):
        return [(vpc.name, "the VPC has no flow log; add an aws.ec2.FlowLog") for vpc in vpcs]
    return []


@stack_rule(
    "vpc-default-security-group-closed",
    "Every VPC of the stack has its default security group closed",
    checkov=["CKV2_AWS_12"],
)
def vpc_default_security_group_closed(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    violations = []
    defaults = _of_type(resources, DEFAULT_SECURITY_GROUP)
    for group in defaults:
        if group.inputs.get("ingress") or group.inputs.get("egress"):
            violations.append((group.name, "the default security group has rules; remove them"))
    vpcs = _of_type(resources, VPC)
    if len(defaults) < len(vpcs):
        violations += [
            (vpc.name, "the default security group is not managed; adopt it with no rules")
            for vpc in vpcs
        ]
    return violations


@resource_rule(
    "subnet-no-public-ip",
    "Subnets assign no public IP on launch",
    types=[SUBNET],
    checkov=["CKV_AWS_130"],
)
def subnet_no_public_ip(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("mapPublicIpOnLaunch") is True:
        return "mapPublicIpOnLaunch is true; set map_public_ip_on_launch=False"
    return None


def _is_everywhere(cidr: Any) -> bool:
    if not cidr:
        return False
    try:
        return ipaddress.ip_network(cidr).prefixlen == 0
    except ValueError:
        return False


def _inline_rules(resource: ResourceView, direction: str) -> list[dict[str, Any]]:
    """Return the rules of a security group's inline list, as standalone rule inputs."""
    rules = []
    for rule in resource.inputs.get(direction) or []:
        for cidr in [*(rule.get("cidrBlocks") or []), *(rule.get("ipv6CidrBlocks") or [])]:
            rules.append(
                {
                    "cidr": cidr,
                    "ipProtocol": str(rule.get("protocol")),
                    "fromPort": rule.get("fromPort"),
                    "toPort": rule.get("toPort"),
                }
            )
    return rules


def _standalone_rule(resource: ResourceView) -> dict[str, Any]:
    inputs = resource.inputs
    return {
        "cidr": inputs.get("cidrIpv4") or inputs.get("cidrIpv6"),
        "ipProtocol": str(inputs.get("ipProtocol")),
        "fromPort": inputs.get("fromPort"),
        "toPort": inputs.get("toPort"),
    }


def _rules(resource: ResourceView, direction: str) -> list[dict[str, Any]]:
    standalone = INGRESS_RULE if direction == "ingress" else EGRESS_RULE
    if resource.type == standalone:
        return [_standalone_rule(resource)]
    if resource.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        return _inline_rules(resource, direction)
    return []


@resource_rule(
    "sg-no-open-egress",
    "No security group allows all traffic out to 0.0.0.0/0",
    types=[SECURITY_GROUP, DEFAULT_SECURITY_GROUP, EGRESS_RULE],
    checkov=["CKV_AWS_382"],
)
def sg_no_open_egress(resource: ResourceView, context: StackContext) -> str | None:
    for rule in _rules(resource, "egress"):
        if _is_everywhere(rule["cidr"]) and rule["ipProtocol"] in ("-1", "all"):
            return f"egress to {rule['cidr']} on every protocol and port; allow only what is needed"
    return None


@resource_rule(
    "sg-no-open-ingress",
    "No security group admits 0.0.0.0/0 except on a load balancer's 80 or 443",
    types=[SECURITY_GROUP, DEFAULT_SECURITY_GROUP, INGRESS_RULE],
    checkov=["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"],
)
def sg_no_open_ingress(resource: ResourceView, context: StackContext) -> str | None:
    for rule in _rules(resource, "ingress"):
        if not _is_everywhere(rule["cidr"]):
            continue
        single_port = rule["fromPort"] == rule["toPort"]
        if rule["ipProtocol"] != "tcp" or not single_port:
            return f"ingress from {rule['cidr']} on a port range; admit only 80 or 443"
        if rule["fromPort"] not in PUBLIC_LOAD_BALANCER_PORTS:
            return f"ingress from {rule['cidr']} on port {rule['fromPort']}; admit only 80 or 443"
    return None


@resource_rule(
    "sg-ingress-from-group",
    "Standalone ingress rules admit one described TCP port from a security group",
    types=[INGRESS_RULE],
    checkov=["CKV_AWS_23"],
)
def sg_ingress_from_group(resource: ResourceView, context: StackContext) -> str | None:
    inputs = resource.inputs
    if not inputs.get("description"):
        return "the rule has no description; say who connects and why"
    if _is_everywhere(inputs.get("cidrIpv4") or inputs.get("cidrIpv6")):
        return None  # sg-no-open-ingress judges rules open to the internet.
    if not inputs.get("referencedSecurityGroupId"):
        return "the rule admits a CIDR; reference the pods' security group instead"
    if inputs.get("ipProtocol") != "tcp" or inputs.get("fromPort") != inputs.get("toPort"):
        return "the rule admits a port range; admit the one TCP port the service listens on"
    return None


@stack_rule(
    "nat-gateway-per-az",
    "Each availability zone has its own NAT gateway",
    relaxation="single-nat-gateway",
)
def nat_gateway_per_az(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    zones = {subnet.inputs.get("availabilityZone") for subnet in _of_type(resources, SUBNET)}
    gateways = _of_type(resources, NAT_GATEWAY)
    if gateways and len(gateways) < len(zones):
        return [
            (
                gateway.name,
                f"{len(gateways)} NAT gateways for {len(zones)} zones; set "
                "network.natGateways to per-az",
            )
            for gateway in gateways
        ]
    return []


@resource_rule(
    "log-group-cmk",
    "CloudWatch log groups are encrypted with a customer-managed KMS key",
    types=[LOG_GROUP],
    checkov=["CKV_AWS_158"],
)
def log_group_cmk(resource: ResourceView, context: StackContext) -> str | None:
    if not resource.inputs.get("kmsKeyId"):
        return "kmsKeyId is missing; encrypt the log group with a customer-managed key"
    return None


@resource_rule(
    "log-group-retention-year",
    "CloudWatch log groups keep events at least a year",
    types=[LOG_GROUP],
    checkov=["CKV_AWS_338"],
    relaxation="short-log-retention",
)
def log_group_retention_year(resource: ResourceView, context: StackContext) -> str | None:
    days = resource.inputs.get("retentionInDays", 0)
    if days != 0 and days < MIN_LOG_RETENTION_DAYS:
        return f"retentionInDays is {days}; keep the logs {MIN_LOG_RETENTION_DAYS} days or more"
    return None


@resource_rule(
    "kms-key-rotation",
    "KMS keys rotate yearly",
    types=[KMS_KEY],
    checkov=["CKV_AWS_7"],
)
def kms_key_rotation(resource: ResourceView, context: StackContext) -> str | None:
    if resource.inputs.get("enableKeyRotation") is not True:
        return "enableKeyRotation is not true; set enable_key_rotation=True"
    return None


@resource_rule(
    "kms-key-policy",
    "KMS keys carry an explicit key policy",
    types=[KMS_KEY],
    checkov=["CKV2_AWS_64"],
)
def kms_key_policy(resource: ResourceView, context: StackContext) -> str | None:
    # checkov looks for a separate aws_kms_key_policy; the Key's own policy input sets
    # the same document.
    if not resource.inputs.get("policy"):
        return "policy is missing, so AWS applies its default; write the policy explicitly"
    return None
