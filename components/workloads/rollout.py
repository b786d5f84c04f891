"""Config rollouts: a digest of exactly the ConfigMap and Secret values a pod consumes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import pulumi

# The pod template annotation that contains the digest. A new digest rolls the pods.
ENDPOINTS_HASH_ANNOTATION = "checksum/endpoints"


def endpoint_digest(values: Mapping[str, str]) -> str:
    """Return the SHA-256 (hex) of the key-value pairs, independent of their order."""
    payload = json.dumps(sorted(values.items()), separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def consumed_keys(env: list[dict]) -> tuple[list[str], list[str]]:
    """Return the ConfigMap keys and the Secret keys that env entries reference."""
    config_keys: set[str] = set()
    secret_keys: set[str] = set()
    for entry in env:
        source = entry.get("valueFrom") or {}
        if "configMapKeyRef" in source:
            config_keys.add(source["configMapKeyRef"]["key"])
        if "secretKeyRef" in source:
            secret_keys.add(source["secretKeyRef"]["key"])
    return sorted(config_keys), sorted(secret_keys)


def endpoints_hash(
    env: list[dict],
    config_values: Mapping[str, pulumi.Input[str]],
    secret_values: Mapping[str, pulumi.Input[str]],
) -> pulumi.Input[str]:
    """Return the digest of the ConfigMap and Secret values that `env` references.

    Only referenced keys count, so a changed endpoint or credential rolls exactly
    the Deployments that read it.
    """
    config_keys, secret_keys = consumed_keys(env)
    values: dict[str, pulumi.Input[str]] = {}
    for key in config_keys:
        values[f"configmap/{key}"] = config_values[key]
    for key in secret_keys:
        values[f"secret/{key}"] = secret_values[key]
    if not values:
        return endpoint_digest({})
    digest = pulumi.Output.all(**values).apply(endpoint_digest)
    # The digest is secret because its inputs include credentials. A SHA-256 of
    # generated credentials (32 and 64 random characters) cannot be reversed, and a
    # secret annotation would make Pulumi hide the whole pod template in every
    # preview, so only the digest is unsecreted, never a credential.
    return pulumi.Output.unsecret(digest)
