"""Every Kubernetes resource goes through the cluster's own provider."""

from __future__ import annotations

import json

from tests.helpers import kubernetes_resources

CLUSTER_PROVIDER = "cluster-k8s"


def test_kubernetes_resources_use_cluster_provider(run):
    resources = kubernetes_resources(run)
    assert resources
    for resource in resources:
        assert resource.provider_name == CLUSTER_PROVIDER, resource.name


def test_one_kubernetes_provider(run):
    providers = run.of_type("pulumi:providers:kubernetes")
    assert [provider.name for provider in providers] == [CLUSTER_PROVIDER]


def test_provider_built_from_cluster(run):
    provider = run.named(CLUSTER_PROVIDER)
    cluster = run.of_type("aws:eks/cluster:Cluster")[0]
    kubeconfig = json.loads(provider.inputs["kubeconfig"])
    server = kubeconfig["clusters"][0]["cluster"]
    assert server["server"] == cluster.outputs["endpoint"]
    assert server["certificate-authority-data"] == cluster.outputs["certificateAuthority"]["data"]


def test_provider_replaced_only_with_cluster(run):
    provider = run.named(CLUSTER_PROVIDER)
    cluster = run.of_type("aws:eks/cluster:Cluster")[0]
    assert provider.inputs["clusterIdentifier"] == cluster.outputs["arn"]


def test_kubeconfig_holds_no_credential(run):
    kubeconfig = json.loads(run.named(CLUSTER_PROVIDER).inputs["kubeconfig"])
    user = kubeconfig["users"][0]["user"]
    assert set(user) == {"exec"}
