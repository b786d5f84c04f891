"""RDS MySQL in the private subnets, reachable only from the pods' security group."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.access import pods_only_security_group
from components.iam import assume_role_policy
from components.kms import customer_managed_key, encrypted_log_group
from components.naming import child_name, physical_name
from components.network import NetworkRefs
from stack_config import ConfigError
from stack_config.model import RDS_PASSWORD_SPECIALS, DatabaseConfig

MYSQL_PORT = 3306

# The logs the instance publishes to CloudWatch Logs (checkov CKV_AWS_129).
LOG_EXPORTS = ["error", "slowquery"]

# Performance Insights keeps 7 days of history at no charge.
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7

# The tag on the instance that records the lower_case_table_names it was created with.
LOWER_CASE_TABLE_NAMES_TAG = "lower_case_table_names"

ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"


@dataclass(frozen=True)
class DatabaseRefs:
    """The connection settings the workloads get: address, port, schema, credentials."""

    address: pulumi.Output[str]
    port: int
    schema: str
    username: str
    password: pulumi.Output[str]


def server_parameters(config: DatabaseConfig) -> list[dict[str, str]]:
    """Return the parameter group's settings: utf8mb4, TLS only, slow query log, zone, case."""
    return [
        {"name": "character_set_server", "value": "utf8mb4"},
        {"name": "collation_server", "value": "utf8mb4_unicode_ci"},
        {"name": "time_zone", "value": config.time_zone},
        # Clients without TLS are refused (checkov CKV2_AWS_69).
        {"name": "require_secure_transport", "value": "1"},
        {"name": "slow_query_log", "value": "1"},
        {"name": "long_query_time", "value": f"{config.slow_query_seconds:g}"},
        # RDS publishes the slow query log to CloudWatch Logs only from a file.
        {"name": "log_output", "value": "FILE"},
        # A static parameter: RDS rejects the default apply method "immediate" for it.
        {
            "name": "lower_case_table_names",
            "value": str(config.lower_case_table_names),
            "apply_method": "pending-reboot",
        },
    ]


def existing_lower_case_table_names(identifier: str) -> str | None:
    """Return the lower_case_table_names tag of the RDS instance `identifier`, if it exists.

    Returns None for an instance that does not exist yet or carries no such tag.
    """
    found = aws.rds.get_instances(filters=[{"name": "db-instance-id", "values": [identifier]}])
    if not found.instance_identifiers:
        return None
    instance = aws.rds.get_instance(db_instance_identifier=identifier)
    return (instance.tags or {}).get(LOWER_CASE_TABLE_NAMES_TAG)


def check_lower_case_table_names_kept(identifier: str, existing: str | None, configured: int):
    """Raise `ConfigError` when the config changes the value an existing instance has.

    MySQL 8 fixes lower_case_table_names when it initializes the data directory; a
    server started with another value refuses to start, so RDS would leave the
    instance in the incompatible-parameters state after the next reboot.
    """
    if existing is not None and existing != str(configured):
        raise ConfigError(
            f"Invalid stack config: topfans:database.lowerCaseTableNames = {configured}, but "
            f"RDS instance {identifier} was created with {existing} and MySQL cannot change "
            f"it on existing data; set lowerCaseTableNames back to {existing}, or move the "
            "data to a new instance"
        )


