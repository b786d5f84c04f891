"""Pydantic models of the stack config (`topfans:*` keys in `Pulumi.<stack>.yaml`).

Every validator raises `ValueError` with a message that states the rule and the fix;
`stack_config.load` prefixes it with the config key and the offending value.
"""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from enum import StrEnum
from typing import Annotated, Literal

from kubernetes.utils import parse_quantity
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from stack_config.catalog import (
    CLOUDWATCH_LOG_RETENTION_DAYS,
    DB_INSTANCE_CLASSES,
    EKS_KUBERNETES_VERSIONS,
    MYSQL_PARAMETER_FAMILIES,
    REDIS_PARAMETER_FAMILIES,
)

# A DNS-1035 label: what Kubernetes requires of Service names.
DnsLabel = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]([-a-z0-9]*[a-z0-9])?$", max_length=40),
]
Port = Annotated[int, Field(ge=1, le=65535)]

# RDS rejects these in a master password: '/', '@', '"', "'" and space.
RDS_PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?"


class Model(BaseModel):
    """Base of every config model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


class Environment(StrEnum):
    """The baseline a stack is held to: production rejects every relaxation."""

    DEV = "dev"
    PROD = "prod"


class Relaxation(StrEnum):
    """A named way in which a non-production stack saves money below the prod baseline.

    A dev stack must list each relaxation it uses under `topfans:relaxations`, so
    that no saving happens by accident; a prod stack may use none.
    """

    SINGLE_AZ_DATABASE = "single-az-database"
    SHORT_BACKUP_RETENTION = "short-backup-retention"
    NO_DELETION_PROTECTION = "no-deletion-protection"
    NO_PERFORMANCE_INSIGHTS = "no-performance-insights"
    SINGLE_CACHE_NODE = "single-cache-node"
    SINGLE_NAT_GATEWAY = "single-nat-gateway"
    SINGLE_REPLICA_SERVICES = "single-replica-services"
    SINGLE_REGISTRY_NODE = "single-registry-node"
    SHORT_LOG_RETENTION = "short-log-retention"
    PUBLIC_CLUSTER_ENDPOINT = "public-cluster-endpoint"


# The minimum backup retention of the prod baseline, in days.
PROD_MIN_BACKUP_RETENTION_DAYS = 7
# The minimum retention of every log group the stack creates in the prod baseline,
# in days (one year, as checkov CKV_AWS_338 requires of every CloudWatch log group).
PROD_MIN_LOG_RETENTION_DAYS = 365


def _check_log_retention(value: int) -> int:
    if value not in CLOUDWATCH_LOG_RETENTION_DAYS:
        allowed = ", ".join(str(days) for days in CLOUDWATCH_LOG_RETENTION_DAYS)
        raise ValueError(f"CloudWatch Logs accepts only these retentions in days: {allowed}")
    return value


# How long a CloudWatch log group keeps its events, in days.
LogRetentionDays = Annotated[int, AfterValidator(_check_log_retention)]


# EC2 ids: the prefix and 8 or 17 lowercase hex digits.
VPC_ID = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")


class ExistingNetwork(Model):
    """An existing VPC to place everything in instead of creating one."""

    vpc_id: Annotated[str, StringConstraints(pattern=r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")]
    private_subnet_ids: list[
        Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")]
    ] = Field(min_length=2)
    public_subnet_ids: list[
        Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")]
    ] = Field(min_length=2)

    @field_validator("vpc_id", mode="before")
    @classmethod
    def _vpc_id_valid(cls, value: object) -> object:
        if isinstance(value, str) and not VPC_ID.match(value):
            raise ValueError(
                "not a VPC id; use the id `aws ec2 describe-vpcs` prints, "
                "e.g. vpc-0a1b2c3d4e5f67890"
            )
        return value

    @field_validator("private_subnet_ids", "public_subnet_ids", mode="before")
    @classmethod
    def _subnet_ids_valid(cls, value: object) -> object:
        for item in value if isinstance(value, list) else []:
            if isinstance(item, str) and not SUBNET_ID.match(item):
                raise ValueError(
                    f"{item!r} is not a subnet id; use ids `aws ec2 describe-subnets` "
                    "prints, e.g. subnet-0a1b2c3d4e5f67890"
                )
        return value

    @model_validator(mode="after")
    def _subnets_distinct(self) -> ExistingNetwork:
        shared = set(self.private_subnet_ids) & set(self.public_subnet_ids)
        if shared:
            raise ValueError(
                f"subnets {sorted(shared)} are listed as both private and public; "
                "list each subnet once, under the role its route table gives it"
            )
        return self


class NetworkConfig(Model):
    """The VPC: its CIDR, how many availability zones, NAT gateways and flow logs."""

    cidr: str = "10.20.0.0/16"
    az_count: int = Field(default=2, ge=2, le=6)
    nat_gateways: Literal["single", "per-az"] = "per-az"
    flow_log_retention_days: LogRetentionDays = 365
    existing: ExistingNetwork | None = None

    @field_validator("cidr")
    @classmethod
    def _cidr_is_private_block(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError as error:
            raise ValueError(f"not an IPv4 CIDR block ({error}); use e.g. 10.20.0.0/16") from None
        # AWS accepts VPC blocks from /16 to /28; the subnet layout needs at least /20.
        if not 16 <= network.prefixlen <= 20:
            raise ValueError("the prefix must be between /16 and /20; use e.g. 10.20.0.0/16")
        if not network.is_private:
            raise ValueError("the block must be private (RFC 1918); use e.g. 10.20.0.0/16")
        return str(network)

    @model_validator(mode="after")
    def _existing_exclusive(self) -> NetworkConfig:
        # An adopted VPC is used as it is, so settings that shape a new one would be
        # silently ignored; reject them instead.
        ignored = sorted(to_camel(name) for name in self.model_fields_set - {"existing"})
        if self.existing is not None and ignored:
            raise ValueError(
                f"existing adopts a VPC, so {', '.join(ignored)} would not be applied; "
                "remove them or remove existing"
            )
        return self


class NodeGroupConfig(Model):
    """A managed node group: instance types and scaling bounds."""

    instance_types: list[str] = Field(default=["m7g.large"], min_length=1)
    ami_type: str = "AL2023_ARM_64_STANDARD"
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    min_size: int = Field(default=2, ge=1)
    max_size: int = Field(default=4, ge=1)
    desired_size: int = Field(default=2, ge=1)
    disk_size_gb: int = Field(default=50, ge=20)

    @model_validator(mode="after")
    def _sizes_ordered(self) -> NodeGroupConfig:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"minSize {self.min_size}, desiredSize {self.desired_size} and maxSize "
                f"{self.max_size} must satisfy minSize <= desiredSize <= maxSize; "
                "adjust the three sizes"
            )
        return self


class AutoModeConfig(Model):
    """EKS Auto Mode: the NodePool limits that cap what the cluster may provision.

    `architectures` are the CPU architectures the workload nodes may have; the
    services' images must be built for each one listed.
    """

    cpu_limit: Annotated[str, StringConstraints(min_length=1)] = "32"
    memory_limit: Annotated[str, StringConstraints(min_length=1)] = "128Gi"
    architectures: list[Literal["amd64", "arm64"]] = Field(default=["amd64"], min_length=1)

    @field_validator("cpu_limit", "memory_limit")
    @classmethod
    def _is_quantity(cls, value: str) -> str:
        _parse_quantity(value)
        return value


class ClusterConfig(Model):
    """The EKS cluster: version, compute mode, API endpoint access and admins."""

    kubernetes_version: str = "1.33"
    compute_mode: Literal["auto", "node-group"] = "auto"
    auto_mode: AutoModeConfig = AutoModeConfig()
    node_group: NodeGroupConfig | None = None
    endpoint_public_access: bool = False
    public_access_cidrs: list[str] = []
    admin_arns: list[
        Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$")]
    ] = []
    existing_cluster_name: str | None = None
    # Retention of the control-plane log group /aws/eks/<cluster>/cluster.
    log_retention_days: LogRetentionDays = 365

    @field_validator("kubernetes_version")
    @classmethod
    def _supported_version(cls, value: str) -> str:
        if value not in EKS_KUBERNETES_VERSIONS:
            supported = ", ".join(EKS_KUBERNETES_VERSIONS)
            raise ValueError(f"EKS does not support this version; use one of {supported}")
        return value

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs_valid(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                network = ipaddress.IPv4Network(cidr)
            except ValueError:
                raise ValueError(
                    f"{cidr!r} is not an IPv4 CIDR block; use e.g. 203.0.113.0/24"
                ) from None
            if network.prefixlen == 0:
                raise ValueError(
                    "0.0.0.0/0 opens the Kubernetes API to the internet; "
                    "list your office or VPN CIDRs, or set endpointPublicAccess to false"
                )
        return value

    @field_validator("existing_cluster_name")
    @classmethod
    def _cluster_name_valid(cls, value: str | None) -> str | None:
        # EKS cluster names: letters, digits, hyphens and underscores, starting with a
        # letter or digit, at most 100 characters (CreateCluster API reference).
        if value is not None and not EKS_CLUSTER_NAME.match(value):
            raise ValueError("not an EKS cluster name; use the name `aws eks list-clusters` prints")
        return value

    @model_validator(mode="after")
    def _existing_exclusive(self) -> ClusterConfig:
        # An adopted cluster is used as it is, so settings that shape a new one would
        # be silently ignored; reject them instead.
        ignored = sorted(
            to_camel(name) for name in self.model_fields_set - {"existing_cluster_name"}
        )
        if self.existing_cluster_name is not None and ignored:
            raise ValueError(
                f"existingClusterName adopts a cluster, so {', '.join(ignored)} would not "
                "be applied; remove them or remove existingClusterName"
            )
        return self

    @model_validator(mode="after")
    def _compute_consistent(self) -> ClusterConfig:
        if self.compute_mode == "node-group" and self.node_group is None:
            raise ValueError(
                "computeMode is node-group but nodeGroup is missing; "
                "add nodeGroup with instanceTypes, minSize, maxSize and desiredSize"
            )
        if self.compute_mode == "auto" and self.node_group is not None:
            raise ValueError(
                "nodeGroup is set but computeMode is auto; "
                "remove nodeGroup or set computeMode to node-group"
            )
        if self.endpoint_public_access and not self.public_access_cidrs:
            raise ValueError(
                "endpointPublicAccess is true but publicAccessCidrs is empty; "
                "list the CIDRs allowed to reach the Kubernetes API"
            )
        if not self.endpoint_public_access and self.public_access_cidrs:
            raise ValueError(
                "publicAccessCidrs is set but endpointPublicAccess is false; "
                "remove publicAccessCidrs or set endpointPublicAccess to true"
            )
        return self


EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")

_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_WEEKLY_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-"
    r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$"
)


def _check_daily_window(value: str) -> str:
    if not _WINDOW.match(value):
        raise ValueError("must be hh:mm-hh:mm in UTC; use e.g. 18:00-19:00")
    return value


def _check_weekly_window(value: str) -> str:
    if not _WEEKLY_WINDOW.match(value):
        raise ValueError("must be ddd:hh:mm-ddd:hh:mm in UTC; use e.g. sun:19:00-sun:20:00")
    return value


# A daily window (backups, snapshots) and a weekly one (maintenance), both in UTC.
DailyWindow = Annotated[str, AfterValidator(_check_daily_window)]
WeeklyWindow = Annotated[str, AfterValidator(_check_weekly_window)]


class DatabaseConfig(Model):
    """RDS MySQL: engine, size, availability, backups, monitoring and server settings."""

    engine: str = "mysql"
    engine_version: str = "8.0"
    parameter_family: str | None = None
    instance_class: str = "db.t4g.micro"
    allocated_storage_gb: int = Field(default=20, ge=20, le=65536)
    max_allocated_storage_gb: int = Field(default=100, le=65536)
    multi_az: bool = True
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    backup_window: DailyWindow = "18:00-19:00"
    maintenance_window: WeeklyWindow = "sun:19:30-sun:20:30"
    deletion_protection: bool = True
    performance_insights: bool = True
    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = 60
    schema_name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")] = Field(
        default="topfans", alias="schema"
    )
    master_username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,15}$")] = (
        "topfans_admin"
    )
    time_zone: str = "Asia/Shanghai"
    lower_case_table_names: Literal[0, 1] = 1
    ca_certificate: Literal["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"] = (
        "rds-ca-rsa2048-g1"
    )
    # Statements slower than this land in the slow query log (MySQL long_query_time).
    slow_query_seconds: float = Field(default=2, gt=0, le=3600)
    # Retention of the error and slow query log groups the instance exports to.
    log_retention_days: LogRetentionDays = 365

    @field_validator("engine")
    @classmethod
    def _engine_mysql(cls, value: str) -> str:
        if value != "mysql":
            raise ValueError("the engine is rejected: topfans runs on MySQL; set it to mysql")
        return value

    @field_validator("engine_version")
    @classmethod
    def _version_known(cls, value: str) -> str:
        major_minor = ".".join(value.split(".")[:2])
        known = ", ".join(MYSQL_PARAMETER_FAMILIES)
        if major_minor not in MYSQL_PARAMETER_FAMILIES:
            raise ValueError(f"unsupported MySQL version; use one of {known}")
        if not re.fullmatch(r"\d+\.\d+", value):
            raise ValueError(
                "set major.minor only, so that AWS's automatic minor upgrades never look "
                f"like a downgrade to the program; use one of {known}"
            )
        return value

    @field_validator("instance_class")
    @classmethod
    def _class_known(cls, value: str) -> str:
        if value not in DB_INSTANCE_CLASSES:
            known = ", ".join(DB_INSTANCE_CLASSES)
            raise ValueError(f"unknown instance class; use one of {known}")
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone_known(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValueError("unknown IANA time zone; use e.g. Asia/Shanghai or UTC")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DatabaseConfig:
        expected_family = MYSQL_PARAMETER_FAMILIES[self.engine_version]
        if self.parameter_family is not None and self.parameter_family != expected_family:
            raise ValueError(
                f"parameterFamily {self.parameter_family!r} does not match engineVersion "
                f"{self.engine_version!r}; set it to {expected_family!r} or leave it out"
            )
        if self.max_allocated_storage_gb <= self.allocated_storage_gb:
            raise ValueError(
                f"maxAllocatedStorageGb {self.max_allocated_storage_gb} must exceed "
                f"allocatedStorageGb {self.allocated_storage_gb} for storage autoscaling; "
                "raise maxAllocatedStorageGb"
            )
        if _windows_overlap(self.backup_window, self.maintenance_window):
            raise ValueError(
                f"backupWindow {self.backup_window} overlaps maintenanceWindow "
                f"{self.maintenance_window}, which RDS rejects; move one of them"
            )
        return self

    @property
    def family(self) -> str:
        """The parameter group family, derived from the engine version."""
        return MYSQL_PARAMETER_FAMILIES[self.engine_version]


def _windows_overlap(daily: str, weekly: str) -> bool:
    """Return whether a daily hh:mm-hh:mm window meets a weekly maintenance window."""

    def minutes(hhmm: str) -> int:
        hours, mins = hhmm.split(":")
        return int(hours) * 60 + int(mins)

    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    start_day, start_h, start_m, end_day, end_h, end_m = re.split(r"[:-]", weekly)
    week = 7 * 24 * 60
    weekly_start = days.index(start_day) * 1440 + minutes(f"{start_h}:{start_m}")
    weekly_end = days.index(end_day) * 1440 + minutes(f"{end_h}:{end_m}")
    if weekly_end <= weekly_start:
        weekly_end += week

    daily_start_text, daily_end_text = daily.split("-")
    for day in range(8):
        start = day * 1440 + minutes(daily_start_text)
        end = day * 1440 + minutes(daily_end_text)
        if end <= start:
            end += 1440
        for shift in (-week, 0, week):
            if start < weekly_end + shift and weekly_start + shift < end:
                return True
    return False


class CacheConfig(Model):
    """ElastiCache Redis: node type, node count, encryption, auth and snapshots."""

    engine: Literal["redis"] = "redis"
    engine_version: str = "7.1"
    parameter_family: str | None = None
    node_type: str = "cache.t4g.small"
    num_nodes: int = Field(default=2, ge=1, le=6)
    multi_az: bool = True
    transit_encryption: bool = True
    auth_token: bool = True
    snapshot_retention_days: int = Field(default=7, ge=0, le=35)
    snapshot_window: DailyWindow = "17:00-18:00"
    maintenance_window: WeeklyWindow = "sun:20:30-sun:21:30"
    maxmemory_policy: Literal[
        "volatile-lru",
        "allkeys-lru",
        "volatile-lfu",
        "allkeys-lfu",
        "volatile-random",
        "allkeys-random",
        "volatile-ttl",
        "noeviction",
    ] = "volatile-lru"

    @field_validator("engine_version")
    @classmethod
    def _version_known(cls, value: str) -> str:
        if value not in REDIS_PARAMETER_FAMILIES:
            known = ", ".join(REDIS_PARAMETER_FAMILIES)
            raise ValueError(f"unknown Redis version; use one of {known}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CacheConfig:
        expected_family = REDIS_PARAMETER_FAMILIES[self.engine_version]
        if self.parameter_family is not None and self.parameter_family != expected_family:
            raise ValueError(
                f"parameterFamily {self.parameter_family!r} does not match engineVersion "
                f"{self.engine_version!r}; set it to {expected_family!r} or leave it out"
            )
        # ElastiCache accepts an auth token only on a group with in-transit encryption.
        if self.auth_token and not self.transit_encryption:
            raise ValueError(
                "authToken needs transitEncryption, which ElastiCache requires for "
                "AUTH; set transitEncryption to true"
            )
        # The services connect with TLS and AUTH (rediss:// URLs), and without them
        # the data and the token cross the VPC in clear text.
        if not self.transit_encryption:
            raise ValueError(
                "transitEncryption is false, which sends data in clear text and breaks the "
                "services' rediss:// URLs; set transitEncryption to true"
            )
        if not self.auth_token:
            raise ValueError(
                "authToken is false, so any client in the VPC may connect; set authToken to true"
            )
        # Multi-AZ needs a replica in another zone to fail over to.
        if self.multi_az and self.num_nodes < 2:
            raise ValueError(
                f"multiAz needs at least 2 nodes, but numNodes is {self.num_nodes}; "
                "set numNodes to 2 or more, or multiAz to false"
            )
        if _windows_overlap(self.snapshot_window, self.maintenance_window):
            raise ValueError(
                f"snapshotWindow {self.snapshot_window} overlaps maintenanceWindow "
                f"{self.maintenance_window}, which ElastiCache rejects; move one of them"
            )
        return self

    @property
    def family(self) -> str:
        """The parameter group family, derived from the engine version."""
        return REDIS_PARAMETER_FAMILIES[self.engine_version]


class Image(Model):
    """A container image: registry, repository, and a pinned tag or digest."""

    registry: Annotated[str, StringConstraints(min_length=1)]
    repository: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*$")]
    tag: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")] | None
    ) = None
    digest: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _pinned(self) -> Image:
        if self.tag is None and self.digest is None:
            raise ValueError(
                "the image has neither tag nor digest; pin it with a release tag or a digest"
            )
        # A moving tag makes a rollout's image depend on when a node pulls it.
        if self.tag == "latest":
            raise ValueError("the tag 'latest' is not pinned; use a release tag or a digest")
        return self

    @property
    def reference(self) -> str:
        """The full image reference, with the digest when one is given."""
        name = f"{self.registry}/{self.repository}"
        if self.digest:
            return (
                f"{name}@{self.digest}" if self.tag is None else f"{name}:{self.tag}@{self.digest}"
            )
        return f"{name}:{self.tag}"


class ServicePorts(Model):
    """The container ports a service declares."""

    http: Port | None = None
    dubbo: Port | None = None
    qos: Port = 22222

    @model_validator(mode="after")
    def _some_port(self) -> ServicePorts:
        if self.http is None and self.dubbo is None:
            raise ValueError(
                "the service declares neither http nor dubbo; set at least one of them"
            )
        declared = [port for port in (self.http, self.dubbo, self.qos) if port is not None]
        if len(declared) != len(set(declared)):
            raise ValueError(
                f"ports {declared} repeat a number; give http, dubbo and qos distinct ports"
            )
        return self


def _parse_quantity(value: str):
    try:
        return parse_quantity(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a Kubernetes quantity; use e.g. 250m or 1 for CPU, 512Mi for memory"
        ) from None


class ResourceAmounts(Model):
    """CPU and memory, as Kubernetes quantities."""

    cpu: str | None = None
    memory: str

    @field_validator("cpu", "memory")
    @classmethod
    def _is_quantity(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_quantity(value)
        return value


class Resources(Model):
    """Container requests and limits. A CPU limit is optional, a memory limit is not."""

    requests: ResourceAmounts
    limits: ResourceAmounts

    @model_validator(mode="after")
    def _requests_within_limits(self) -> Resources:
        if self.requests.cpu is None:
            raise ValueError("requests.cpu is missing; set a CPU request such as 250m")
        if parse_quantity(self.requests.memory) > parse_quantity(self.limits.memory):
            raise ValueError(
                f"requests.memory {self.requests.memory} exceeds limits.memory "
                f"{self.limits.memory}; lower the request or raise the limit"
            )
        if self.limits.cpu is not None and parse_quantity(self.requests.cpu) > parse_quantity(
            self.limits.cpu
        ):
            raise ValueError(
                f"requests.cpu {self.requests.cpu} exceeds limits.cpu {self.limits.cpu}; "
                "lower the request or raise the limit"
            )
        return self


# The shortest scale-down stabilization window an HPA may have, in seconds.
MIN_SCALE_DOWN_STABILIZATION_SECONDS = 300

# The reason, given in config errors, that HPAs scale on CPU only.
JVM_MEMORY_METRIC = (
    "a JVM keeps its heap after the load drops, so an HPA on memory scales up and "
    "never back down; scale on cpu with targetCpuUtilization"
)


class ScalingBehavior(Model):
    """The pace of an HPA: bounded steps up, a slow and stabilized way down.

    A JVM burns CPU while it starts, so an unbounded scale-up would meet one busy
    minute with `maxReplicas` pods. The scale-down window keeps a short lull from
    removing pods that the next peak needs again.
    """

    scale_up_pods: int = Field(default=2, ge=1)
    scale_up_period_seconds: int = Field(default=60, ge=15, le=1800)
    scale_up_stabilization_seconds: int = Field(default=60, ge=0, le=3600)
    scale_down_pods: int = Field(default=1, ge=1)
    scale_down_period_seconds: int = Field(default=60, ge=15, le=1800)
    scale_down_stabilization_seconds: int = Field(default=300, le=3600)

    @field_validator("scale_down_stabilization_seconds")
    @classmethod
    def _slow_scale_down(cls, value: int) -> int:
        if value < MIN_SCALE_DOWN_STABILIZATION_SECONDS:
            raise ValueError(
                f"must be at least {MIN_SCALE_DOWN_STABILIZATION_SECONDS} s, so that a short "
                f"lull does not remove pods the next peak needs; raise it to "
                f"{MIN_SCALE_DOWN_STABILIZATION_SECONDS} or more"
            )
        return value


class Autoscaling(Model):
    """HorizontalPodAutoscaler bounds, CPU target and scaling behavior of a service."""

    min_replicas: int = Field(ge=1)
    max_replicas: int = Field(ge=1)
    metric: str = "cpu"
    target_cpu_utilization: int = Field(default=70, ge=10, le=95)
    behavior: ScalingBehavior = ScalingBehavior()

    @model_validator(mode="before")
    @classmethod
    def _no_memory_target(cls, data):
        if isinstance(data, dict) and "targetMemoryUtilization" in data:
            raise ValueError(f"targetMemoryUtilization is set, but {JVM_MEMORY_METRIC}")
        return data

    @field_validator("metric")
    @classmethod
    def _cpu_only(cls, value: str) -> str:
        if value == "memory":
            raise ValueError(JVM_MEMORY_METRIC)
        if value != "cpu":
            raise ValueError("the only supported metric is cpu; set metric to cpu")
        return value

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"minReplicas {self.min_replicas} exceeds maxReplicas {self.max_replicas}; "
                "lower minReplicas or raise maxReplicas"
            )
        return self


Endpoint = Literal["database", "cache", "registry"]

# Environment variables the program sets itself; a service's `env` must not override them.
MANAGED_ENV_PREFIXES = (
    "DB_",
    "REDIS_",
    "DUBBO_",
    "JAVA_TOOL_OPTIONS",
    "SPRING_DATASOURCE_",
    "SPRING_DATA_REDIS_",
    "SERVER_SHUTDOWN",
    "SPRING_LIFECYCLE_",
    "MANAGEMENT_ENDPOINT_HEALTH_",
)
SECRET_LIKE_ENV = re.compile(r"(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIAL)", re.IGNORECASE)


class DatabaseUsage(Model):
    """A service's use of the database: its connection-pool size per pod."""

    pool_size: int = Field(default=10, ge=1, le=500)


