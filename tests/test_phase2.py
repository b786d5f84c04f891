"""Phase 2 readiness: two Workloads instances in one stack, one per namespace, collide
nowhere and share the one database and cache."""

from __future__ import annotations

from collections import Counter

import pytest

from offline.engine import RunResult, reveal
from tests import existing_infra as infra
from tests.conftest import stack_config
from tests.helpers import kind, kubernetes_resources

NAMESPACES = ["topfans", "topfans-group-b"]
CLUSTER_SCOPED = ["Namespace", "IngressClass", "IngressClassParams"]


@pytest.fixture(scope="module")
def stack() -> RunResult:
    """The stack of __main__.py plus the workloads of a second namespace."""
    return infra.two_namespace_run()


def _identity(resource) -> tuple:
    metadata = resource.outputs["metadata"]
    return (
        resource.inputs["apiVersion"],
        resource.inputs["kind"],
        metadata.get("namespace"),
        metadata["name"],
    )


def _in_namespace(run: RunResult, kind_name: str, namespace: str) -> list:
    return [
        resource
        for resource in kind(run, kind_name)
        if resource.outputs["metadata"].get("namespace") == namespace
    ]


def _named(run: RunResult, kind_name: str, namespace: str, name: str):
    found = [
        resource
        for resource in _in_namespace(run, kind_name, namespace)
        if resource.outputs["metadata"]["name"] == name
    ]
    assert len(found) == 1, f"{kind_name} {namespace}/{name}"
    return found[0]


def _config_map(run: RunResult, namespace: str) -> dict[str, str]:
    return reveal(_named(run, "ConfigMap", namespace, "topfans-endpoints").outputs)["data"]


def _secret(run: RunResult, namespace: str) -> dict[str, str]:
    return reveal(_named(run, "Secret", namespace, "topfans-credentials").inputs)["stringData"]


def test_two_namespaces(stack):
    # Resources register concurrently, so the order of the two namespaces varies.
    names = [namespace.outputs["metadata"]["name"] for namespace in kind(stack, "Namespace")]
    assert sorted(names) == NAMESPACES


def test_urns_unique(stack):
    repeated = [urn for urn, count in Counter(r.urn for r in stack.resources).items() if count > 1]
    assert repeated == []


def test_kubernetes_names_unique(stack):
    identities = Counter(_identity(resource) for resource in kubernetes_resources(stack))
    repeated = [identity for identity, count in identities.items() if count > 1]
    assert repeated == []


@pytest.mark.parametrize("kind_name", CLUSTER_SCOPED)
def test_cluster_scoped_names_distinct(stack, kind_name):
    names = [resource.outputs["metadata"]["name"] for resource in kind(stack, kind_name)]
    assert len(names) == 2
    assert len(set(names)) == 2


def test_each_ingress_uses_own_class(stack):
    for namespace in NAMESPACES:
        ingress = _in_namespace(stack, "Ingress", namespace)[0]
        assert ingress.inputs["spec"]["ingressClassName"] == f"{namespace}-alb"


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_namespace_wired_to_shared_database(stack, namespace):
    instance = stack.of_type("aws:rds/instance:Instance")
    assert len(instance) == 1
    data = _config_map(stack, namespace)
    assert data["DB_HOST"] == instance[0].outputs["address"]
    password = reveal(stack.named("database-master-password").outputs["result"])
    assert _secret(stack, namespace)["DB_PASSWORD"] == password


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_namespace_wired_to_shared_cache(stack, namespace):
    group = stack.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert len(group) == 1
    data = _config_map(stack, namespace)
    assert data["REDIS_HOST"] == group[0].outputs["primaryEndpointAddress"]
    token = reveal(stack.named("cache-auth-token").outputs["result"])
    assert _secret(stack, namespace)["REDIS_AUTH_TOKEN"] == token


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_deployments_read_own_namespace(stack, namespace):
    deployments = _in_namespace(stack, "Deployment", namespace)
    assert len(deployments) == len(stack_config("dev")["topfans:services"])
    for deployment in deployments:
        container = reveal(deployment.inputs)["spec"]["template"]["spec"]["containers"][0]
        references = [
            entry["valueFrom"]
            for entry in container["env"]
            if "valueFrom" in entry and "configMapKeyRef" in entry["valueFrom"]
        ]
        # A configMapKeyRef names no namespace: it reads the pod's own.
        assert references, deployment.name
        for reference in references:
            assert reference["configMapKeyRef"]["name"] == "topfans-endpoints"


def test_group_registers_with_shared_zookeeper(stack):
    first = _config_map(stack, "topfans")["DUBBO_REGISTRY_ADDRESS"]
    assert first == "zookeeper://zookeeper.topfans.svc.cluster.local:2181"
    assert _config_map(stack, "topfans-group-b")["DUBBO_REGISTRY_ADDRESS"] == first
    assert _in_namespace(stack, "StatefulSet", "topfans-group-b") == []


def test_both_instances_use_cluster_provider(stack):
    for resource in kubernetes_resources(stack):
        assert resource.provider_name == "cluster-k8s", resource.name
