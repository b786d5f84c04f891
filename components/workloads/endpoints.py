"""The shared endpoints every workloads instance is wired to, and their config keys."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.cache import CacheRefs
from components.database import DatabaseRefs

# ConfigMap keys (plain settings) and Secret keys (credentials) per endpoint kind.
# A Deployment receives exactly the keys of the endpoints its service uses.
CONFIG_KEYS = {
    "database": ["DB_HOST", "DB_PORT", "DB_NAME", "SPRING_DATASOURCE_URL"],
    "cache": ["REDIS_HOST", "REDIS_PORT", "REDIS_TLS", "REDIS_URL"],
    "registry": ["DUBBO_REGISTRY_ADDRESS"],
}
SECRET_KEYS = {
    "database": ["DB_USERNAME", "DB_PASSWORD"],
    "cache": ["REDIS_AUTH_TOKEN"],
    "registry": [],
}
# Spring Boot reads these names through relaxed binding, so services need no code
# change to use the stack's endpoints.
SPRING_ALIASES = {
    "SPRING_DATASOURCE_USERNAME": "DB_USERNAME",
    "SPRING_DATASOURCE_PASSWORD": "DB_PASSWORD",
    "SPRING_DATA_REDIS_HOST": "REDIS_HOST",
    "SPRING_DATA_REDIS_PORT": "REDIS_PORT",
    "SPRING_DATA_REDIS_SSL_ENABLED": "REDIS_TLS",
    "SPRING_DATA_REDIS_PASSWORD": "REDIS_AUTH_TOKEN",
}


@dataclass(frozen=True)
class SharedEndpoints:
    """The database and cache one or more workloads instances share.

    `vpc_cidr` is the VPC block they live in. The NetworkPolicies admit egress to
    their ports only inside it, or to any address on those ports without it.
    """

    database: DatabaseRefs
    cache: CacheRefs
    vpc_cidr: pulumi.Input[str] | None = None


def config_data(endpoints: SharedEndpoints, registry_address: pulumi.Input[str]) -> dict:
    """Return the ConfigMap data: every non-secret connection setting."""
    database, cache = endpoints.database, endpoints.cache
    scheme = "rediss" if cache.tls else "redis"
    return {
        "DB_HOST": database.address,
        "DB_PORT": str(database.port),
        "DB_NAME": database.schema,
        # The parameter group sets require_secure_transport, so JDBC must use TLS.
        "SPRING_DATASOURCE_URL": database.address.apply(
            lambda host: f"jdbc:mysql://{host}:{database.port}/{database.schema}?sslMode=REQUIRED"
        ),
        "REDIS_HOST": cache.address,
        "REDIS_PORT": str(cache.port),
        "REDIS_TLS": "true" if cache.tls else "false",
        "REDIS_URL": cache.address.apply(lambda host: f"{scheme}://{host}:{cache.port}"),
        "DUBBO_REGISTRY_ADDRESS": registry_address,
    }


def secret_data(endpoints: SharedEndpoints) -> dict:
    """Return the Secret data: the database credentials and the Redis auth token."""
    data = {
        "DB_USERNAME": endpoints.database.username,
        "DB_PASSWORD": endpoints.database.password,
    }
    if endpoints.cache.auth_token is not None:
        data["REDIS_AUTH_TOKEN"] = endpoints.cache.auth_token
    return data