# A probe names a declared port (http, dubbo or qos) or gives its number.
ProbePort = Literal["http", "dubbo", "qos"] | Port
HttpPath = Annotated[str, StringConstraints(pattern=r"^/[!-~]*$")]


class ProbeEndpoint(Model):
    """An HTTP GET that a probe sends: a declared container port and a path."""

    port: ProbePort
    path: HttpPath


class Probes(Model):
    """The startup, readiness and liveness probes of a service's container.

    Left out, each endpoint defaults to Spring Boot's actuator health groups on the
    http port, or to Dubbo's QoS `startup`, `ready` and `live` commands for a
    service without one. `startupSeconds` is the longest a start may take before
    the kubelet restarts the container: Spring Boot with Dubbo often needs minutes.
    """

    startup_seconds: int = Field(default=180, ge=30, le=900)
    period_seconds: int = Field(default=10, ge=1, le=60)
    timeout_seconds: int = Field(default=3, ge=1, le=60)
    failure_threshold: int = Field(default=3, ge=1, le=10)
    startup: ProbeEndpoint | None = None
    readiness: ProbeEndpoint | None = None
    liveness: ProbeEndpoint | None = None

    @model_validator(mode="after")
    def _timeout_within_period(self) -> Probes:
        if self.timeout_seconds > self.period_seconds:
            raise ValueError(
                f"timeoutSeconds {self.timeout_seconds} exceeds periodSeconds "
                f"{self.period_seconds}; lower the timeout or raise the period"
            )
        return self


