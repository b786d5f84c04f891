"""The EKS cluster as registered: encryption, logs, endpoint, admins, node pools, IMDSv2."""

from __future__ import annotations

import pytest

from offline.engine import Resource, RunResult
from tests.helpers import kind
from tests.workload_helpers import prod_node_group_run

CLUSTER = "aws:eks/cluster:Cluster"
ADMIN = "arn:aws:iam::111122223333:role/topfans-platform-admin"


def _of(run: RunResult, type_: str, name: str) -> Resource:
    return next(r for r in run.resources if r.type == type_ and r.name == name)


def _cluster(run: RunResult) -> Resource:
    return run.of_type(CLUSTER)[0]


@pytest.fixture
def node_group_run() -> RunResult:
    """The prod stack run once with a managed node group in place of Auto Mode."""
    return prod_node_group_run()


def test_secrets_encrypted_with_cluster_key(run):
    key = _of(run, "aws:kms/key:Key", "cluster-eks-key")
    encryption = _cluster(run).inputs["encryptionConfig"]
    assert encryption["resources"] == ["secrets"]
    assert encryption["provider"]["keyArn"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True


def test_all_control_plane_logs(run):
    assert _cluster(run).inputs["enabledClusterLogTypes"] == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]


def test_control_plane_log_group_first(prod):
    group = _of(prod, "aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs")
    key = _of(prod, "aws:kms/key:Key", "cluster-eks-key")
    assert group.inputs["name"] == "/aws/eks/topfans-prod-eks/cluster"
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert group.inputs["retentionInDays"] == 365
    assert group.urn in _cluster(prod).dependencies


def test_prod_endpoint_private(prod):
    vpc_config = _cluster(prod).inputs["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is False
    assert vpc_config["endpointPrivateAccess"] is True
    assert "publicAccessCidrs" not in vpc_config


def test_dev_endpoint_limited_to_config_cidrs(dev):
    vpc_config = _cluster(dev).inputs["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is True
    assert vpc_config["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_admin_access_entries(run):
    entries = run.of_type("aws:eks/accessEntry:AccessEntry")
    policies = run.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert [entry.inputs["principalArn"] for entry in entries] == [ADMIN]
    assert [policy.inputs["principalArn"] for policy in policies] == [ADMIN]
    assert _cluster(run).inputs["accessConfig"]["authenticationMode"] == "API"


def test_kubernetes_version_from_config(run):
    assert _cluster(run).inputs["version"] == "1.35"


def test_auto_mode_keeps_only_system_pool(run):
    assert _cluster(run).inputs["computeConfig"]["nodePools"] == ["system"]


@pytest.mark.parametrize(
    ("stack", "cpu", "memory"), [("dev", "16", "64Gi"), ("prod", "64", "256Gi")]
)
def test_workload_node_pool_limits(stack, cpu, memory, request):
    run = request.getfixturevalue(stack)
    pools = kind(run, "NodePool")
    assert len(pools) == 1
    pool = pools[0]
    assert pool.inputs["apiVersion"] == "karpenter.sh/v1"
    assert pool.inputs["spec"]["limits"] == {"cpu": cpu, "memory": memory}
    assert pool.provider_name == "cluster-k8s"


def test_workload_node_pool_uses_own_class(prod):
    pool = kind(prod, "NodePool")[0]
    node_class = kind(prod, "NodeClass")[0]
    template = pool.inputs["spec"]["template"]["spec"]
    requirements = {item["key"]: item for item in template["requirements"]}
    assert template["nodeClassRef"] == {
        "group": "eks.amazonaws.com",
        "kind": "NodeClass",
        "name": "workloads",
    }
    assert node_class.outputs["metadata"]["name"] == "workloads"
    assert node_class.urn in pool.dependencies
    assert requirements["kubernetes.io/arch"]["values"] == ["amd64"]
    assert requirements["karpenter.sh/capacity-type"]["values"] == ["on-demand"]


def test_provider_identity_is_cluster_arn(run):
    provider = run.named("cluster-k8s")
    assert provider.inputs["clusterIdentifier"] == _cluster(run).outputs["arn"]
    assert _cluster(run).outputs["arn"] not in provider.inputs["kubeconfig"]


def test_node_group_requires_imdsv2(node_group_run):
    template = node_group_run.of_type("aws:ec2/launchTemplate:LaunchTemplate")[0]
    metadata = template.inputs["metadataOptions"]
    assert metadata["httpTokens"] == "required"
    assert metadata["httpPutResponseHopLimit"] == 1


def test_node_group_uses_launch_template(node_group_run):
    template = node_group_run.of_type("aws:ec2/launchTemplate:LaunchTemplate")[0]
    group = node_group_run.of_type("aws:eks/nodeGroup:NodeGroup")[0]
    assert group.inputs["launchTemplate"]["id"] == template.id


def test_node_group_has_no_node_pool(node_group_run):
    assert kind(node_group_run, "NodePool") == []
    assert "computeConfig" not in _cluster(node_group_run).inputs
