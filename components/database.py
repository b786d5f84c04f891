"""RDS MySQL in the private subnets, reachable only from the pods' security group."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.access import pods_only_security_group
from components.naming import child_name, physical_name
from components.network import NetworkRefs
from stack_config.model import RDS_PASSWORD_SPECIALS, DatabaseConfig

MYSQL_PORT = 3306


@dataclass(frozen=True)
class DatabaseRefs:
    """The connection settings the workloads get: address, port, schema, credentials."""

    address: pulumi.Output[str]
    port: int
    schema: str
    username: str
    password: pulumi.Output[str]


class Database(pulumi.ComponentResource):
    """An RDS MySQL instance with its network rules, parameter group and password.

    Creates a security group that admits MySQL only from the pods' security group, a
    DB subnet group over the private subnets, a parameter group of the family the
    engine version implies, a generated master password (a Pulumi secret), and the
    instance. Exports `refs` (`DatabaseRefs`).
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
        parameter_group = aws.rds.ParameterGroup(
            child_name(name, "params"),
            name=physical_name(f"{config.family.replace('.', '-')}"),
            family=config.family,
            description=f"topfans MySQL settings ({config.family})",
            parameters=[
                {"name": "character_set_server", "value": "utf8mb4"},
                {"name": "collation_server", "value": "utf8mb4_unicode_ci"},
                {"name": "time_zone", "value": config.time_zone},
                {"name": "require_secure_transport", "value": "1"},
            ],
            opts=child,
        )

        self.password = random.RandomPassword(
            child_name(name, "master-password"),
            length=32,
            special=True,
            override_special=RDS_PASSWORD_SPECIALS,
            opts=child,
        )

        self.instance = aws.rds.Instance(
            child_name(name, "mysql"),
            identifier=physical_name("mysql"),
            engine=config.engine,
            engine_version=config.engine_version,
            instance_class=config.instance_class,
            allocated_storage=config.allocated_storage_gb,
            max_allocated_storage=config.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            db_name=config.schema_name,
            username=config.master_username,
            password=self.password.result,
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
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )

        self.refs = DatabaseRefs(
            address=self.instance.address,
            port=MYSQL_PORT,
            schema=config.schema_name,
            username=config.master_username,
            password=self.password.result,
        )
        self.register_outputs({"address": self.refs.address, "port": MYSQL_PORT})