# Seconds between the end of the application's drain and the kubelet's SIGKILL.
SHUTDOWN_MARGIN_SECONDS = 5


class Shutdown(Model):
    """The stop sequence of a pod: the preStop wait, the drain, the grace period.

    On termination the preStop hook runs first (a Dubbo provider goes offline in
    the registry, then waits `preStopSeconds` while consumers and the ALB stop
    sending), then SIGTERM starts Spring Boot's graceful shutdown and Dubbo's
    shutdown wait, both bounded by `appShutdownSeconds`. The kubelet kills the
    container when `terminationGracePeriodSeconds` runs out, so that must cover
    both plus a margin; left out, it is set to exactly that.
    """

    pre_stop_seconds: int = Field(default=15, ge=1, le=300)
    app_shutdown_seconds: int = Field(default=20, ge=1, le=300)
    termination_grace_period_seconds: int | None = Field(default=None, ge=1, le=900)

    @model_validator(mode="after")
    def _grace_covers_shutdown(self) -> Shutdown:
        needed = self.pre_stop_seconds + self.app_shutdown_seconds + SHUTDOWN_MARGIN_SECONDS
        grace = self.termination_grace_period_seconds
        if grace is not None and grace < needed:
            raise ValueError(
                f"terminationGracePeriodSeconds {grace} must be at least preStopSeconds "
                f"{self.pre_stop_seconds} + appShutdownSeconds {self.app_shutdown_seconds} "
                f"+ a {SHUTDOWN_MARGIN_SECONDS} s margin = {needed}, or the kubelet kills the "
                f"JVM mid-drain; raise it to {needed} or more"
            )
        return self

    @property
    def grace_period_seconds(self) -> int:
        """The grace period the pod gets: the configured one, or the minimum needed."""
        if self.termination_grace_period_seconds is not None:
            return self.termination_grace_period_seconds
        return self.pre_stop_seconds + self.app_shutdown_seconds + SHUTDOWN_MARGIN_SECONDS


