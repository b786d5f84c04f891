"""Endpoints reach the services that use them; credentials travel only in the Secret."""

from __future__ import annotations

import pytest

from offline.engine import is_secret, reveal
from tests.conftest import stack_config
from tests.helpers import (
    by_object_name,
    env_map,
    find_plain_occurrences,
    kind,
    kubernetes_resources,
)

NAMESPACE = "topfans"
# The cluster's own settings, which live in kube-system, not in the workloads' namespace.
CLUSTER_SETTINGS = {("kube-system", "amazon-vpc-cni")}


def _services(stack: str) -> list[dict]:
    return stack_config(stack)["topfans:services"]


def _config_map(run):
    return reveal(by_object_name(run, "ConfigMap", "topfans-endpoints").outputs)


def test_namespace_exactly_topfans(run):
    namespaces = kind(run, "Namespace")
    assert [namespace.outputs["metadata"]["name"] for namespace in namespaces] == [NAMESPACE]


def test_namespaced_objects_in_topfans(run):
    for resource in kubernetes_resources(run):
        metadata = resource.outputs["metadata"]
        namespace = metadata.get("namespace")
        if namespace is None or (namespace, metadata["name"]) in CLUSTER_SETTINGS:
            continue
        assert namespace == NAMESPACE, resource.name


def test_config_map_holds_rds_address(run):
    instance = run.of_type("aws:rds/instance:Instance")[0]
    assert _config_map(run)["data"]["DB_HOST"] == instance.outputs["address"]


def test_config_map_holds_redis_address(run):
    group = run.of_type("aws:elasticache/replicationGroup:ReplicationGroup")[0]
    data = _config_map(run)["data"]
    assert data["REDIS_HOST"] == group.outputs["primaryEndpointAddress"]
    assert data["REDIS_TLS"] == "true"
    assert data["REDIS_URL"].startswith("rediss://")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_endpoints_reach_services_that_use_them(stack, request):
    run = request.getfixturevalue(stack)
    for service in _services(stack):
        env = env_map(by_object_name(run, "Deployment", service["name"]))
        uses = set(service.get("uses", []))
        assert ("DB_HOST" in env) == ("database" in uses), service["name"]
        assert ("REDIS_HOST" in env) == ("cache" in uses), service["name"]
        assert ("DUBBO_REGISTRY_ADDRESS" in env) == ("registry" in uses), service["name"]
        if "database" in uses:
            reference = env["DB_HOST"]["valueFrom"]["configMapKeyRef"]
            assert reference == {"name": "topfans-endpoints", "key": "DB_HOST"}
            assert env["DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "topfans-credentials"


def _database_password(run) -> str:
    password = run.named("database-master-password")
    return (
        password.outputs["result"]["value"]
        if is_secret(password.outputs["result"])
        else password.outputs["result"]
    )


def test_password_is_secret_output(run):
    assert is_secret(run.named("database-master-password").outputs["result"])


def test_password_plain_nowhere(run):
    password = _database_password(run)
    for resource in run.resources:
        if resource.type.startswith("random:"):
            continue
        assert find_plain_occurrences(resource.inputs, password) == [], resource.name


def test_password_reaches_only_secret(run):
    password = _database_password(run)
    holders = [
        resource.name
        for resource in kubernetes_resources(run)
        if password in str(reveal(resource.inputs))
    ]
    assert holders == ["workloads-credentials"]


def test_password_avoids_rds_rejected_characters(run):
    password = _database_password(run)
    assert len(password) >= 16
    assert not set(password) & set("/@\"' ")


def test_hpa_targets_have_no_replicas(run):
    hpas = kind(run, "HorizontalPodAutoscaler")
    assert hpas
    for hpa in hpas:
        target = hpa.inputs["spec"]["scaleTargetRef"]["name"]
        deployment = by_object_name(run, "Deployment", target)
        assert "replicas" not in deployment.inputs["spec"], target


def test_fixed_services_have_replicas(run):
    targets = {
        hpa.inputs["spec"]["scaleTargetRef"]["name"] for hpa in kind(run, "HorizontalPodAutoscaler")
    }
    for deployment in kind(run, "Deployment"):
        if deployment.outputs["metadata"]["name"] not in targets:
            assert deployment.inputs["spec"]["replicas"] >= 1


def test_one_public_entry_point(run):
    assert len(kind(run, "Ingress")) == 1
    for service in kind(run, "Service"):
        assert service.inputs["spec"].get("type", "ClusterIP") == "ClusterIP", service.name


def test_ingress_serves_public_service(run):
    ingress = kind(run, "Ingress")[0]
    backend = ingress.inputs["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    public = [service["name"] for service in _services(run.stack) if service.get("public")]
    assert backend["name"] == public[0] == "gateway"
    assert (
        ingress.inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/scheme"]
        == "internet-facing"
    )
