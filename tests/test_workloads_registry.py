"""The Dubbo registry: ZooKeeper sized per stack, spread, persistent, or an external address."""

from __future__ import annotations

from components.workloads.registry import zoo_cfg
from offline.engine import reveal
from tests.helpers import by_object_name, kind
from tests.workload_helpers import (
    EXTERNAL_REGISTRY,
    node_group_run,
    object_name,
    pod_spec,
    prod_node_group_run,
)

EXPECTED_REPLICAS = {"dev": 1, "prod": 3}


def _statefulset(run):
    return by_object_name(run, "StatefulSet", "zookeeper")


def test_replicas_per_stack(run):
    assert _statefulset(run).inputs["spec"]["replicas"] == EXPECTED_REPLICAS[run.stack]


def test_pdb_selects_members(run):
    budget = by_object_name(run, "PodDisruptionBudget", "zookeeper").inputs["spec"]
    labels = _statefulset(run).inputs["spec"]["template"]["metadata"]["labels"]
    assert budget["selector"]["matchLabels"] == labels
    assert budget["maxUnavailable"] == 1


def test_members_spread_across_zones(run):
    constraints = pod_spec(_statefulset(run))["topologySpreadConstraints"]
    zone = next(c for c in constraints if c["topologyKey"] == "topology.kubernetes.io/zone")
    assert zone["whenUnsatisfiable"] == "DoNotSchedule"
    assert zone["maxSkew"] == 1


def test_members_on_encrypted_gp3(run):
    claim = _statefulset(run).inputs["spec"]["volumeClaimTemplates"][0]["spec"]
    storage = by_object_name(run, "StorageClass", "topfans-zookeeper").inputs
    assert claim["storageClassName"] == "topfans-zookeeper"
    assert storage["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert storage["provisioner"] == "ebs.csi.eks.amazonaws.com"
    assert storage["reclaimPolicy"] == "Retain"
    assert storage["volumeBindingMode"] == "WaitForFirstConsumer"


def test_node_group_storage_uses_addon_driver():
    run = prod_node_group_run()
    storage = by_object_name(run, "StorageClass", "topfans-zookeeper").inputs
    drivers = [a.inputs["addonName"] for a in run.of_type("aws:eks/addon:Addon")]
    assert storage["provisioner"] == "ebs.csi.aws.com"
    assert "aws-ebs-csi-driver" in drivers


def test_config_lists_every_member(run):
    data = reveal(by_object_name(run, "ConfigMap", "zookeeper-config").inputs)["data"]
    replicas = EXPECTED_REPLICAS[run.stack]
    servers = [line for line in data["zoo.cfg"].splitlines() if line.startswith("server.")]
    assert len(servers) == replicas
    assert data["zoo.cfg"] == zoo_cfg(replicas)
    assert "dataLogDir=/data/log" in data["zoo.cfg"].splitlines()


def test_heap_within_memory_limit(run):
    container = pod_spec(_statefulset(run))["containers"][0]
    heap = {e["name"]: e["value"] for e in container["env"]}["ZK_SERVER_HEAP"]
    assert container["resources"]["limits"]["memory"] == "512Mi"
    assert int(heap) == 384


def test_address_in_config_map(run):
    data = reveal(by_object_name(run, "ConfigMap", "topfans-endpoints").inputs)["data"]
    expected = "zookeeper://zookeeper.topfans.svc.cluster.local:2181"
    assert data["DUBBO_REGISTRY_ADDRESS"] == expected


def test_external_registry_deploys_nothing():
    run = node_group_run()
    names = [object_name(resource) for resource in kind(run, "Service")]
    assert kind(run, "StatefulSet") == []
    assert kind(run, "StorageClass") == []
    assert not [name for name in names if name.startswith("zookeeper")]
    assert [r.name for r in run.resources if "zookeeper" in r.name] == []


def test_external_address_in_config_map():
    run = node_group_run()
    data = reveal(by_object_name(run, "ConfigMap", "topfans-endpoints").inputs)["data"]
    assert data["DUBBO_REGISTRY_ADDRESS"] == EXTERNAL_REGISTRY