# The shortest minReadySeconds of a Dubbo provider: registry notification and the
# consumers' reconnect take seconds, and this leaves a margin.
MIN_PROVIDER_READY_SECONDS = 15


class Dubbo(Model):
    """Dubbo settings of a provider: how long a new pod waits before it counts as available.

    `minReadySeconds` keeps a rolling update from removing an old provider until
    the new one has been in the registry long enough for consumers to be notified
    and connect.
    """

    min_ready_seconds: int = Field(default=30, le=600)

    @field_validator("min_ready_seconds")
    @classmethod
    def _covers_propagation(cls, value: int) -> int:
        if value < MIN_PROVIDER_READY_SECONDS:
            raise ValueError(
                f"must be at least {MIN_PROVIDER_READY_SECONDS} s, so that consumers see a "
                "new provider in the registry before the rollout removes an old one; "
                f"raise it to {MIN_PROVIDER_READY_SECONDS} or more"
            )
        return value


# JVM flags the program sets from other settings; `jvm.options` must not repeat them.
MANAGED_JVM_FLAGS = (
    "-Xmx",
    "-Xms",
    "-XX:MaxRAM",
    "-XX:MaxRAMPercentage",
    "-XX:InitialRAMPercentage",
    "-XX:ActiveProcessorCount",
    "-Ddubbo.",
)


