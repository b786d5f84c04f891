"""Completion of Kubernetes objects the way pulumi-kubernetes and the API server would."""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid
from typing import Any

from offline.errors import RejectedError

# Kinds that live outside any namespace.
CLUSTER_SCOPED_KINDS = {
    "Namespace",
    "IngressClass",
    "IngressClassParams",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "PriorityClass",
    "CustomResourceDefinition",
    "NodePool",
    "NodeClass",
    "PersistentVolume",
}
_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def complete(type_: str, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict]:
    """Return the id and outputs of a Kubernetes object registered under `name`.

    An unset `metadata.name` gets the provider's auto-name, the logical name and a
    random suffix; a namespaced object without a namespace lands in `default`.
    """
    if type_ == HELM_RELEASE:
        return _helm_release(name, inputs)
    kind = inputs.get("kind")
    if not kind:
        raise RejectedError(f"{type_} {name}: the object has no kind")
    outputs = dict(inputs)
    metadata = dict(inputs.get("metadata") or {})
    if not metadata.get("name"):
        suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(8))
        metadata["name"] = f"{name}-{suffix}"
    if kind not in CLUSTER_SCOPED_KINDS:
        metadata.setdefault("namespace", "default")
    metadata["uid"] = str(uuid.uuid4())
    outputs["metadata"] = metadata

    if kind == "Ingress":
        outputs["status"] = {
            "loadBalancer": {"ingress": [{"hostname": _alb_hostname(metadata, region)}]}
        }
    if kind == "Service" and (inputs.get("spec") or {}).get("clusterIP") != "None":
        spec = dict(inputs.get("spec") or {})
        spec.setdefault(
            "clusterIP", f"172.20.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"
        )
        outputs["spec"] = spec

    namespace = metadata.get("namespace")
    resource_id = f"{namespace}/{metadata['name']}" if namespace else metadata["name"]
    return resource_id, outputs


def _alb_hostname(metadata: dict[str, Any], region: str) -> str:
    """Return an ALB DNS name shaped like those the load balancer controllers create."""
    digest = hashlib.sha256(f"{metadata.get('namespace')}/{metadata['name']}".encode()).hexdigest()
    namespace = metadata.get("namespace", "default")[:8]
    name = metadata["name"][:8]
    return (
        f"k8s-{namespace}-{name}-{digest[:10]}-{int(digest[10:19], 16)}.{region}.elb.amazonaws.com"
    )


def _helm_release(name: str, inputs: dict[str, Any]) -> tuple[str, dict]:
    """Return a Helm release as installed, without fetching its chart (no network here).

    The chart's own objects are not rendered, so the release is one resource.
    """
    if not inputs.get("chart") or not inputs.get("version"):
        raise RejectedError(f"{HELM_RELEASE} {name}: a release needs a chart and a pinned version")
    release_name = inputs.get("name") or name
    namespace = inputs.get("namespace") or "default"
    outputs = dict(inputs)
    outputs["name"] = release_name
    outputs["status"] = {
        "name": release_name,
        "namespace": namespace,
        "chart": inputs["chart"],
        "version": inputs["version"],
        "status": "deployed",
        "revision": 1,
    }
    return f"{namespace}/{release_name}", outputs
