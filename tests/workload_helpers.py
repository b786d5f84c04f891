"""Queries over the rendered workloads, and the extra runs on a managed node group."""

from __future__ import annotations

from typing import Any

from offline.engine import Resource, RunResult, reveal, run_program
from stack_config import StackConfig, validate_stack_config
from stack_config.model import Service
from tests.conftest import stack_config, topfans_config
from tests.helpers import by_object_name, kind

EXTERNAL_REGISTRY = "zookeeper://zk.internal.example:2181"
_NODE_GROUP_RUN: list[RunResult] = []
_PROD_NODE_GROUP_RUN: list[RunResult] = []


def node_group_config() -> dict[str, Any]:
    """Return the dev config on a managed node group with an external registry."""
    config = stack_config("dev")
    cluster = config["topfans:cluster"]
    cluster["computeMode"] = "node-group"
    cluster.pop("autoMode")
    cluster["nodeGroup"] = {
        "instanceTypes": ["m7g.large"],
        "minSize": 2,
        "maxSize": 4,
        "desiredSize": 2,
    }
    config["topfans:registry"] = {"mode": "external", "address": EXTERNAL_REGISTRY}
    config["topfans:relaxations"].remove("single-registry-node")
    return config


def node_group_run() -> RunResult:
    """Return the run of node_group_config(), made once per session."""
    if not _NODE_GROUP_RUN:
        _NODE_GROUP_RUN.append(run_program("dev", config=node_group_config()))
    return _NODE_GROUP_RUN[0]


def prod_node_group_run() -> RunResult:
    """Return the prod stack run on a managed node group, ZooKeeper kept, once per session."""
    if not _PROD_NODE_GROUP_RUN:
        config = stack_config("prod")
        config["topfans:cluster"]["computeMode"] = "node-group"
        config["topfans:cluster"].pop("autoMode")
        config["topfans:cluster"]["nodeGroup"] = {"instanceTypes": ["m7g.large"]}
        _PROD_NODE_GROUP_RUN.append(run_program("prod", config=config))
    return _PROD_NODE_GROUP_RUN[0]


def config_of(stack: str) -> StackConfig:
    """Return the validated config of a stack file."""
    return validate_stack_config(topfans_config(stack), stack)


def deployment(run: RunResult, name: str) -> Resource:
    """Return the Deployment of one service."""
    return by_object_name(run, "Deployment", name)


def workloads(run: RunResult) -> list[Resource]:
    """Return every Deployment and StatefulSet."""
    return kind(run, "Deployment") + kind(run, "StatefulSet")


def pod_spec(workload: Resource) -> dict[str, Any]:
    """Return the pod spec of a Deployment or StatefulSet, secrets opened."""
    return reveal(workload.inputs)["spec"]["template"]["spec"]


def containers(workload: Resource) -> list[dict[str, Any]]:
    """Return every container and init container of a workload."""
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


def object_name(resource: Resource) -> str:
    """Return the metadata.name of a Kubernetes object."""
    return resource.outputs["metadata"]["name"]


def service_config(name: str, stack: str = "dev", **changes: Any) -> Service:
    """Return one catalog entry of a stack file, with top-level keys replaced."""
    entry = next(s for s in topfans_config(stack)["services"] if s["name"] == name)
    return Service.model_validate({**entry, **changes})