class Jvm(Model):
    """JVM sizing: heap as a share of the container's memory limit, and extra flags.

    The heap follows the memory limit through `MaxRAMPercentage`, so a resize never
    needs a matching `-Xmx`. A container without a CPU limit gets
    `ActiveProcessorCount` (this value, or its CPU request rounded up, at least 2),
    because the JVM would otherwise size its thread pools for the whole node.
    """

    max_ram_percentage: float = Field(default=75.0, ge=25.0, le=90.0)
    active_processor_count: int | None = Field(default=None, ge=1, le=64)
    options: list[Annotated[str, StringConstraints(pattern=r"^-\S+$")]] = []

    @field_validator("options")
    @classmethod
    def _no_managed_flag(cls, value: list[str]) -> list[str]:
        for option in value:
            if option.startswith(MANAGED_JVM_FLAGS):
                raise ValueError(
                    f"{option!r} sets what the program derives from maxRamPercentage, the "
                    "CPU limit or the Dubbo settings; remove it and use maxRamPercentage "
                    "or activeProcessorCount instead"
                )
        return value


# The lowest UID a container may run as: lower ones may clash with users of the node.
MIN_RUN_AS_USER = 10000

# Names of the registry's objects and of the namespace-wide NetworkPolicies, which
# a service of the same name would collide with.
RESERVED_SERVICE_NAMES = ("zookeeper", "zookeeper-peers", "default-deny", "allow-dns")


