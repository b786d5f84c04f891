"""ElastiCache Redis in the private subnets, reachable only from the pods' security group."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.access import pods_only_security_group
from components.kms import customer_managed_key
from components.naming import child_name, physical_name
from components.network import NetworkRefs
from stack_config.model import CacheConfig

REDIS_PORT = 6379

# ElastiCache accepts auth tokens of 16 to 128 printable characters except '@', '"'
# and '/'; letters and digits alone are always accepted, and 64 of them are plenty.
AUTH_TOKEN_LENGTH = 64


@dataclass(frozen=True)
class CacheRefs:
    """The connection settings the workloads get: address, port, TLS and auth token."""

    address: pulumi.Output[str]
    reader_address: pulumi.Output[str]
    port: int
    tls: bool
    auth_token: pulumi.Output[str] | None


class Cache(pulumi.ComponentResource):
    """An ElastiCache Redis replication group with its network rules, key and auth token.

    Creates a security group that admits Redis only from the pods' security group, a
    cache subnet group over the private subnets, a KMS key that encrypts the data at
    rest, a parameter group of the engine's family, a generated auth token (a Pulumi
    secret) when the config requests one, and the replication group. Exports `refs`
    (`CacheRefs`).
    """

    def __init__(
        self,
        name: str,
        config: CacheConfig,
        network: NetworkRefs,
        pod_security_group_id: pulumi.Input[str],
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:cache:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        security_group = pods_only_security_group(
            self, name, "redis", REDIS_PORT, network.vpc_id, pod_security_group_id
        )

        subnet_group = aws.elasticache.SubnetGroup(
            child_name(name, "subnets"),
            name=physical_name("redis"),
            description="Private subnets of topfans Redis",
            subnet_ids=network.private_subnet_ids,
            opts=child,
        )

        key = customer_managed_key(
            self, name, "redis", f"Encrypts ElastiCache group {physical_name('redis')} at rest"
        )

        # The name carries the family, so an engine upgrade to a new family creates
        # the new group before the old one is deleted.
        parameter_group = aws.elasticache.ParameterGroup(
            child_name(name, "params"),
            name=physical_name(config.family.replace(".", "-")),
            family=config.family,
            description=f"topfans Redis settings ({config.family})",
            parameters=[{"name": "maxmemory-policy", "value": config.maxmemory_policy}],
            opts=child,
        )

        auth_token = None
        if config.auth_token:
            auth_token = random.RandomPassword(
                child_name(name, "auth-token"),
                length=AUTH_TOKEN_LENGTH,
                special=False,
                opts=child,
            ).result

        self.group = aws.elasticache.ReplicationGroup(
            child_name(name, "redis"),
            replication_group_id=physical_name("redis"),
            description="topfans Redis",
            engine=config.engine,
            engine_version=config.engine_version,
            node_type=config.node_type,
            num_cache_clusters=config.num_nodes,
            port=REDIS_PORT,
            subnet_group_name=subnet_group.name,
            parameter_group_name=parameter_group.name,
            security_group_ids=[security_group.id],
            # Failover needs a replica to promote; Multi-AZ needs failover.
            automatic_failover_enabled=config.num_nodes >= 2,
            multi_az_enabled=config.multi_az,
            at_rest_encryption_enabled=True,
            kms_key_id=key.arn,
            transit_encryption_enabled=config.transit_encryption,
            auth_token=auth_token,
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=config.snapshot_window,
            maintenance_window=config.maintenance_window,
            auto_minor_version_upgrade=True,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )

        self.refs = CacheRefs(
            address=self.group.primary_endpoint_address,
            reader_address=self.group.reader_endpoint_address,
            port=REDIS_PORT,
            tls=config.transit_encryption,
            auth_token=auth_token,
        )
        self.register_outputs({"address": self.refs.address, "port": REDIS_PORT})