class Database(pulumi.ComponentResource):
    """An RDS MySQL instance with its network rules, key, parameter group and password.

    Creates a security group that admits MySQL only from the pods' security group, a
    DB subnet group over the private subnets, a KMS key that encrypts the storage,
    Performance Insights and the exported logs, a parameter group of the family the
    engine version implies, the error and slow query log groups, the enhanced
    monitoring role when monitoring is on, a generated master password (a Pulumi
    secret), and the instance. Exports `refs` (`DatabaseRefs`).
    """

    def __init__(
        self,
        name: str,
        config: DatabaseConfig,
        network: NetworkRefs,
        pod_security_group_id: pulumi.Input[str],
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:database:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identifier = physical_name("mysql")

        # lower_case_table_names can be set only when the instance is created. The
        # instance carries the value in a tag, and before anything is registered the
        # program reads the tag of the existing instance and rejects a config that
        # differs, so no edit of the stack file can reach the parameter group.
        check_lower_case_table_names_kept(
            identifier,
            existing_lower_case_table_names(identifier),
            config.lower_case_table_names,
        )

        security_group = pods_only_security_group(
            self, name, "mysql", MYSQL_PORT, network.vpc_id, pod_security_group_id
        )

        subnet_group = aws.rds.SubnetGroup(
            child_name(name, "subnets"),
            name=physical_name("mysql"),
            description="Private subnets of topfans MySQL",
            subnet_ids=network.private_subnet_ids,
            opts=child,
        )

        log_groups = [f"/aws/rds/instance/{identifier}/{log}" for log in LOG_EXPORTS]
        key = customer_managed_key(
            self,
            name,
            "mysql",
            f"Encrypts RDS instance {identifier}: storage, Performance Insights, logs",
            log_group_names=log_groups,
        )
        # RDS would create these log groups itself, unencrypted and kept forever;
        # created first, they get the key and the retention from config.
        exported_logs = [
            encrypted_log_group(
                self, child_name(name, f"{log}-logs"), log_group, config.log_retention_days, key
            )
            for log, log_group in zip(LOG_EXPORTS, log_groups, strict=True)
        ]

        # The name carries the family, so an engine upgrade to a new family creates
        # the new group before the old one is deleted.
        parameter_group = aws.rds.ParameterGroup(
            child_name(name, "params"),
            name=physical_name(config.family.replace(".", "-")),
            family=config.family,
            description=f"topfans MySQL settings ({config.family})",
            parameters=server_parameters(config),
            opts=child,
        )

        monitoring_role = None
        instance_dependencies: list[pulumi.Resource] = list(exported_logs)
        if config.monitoring_interval_seconds > 0:
            monitoring_role, attachment = self._monitoring_role(name)
            instance_dependencies.append(attachment)

        self.password = random.RandomPassword(
            child_name(name, "master-password"),
            length=32,
            special=True,
            override_special=RDS_PASSWORD_SPECIALS,
            opts=child,
        )

        self.instance = aws.rds.Instance(
            child_name(name, "mysql"),
            identifier=identifier,
            engine=config.engine,
            # major.minor only: with auto minor upgrades AWS moves the patch level,
            # and pulumi-aws treats a prefix as matching, so no diff requests a downgrade.
            engine_version=config.engine_version,
            auto_minor_version_upgrade=True,
            instance_class=config.instance_class,
            allocated_storage=config.allocated_storage_gb,
            max_allocated_storage=config.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=key.arn,
            db_name=config.schema_name,
            username=config.master_username,
            password=self.password.result,
            iam_database_authentication_enabled=True,
            ca_cert_identifier=config.ca_certificate,
            db_subnet_group_name=subnet_group.name,
            parameter_group_name=parameter_group.name,
            vpc_security_group_ids=[security_group.id],
            publicly_accessible=False,
            multi_az=config.multi_az,
            backup_retention_period=config.backup_retention_days,
            backup_window=config.backup_window,
            maintenance_window=config.maintenance_window,
            deletion_protection=config.deletion_protection,
            skip_final_snapshot=not config.deletion_protection,
            final_snapshot_identifier=physical_name("mysql-final"),
            copy_tags_to_snapshot=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            performance_insights_enabled=config.performance_insights,
            performance_insights_kms_key_id=key.arn if config.performance_insights else None,
            performance_insights_retention_period=(
                PERFORMANCE_INSIGHTS_RETENTION_DAYS if config.performance_insights else None
            ),
            monitoring_interval=config.monitoring_interval_seconds,
            monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
            tags={LOWER_CASE_TABLE_NAMES_TAG: str(config.lower_case_table_names)},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=protect,
                depends_on=instance_dependencies,
                # Storage autoscaling grows allocated_storage; the config's smaller
                # value must never ask RDS to shrink it, which it cannot do.
                ignore_changes=["allocatedStorage"],
            ),
        )

        self.refs = DatabaseRefs(
            address=self.instance.address,
            port=MYSQL_PORT,
            schema=config.schema_name,
            username=config.master_username,
            password=self.password.result,
        )
        self.register_outputs({"address": self.refs.address, "port": MYSQL_PORT})

    def _monitoring_role(self, name: str) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
        """Create the role RDS enhanced monitoring assumes to write OS metrics."""
        role = aws.iam.Role(
            child_name(name, "monitoring-role"),
            name=physical_name("rds-monitoring"),
            assume_role_policy=assume_role_policy("monitoring.rds.amazonaws.com"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            child_name(name, "monitoring-role"),
            role=role.name,
            policy_arn=ENHANCED_MONITORING_POLICY,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role, attachment