class Service(Model):
    """One topfans service: image, ports, resources, scaling and the endpoints it uses.

    A service runs Dubbo when it declares a dubbo port (a provider) or uses the
    registry (a consumer). Only then does its container declare the QoS port.
    """

    name: DnsLabel
    description: str = ""
    public: bool = False
    image: Image
    ports: ServicePorts
    resources: Resources
    replicas: int | None = Field(default=None, ge=1)
    autoscaling: Autoscaling | None = None
    uses: list[Endpoint] = []
    database: DatabaseUsage = DatabaseUsage()
    env: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], str] = {}
    probes: Probes = Probes()
    shutdown: Shutdown = Shutdown()
    dubbo: Dubbo = Dubbo()
    jvm: Jvm = Jvm()
    run_as_user: int = Field(default=10001, le=2**31 - 1)
    service_account_token: bool = False

    @field_validator("run_as_user")
    @classmethod
    def _high_uid(cls, value: int) -> int:
        if value < MIN_RUN_AS_USER:
            raise ValueError(
                f"UIDs below {MIN_RUN_AS_USER} may belong to users of the node; "
                f"use {MIN_RUN_AS_USER} or more, e.g. 10001"
            )
        return value

    @model_validator(mode="after")
    def _scaling_exclusive(self) -> Service:
        if self.replicas is None and self.autoscaling is None:
            raise ValueError(
                "set either replicas (fixed) or autoscaling (minReplicas, maxReplicas)"
            )
        if self.replicas is not None and self.autoscaling is not None:
            raise ValueError(
                "replicas and autoscaling are both set, so the HPA and every pulumi up "
                "would fight over the replica count; keep only one of them"
            )
        if len(set(self.uses)) != len(self.uses):
            raise ValueError(f"uses {self.uses} lists an endpoint twice; list each once")
        if self.name in RESERVED_SERVICE_NAMES:
            raise ValueError(
                f"name {self.name!r} is taken by an object the program creates in the "
                "namespace; rename the service"
            )
        for key in self.env:
            if key.startswith(MANAGED_ENV_PREFIXES):
                raise ValueError(
                    f"env.{key} overrides a variable the program sets from the stack's "
                    "endpoints; remove it from env"
                )
            if SECRET_LIKE_ENV.search(key):
                raise ValueError(
                    f"env.{key} looks like a credential, and env values are stored in "
                    "plain text; move it to a Kubernetes Secret instead"
                )
        return self

    @model_validator(mode="after")
    def _probes_on_declared_ports(self) -> Service:
        declared = self.declared_ports
        listing = ", ".join(f"{name} {number}" for name, number in declared.items())
        for kind in ("startup", "readiness", "liveness"):
            endpoint = getattr(self.probes, kind)
            if endpoint is None:
                continue
            known = endpoint.port in declared or endpoint.port in declared.values()
            if not known:
                raise ValueError(
                    f"probes.{kind}.port = {endpoint.port!r} is not a port the container "
                    f"declares ({listing}); probe one of those"
                )
        return self

    @property
    def runs_dubbo(self) -> bool:
        """Whether the service is a Dubbo provider or consumer (and so has QoS)."""
        return self.ports.dubbo is not None or "registry" in self.uses

    @property
    def declared_ports(self) -> dict[str, int]:
        """The container ports by name: http, dubbo and, for a Dubbo service, qos."""
        ports = {"http": self.ports.http, "dubbo": self.ports.dubbo}
        if self.runs_dubbo:
            ports["qos"] = self.ports.qos
        return {name: number for name, number in ports.items() if number is not None}

    def probe(self, kind: Literal["startup", "readiness", "liveness"]) -> ProbeEndpoint:
        """Return the endpoint of one probe: the configured one or the default."""
        configured = getattr(self.probes, kind)
        if configured is not None:
            return configured
        if self.ports.http is not None:
            group = "readiness" if kind == "readiness" else "liveness"
            return ProbeEndpoint(port="http", path=f"/actuator/health/{group}")
        command = {"startup": "/startup", "readiness": "/ready", "liveness": "/live"}[kind]
        return ProbeEndpoint(port="qos", path=command)

    def port_name(self, port: int | str) -> str:
        """Return the name of a declared port given by name or number."""
        if isinstance(port, str):
            return port
        return next(name for name, number in self.declared_ports.items() if number == port)

    @property
    def min_replicas(self) -> int:
        """The minimum number of pods: the HPA minimum or the fixed count."""
        return self.autoscaling.min_replicas if self.autoscaling else self.replicas  # type: ignore[return-value]

    @property
    def max_replicas(self) -> int:
        """The maximum number of pods, before a rolling update's surge."""
        return self.autoscaling.max_replicas if self.autoscaling else self.replicas  # type: ignore[return-value]


def _default_registry_resources() -> Resources:
    return Resources(
        requests=ResourceAmounts(cpu="100m", memory="512Mi"),
        limits=ResourceAmounts(cpu="500m", memory="512Mi"),
    )


class RegistryConfig(Model):
    """The Dubbo registry: an in-cluster ZooKeeper ensemble or an external address."""

    mode: Literal["zookeeper", "external"] = "zookeeper"
    address: str | None = None
    replicas: int = 3
    image: Image = Image(registry="docker.io", repository="library/zookeeper", tag="3.9.3")
    storage_gi: int = Field(default=10, ge=1)
    resources: Resources = Field(default_factory=_default_registry_resources)

    @model_validator(mode="after")
    def _mode_consistent(self) -> RegistryConfig:
        if self.mode == "external":
            if not self.address or not re.fullmatch(
                r"(zookeeper|nacos)://[^\s/]+(:\d+)?", self.address
            ):
                raise ValueError(
                    f"mode is external but address is {self.address!r}; "
                    "set address to e.g. zookeeper://zk.internal.example:2181"
                )
        elif self.address is not None:
            raise ValueError(
                "address is set but mode is zookeeper; remove address or set mode to external"
            )
        # An ensemble needs a majority to serve, so only odd sizes add fault tolerance.
        if self.replicas not in (1, 3, 5):
            raise ValueError(f"replicas must be 1, 3 or 5 (an odd ensemble), not {self.replicas}")
        if self.resources.limits.cpu is None:
            raise ValueError("resources.limits.cpu is missing; set a CPU limit such as 500m")
        return self

    @property
    def external_port(self) -> int | None:
        """The port of an external registry address (2181 when it names none)."""
        if self.mode != "external" or self.address is None:
            return None
        host = self.address.split("://", 1)[1]
        default = 2181 if self.address.startswith("zookeeper") else 8848
        return int(host.rsplit(":", 1)[1]) if ":" in host else default


