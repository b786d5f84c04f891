"""Cluster add-ons as registered: NetworkPolicy enforcement, Pod Identity, EBS CSI."""

from __future__ import annotations

import json

import pytest

from offline.engine import Resource, RunResult
from tests.helpers import kind
from tests.workload_helpers import node_group_run, prod_node_group_run

ADDON = "aws:eks/addon:Addon"
CONFIG_MAP_PATCH = "kubernetes:core/v1:ConfigMapPatch"
NODE_GROUP_RUNS = {"dev": node_group_run, "prod": prod_node_group_run}


@pytest.fixture(params=sorted(NODE_GROUP_RUNS))
def node_group(request) -> RunResult:
    """Each stack's run on a managed node group in turn."""
    return NODE_GROUP_RUNS[request.param]()


def _addons(run: RunResult) -> dict[str, Resource]:
    return {addon.inputs["addonName"]: addon for addon in run.of_type(ADDON)}


def _cluster(run: RunResult) -> Resource:
    return run.of_type("aws:eks/cluster:Cluster")[0]


def test_auto_mode_enables_policy_controller(run):
    patches = run.of_type(CONFIG_MAP_PATCH)
    assert len(patches) == 1
    patch = patches[0]
    assert patch.inputs["metadata"] == {"name": "amazon-vpc-cni", "namespace": "kube-system"}
    assert patch.inputs["data"] == {"enable-network-policy-controller": "true"}
    assert patch.provider_name == "cluster-k8s"


def test_auto_mode_node_class(run):
    node_class = kind(run, "NodeClass")[0]
    spec = node_class.inputs["spec"]
    node_role = run.named("cluster-node-role")
    subnets = _cluster(run).inputs["vpcConfig"]["subnetIds"]
    private = [r.id for r in run.of_type("aws:ec2/subnet:Subnet") if "private" in r.name]
    cluster_group = _cluster(run).outputs["vpcConfig"]["clusterSecurityGroupId"]
    assert node_class.inputs["apiVersion"] == "eks.amazonaws.com/v1"
    assert spec["networkPolicy"] == "DefaultAllow"
    assert spec["role"] == node_role.outputs["name"]
    assert spec["subnetSelectorTerms"] == [{"id": subnet} for subnet in subnets]
    assert sorted(subnets) == sorted(private)
    assert spec["securityGroupSelectorTerms"] == [{"id": cluster_group}]
    assert node_class.provider_name == "cluster-k8s"


def test_auto_mode_node_role_has_no_entry(run):
    # EKS creates the node role's EC2 access entry itself and rejects a second one.
    node_role = run.named("cluster-node-role").outputs["arn"]
    entries = run.of_type("aws:eks/accessEntry:AccessEntry")
    assert node_role not in [entry.inputs["principalArn"] for entry in entries]


def test_auto_mode_only_metrics_server(run):
    assert sorted(_addons(run)) == ["metrics-server"]


def test_node_group_vpc_cni_enforces_policies(node_group):
    vpc_cni = _addons(node_group)["vpc-cni"]
    nodes = node_group.of_type("aws:eks/nodeGroup:NodeGroup")[0]
    assert json.loads(vpc_cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert vpc_cni.inputs["resolveConflictsOnCreate"] == "OVERWRITE"
    assert vpc_cni.urn in nodes.dependencies


def test_node_group_no_auto_mode_objects(node_group):
    assert node_group.of_type(CONFIG_MAP_PATCH) == []
    assert kind(node_group, "NodeClass") == []


def test_one_pod_identity_agent(node_group):
    agents = [
        a for a in node_group.of_type(ADDON) if a.inputs["addonName"] == "eks-pod-identity-agent"
    ]
    assert len(agents) == 1
    agent = agents[0]
    controller = node_group.named("load-balancer-controller-identity")
    release = node_group.of_type("kubernetes:helm.sh/v3:Release")[0]
    assert agent.parent_name == "cluster"
    assert agent.urn in controller.dependencies
    assert agent.urn in release.dependencies
    assert agent.urn in _addons(node_group)["aws-ebs-csi-driver"].dependencies


def test_ebs_csi_driver_identity(node_group):
    driver = _addons(node_group)["aws-ebs-csi-driver"]
    role = node_group.named("cluster-ebs-csi-role")
    attachment = node_group.named("cluster-ebs-csi-policy")
    association = node_group.named("cluster-ebs-csi-identity")
    nodes = node_group.of_type("aws:eks/nodeGroup:NodeGroup")[0]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert attachment.inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    )
    assert attachment.inputs["role"] == role.outputs["name"]
    assert association.inputs["namespace"] == "kube-system"
    assert association.inputs["serviceAccount"] == "ebs-csi-controller-sa"
    assert association.inputs["roleArn"] == role.outputs["arn"]
    assert association.urn in driver.dependencies
    assert attachment.urn in driver.dependencies
    assert nodes.urn in driver.dependencies