class GatewayConfig(Model):
    """The public entry point: the ALB in front of the gateway service.

    The ALB's health check probes the public service's readiness endpoint. On a
    scale-in or rollout the ALB keeps a deregistered pod for
    `deregistrationDelaySeconds`, which must end before that pod's preStop wait does.
    """

    certificate_arn: Annotated[
        str,
        StringConstraints(
            pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$"
        ),
    ]
    host: str | None = None
    deregistration_delay_seconds: int = Field(default=20, ge=0, le=3600)


# A DNS host name: labels of letters, digits and hyphens (RFC 1123), at most 253
# characters, with an alphabetic top-level label.
HOST_NAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
)


def _check_host_name(value: str) -> str:
    name = value.lower().removesuffix(".")
    if not HOST_NAME.match(name):
        raise ValueError("not a DNS host name; use e.g. api.topfans.example")
    return name


HostName = Annotated[str, AfterValidator(_check_host_name)]


class CutoverConfig(Model):
    """Route 53 weighted records that split the public host name between the VM and EKS.

    `eksPercent` of DNS answers name the gateway's ALB and the rest the VM, so moving
    traffic, or rolling it back, is a change of this one number.
    """

    # Route 53 zone ids are up to 32 uppercase letters and digits (moto's, offline,
    # need not start with Z as AWS's do).
    hosted_zone_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,32}$")] | None = None
    zone_name: HostName | None = None
    record_name: HostName
    vm_target: str
    eks_percent: int
    ttl: int = Field(default=60, ge=1, le=86400)
    # Set when the VM is decommissioned: the VM's record is deleted and only the
    # ALB's remains, so no DNS answer can name the VM's old address again.
    retire_vm: bool = False

    @field_validator("eks_percent", mode="before")
    @classmethod
    def _percent_valid(cls, value: object) -> object:
        # `pulumi config set --path` may store the number as a string of digits.
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        # bool is an int in Python, but `true` is no percentage.
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ValueError(
                "must be a whole number from 0 to 100, the percentage of DNS answers "
                "that name the EKS gateway's ALB; use e.g. 10"
            )
        return value

    @field_validator("vm_target")
    @classmethod
    def _target_valid(cls, value: str) -> str:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return _check_host_name(value)
        if address.version != 4:
            raise ValueError(
                "an IPv6 target is not supported, because the ALB record is an IPv4 "
                "alias; give the VM's IPv4 address or host name"
            )
        return value

    @model_validator(mode="after")
    def _zone_consistent(self) -> CutoverConfig:
        if (self.hosted_zone_id is None) == (self.zone_name is None):
            raise ValueError(
                "set exactly one of hostedZoneId and zoneName to name the public "
                "hosted zone of recordName"
            )
        if self.vm_target == self.record_name:
            raise ValueError(
                f"vmTarget {self.vm_target!r} is recordName itself; set vmTarget to the "
                "VM's IPv4 address or another host name of the VM"
            )
        if self.zone_name is not None:
            check_record_in_zone(self.record_name, self.zone_name, self.vm_target_is_address)
        if self.retire_vm and self.eks_percent != 100:
            raise ValueError(
                f"retireVm deletes the VM's record, but eksPercent is {self.eks_percent}; "
                "set eksPercent to 100 first, or remove retireVm"
            )
        return self

    @property
    def vm_target_is_address(self) -> bool:
        """Whether the VM's target is an IPv4 address (an A record) or a host name (CNAME)."""
        try:
            ipaddress.ip_address(self.vm_target)
        except ValueError:
            return False
        return True

    @property
    def weights(self) -> tuple[int, int]:
        """The Route 53 weights of the VM's record and the ALB's record.

        They always add up to 100, so they are never both 0, which Route 53 would
        read as an equal split. So 0 percent sends no traffic to EKS and 100 percent
        sends it all.
        """
        return 100 - self.eks_percent, self.eks_percent


def check_record_in_zone(record: str, zone: str, target_is_address: bool) -> None:
    """Raise ValueError unless `record` can hold weighted records in the hosted `zone`."""
    if record != zone and not record.endswith(f".{zone}"):
        raise ValueError(
            f"recordName {record!r} is not in the zone {zone!r}; use a name that ends "
            f"in {zone} or the zone that holds the record"
        )
    # DNS allows no CNAME at a zone apex (RFC 1912, section 2.4), so Route 53 rejects it.
    if record == zone and not target_is_address:
        raise ValueError(
            f"recordName {record!r} is the zone apex, where a CNAME to the VM's host name "
            "is not allowed; set vmTarget to the VM's IPv4 address"
        )


class StackConfig(Model):
    """The whole stack config, as read from the `topfans:*` keys."""

    environment: Environment
    relaxations: list[Relaxation] = []
    network: NetworkConfig = NetworkConfig()
    cluster: ClusterConfig = ClusterConfig()
    database: DatabaseConfig = DatabaseConfig()
    cache: CacheConfig = CacheConfig()
    registry: RegistryConfig = RegistryConfig()
    gateway: GatewayConfig
    services: list[Service] = Field(min_length=1)
    cutover: CutoverConfig | None = None

    @model_validator(mode="after")
    def _catalog_consistent(self) -> StackConfig:
        names = [service.name for service in self.services]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(
                f"services {repeated} appear more than once; give each service one entry"
            )
        public = [service.name for service in self.services if service.public]
        if len(public) != 1:
            raise ValueError(
                f"exactly one service must be public (the gateway), but {public or 'none'} "
                "are; set public: true on the gateway service only"
            )
        if not self.services[names.index(public[0])].ports.http:
            raise ValueError(
                f"the public service {public[0]!r} declares no http port; set ports.http"
            )
        return self

    @model_validator(mode="after")
    def _gateway_drains_first(self) -> StackConfig:
        # The ALB must finish draining a pod before its preStop wait ends, or it
        # sends requests to a JVM that has begun to shut down.
        index, service = next(
            (index, service) for index, service in enumerate(self.services) if service.public
        )
        key = f"services[{index}] ({service.name})"
        readiness = service.probe("readiness")
        if service.port_name(readiness.port) != "http":
            raise ValueError(
                f"{key}.probes.readiness.port is {readiness.port!r}, but the ALB health "
                "check probes the public service's readiness path on its http port; "
                "set probes.readiness.port to http"
            )
        delay = self.gateway.deregistration_delay_seconds
        pre_stop = service.shutdown.pre_stop_seconds
        if delay >= pre_stop:
            raise ValueError(
                f"gateway.deregistrationDelaySeconds {delay} must be shorter than "
                f"{key}.shutdown.preStopSeconds {pre_stop}, so that the ALB stops sending "
                "requests before the gateway stops; lower the delay or raise preStopSeconds"
            )
        return self

    @model_validator(mode="after")
    def _relaxations_listed(self) -> StackConfig:
        in_use = relaxations_in_use(self)
        listed = set(self.relaxations)
        for relaxation, (key, value, fix) in in_use.items():
            if self.environment is Environment.PROD:
                raise ValueError(
                    f"{key} = {value} is the {relaxation.value!r} relaxation, which a prod "
                    f"stack may not use; {fix}"
                )
            if relaxation not in listed:
                raise ValueError(
                    f"{key} = {value} is the {relaxation.value!r} relaxation; add "
                    f"{relaxation.value} to topfans:relaxations to accept it, or {fix}"
                )
        for relaxation in sorted(listed - set(in_use)):
            raise ValueError(
                f"relaxations lists {relaxation.value!r}, but no setting uses it; "
                "remove it from topfans:relaxations"
            )
        return self

    @model_validator(mode="after")
    def _adoption_consistent(self) -> StackConfig:
        # An existing cluster runs in an existing VPC, which must be the network's.
        if self.cluster.existing_cluster_name is not None and self.network.existing is None:
            raise ValueError(
                "cluster.existingClusterName adopts a cluster, but network.existing is "
                "not set; set network.existing to the cluster's VPC and subnets"
            )
        return self

    @model_validator(mode="after")
    def _cutover_matches_gateway(self) -> StackConfig:
        # The gateway's Ingress rule matches gateway.host only, so the ALB responds
        # to any other host name with 404.
        host = (self.gateway.host or "").lower().removesuffix(".")
        if self.cutover is not None and host and self.cutover.record_name != host:
            raise ValueError(
                f"cutover.recordName {self.cutover.record_name!r} differs from gateway.host "
                f"{host!r}, whose Ingress rule is the only one the ALB serves; set both "
                "to the same host name"
            )
        return self

    @property
    def public_service(self) -> Service:
        """The one service exposed through the ALB."""
        return next(service for service in self.services if service.public)


def relaxations_in_use(config: StackConfig) -> dict[Relaxation, tuple[str, object, str]]:
    """Return each relaxation the config uses, with the key, its value and how to undo it."""
    found: dict[Relaxation, tuple[str, object, str]] = {}
    database, cache = config.database, config.cache
    if not database.multi_az:
        found[Relaxation.SINGLE_AZ_DATABASE] = (
            "database.multiAz",
            False,
            "set database.multiAz to true",
        )
    if database.backup_retention_days < PROD_MIN_BACKUP_RETENTION_DAYS:
        found[Relaxation.SHORT_BACKUP_RETENTION] = (
            "database.backupRetentionDays",
            database.backup_retention_days,
            f"set database.backupRetentionDays to {PROD_MIN_BACKUP_RETENTION_DAYS} or more",
        )
    if not database.deletion_protection:
        found[Relaxation.NO_DELETION_PROTECTION] = (
            "database.deletionProtection",
            False,
            "set database.deletionProtection to true",
        )
    if not database.performance_insights or database.monitoring_interval_seconds == 0:
        found[Relaxation.NO_PERFORMANCE_INSIGHTS] = (
            "database.performanceInsights/monitoringIntervalSeconds",
            f"{database.performance_insights}/{database.monitoring_interval_seconds}",
            "set database.performanceInsights to true and monitoringIntervalSeconds above 0",
        )
    if cache.num_nodes < 2 or not cache.multi_az:
        found[Relaxation.SINGLE_CACHE_NODE] = (
            "cache.numNodes/multiAz",
            f"{cache.num_nodes}/{cache.multi_az}",
            "set cache.numNodes to 2 or more and cache.multiAz to true",
        )
    if config.network.existing is None and config.network.nat_gateways == "single":
        found[Relaxation.SINGLE_NAT_GATEWAY] = (
            "network.natGateways",
            "single",
            "set network.natGateways to per-az",
        )
    single = [
        f"services[{index}] ({service.name})."
        + ("autoscaling.minReplicas" if service.autoscaling else "replicas")
        for index, service in enumerate(config.services)
        if service.min_replicas < 2
    ]
    if single:
        found[Relaxation.SINGLE_REPLICA_SERVICES] = (
            ", ".join(single),
            1,
            "run at least 2 replicas of every service",
        )
    if config.registry.mode == "zookeeper" and config.registry.replicas < 3:
        found[Relaxation.SINGLE_REGISTRY_NODE] = (
            "registry.replicas",
            config.registry.replicas,
            "set registry.replicas to 3",
        )
    retentions = {
        "network.flowLogRetentionDays": config.network.flow_log_retention_days,
        "cluster.logRetentionDays": config.cluster.log_retention_days,
        "database.logRetentionDays": database.log_retention_days,
    }
    short = {key: days for key, days in retentions.items() if days < PROD_MIN_LOG_RETENTION_DAYS}
    if short:
        found[Relaxation.SHORT_LOG_RETENTION] = (
            "/".join(short),
            "/".join(str(days) for days in short.values()),
            f"set {' and '.join(short)} to {PROD_MIN_LOG_RETENTION_DAYS} or more",
        )
    if config.cluster.endpoint_public_access:
        found[Relaxation.PUBLIC_CLUSTER_ENDPOINT] = (
            "cluster.endpointPublicAccess",
            True,
            "set cluster.endpointPublicAccess to false and reach the API through the VPC",
        )
    return found
