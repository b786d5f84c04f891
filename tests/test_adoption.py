"""Adopting the VM's VPC and an existing EKS cluster.

Nothing of the network or cluster is created, everything else lands in the named
subnets, and bad ids fail with one line.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from offline import preview
from offline.engine import PROJECT_DIR, RunResult
from offline.seed import Seed
from stack_config import ConfigError, validate_stack_config
from stack_config.model import ExistingNetwork
from tests import existing_infra as infra
from tests.conftest import topfans_config
from tests.helpers import kubernetes_resources

NETWORK_TYPES = [
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/flowLog:FlowLog",
]
README = PROJECT_DIR / "README.md"


@pytest.fixture(scope="module")
def adopted() -> RunResult:
    """The run adopting the VM's VPC, with a new cluster."""
    return infra.vpc_adoption_run()


@pytest.fixture(scope="module")
def adopted_cluster() -> RunResult:
    """The run adopting the VM's VPC and its existing cluster (with a second namespace)."""
    return infra.two_namespace_run()


def _moto_ids(run: RunResult, declared: list[str]) -> list[str]:
    return [run.seeded_ids[item] for item in declared]


@pytest.mark.parametrize("type_", NETWORK_TYPES)
def test_adopted_vpc_creates_no_network(adopted, type_):
    assert adopted.of_type(type_) == []


def test_database_in_named_subnets(adopted):
    group = adopted.of_type("aws:rds/subnetGroup:SubnetGroup")[0]
    assert group.inputs["subnetIds"] == _moto_ids(adopted, infra.PRIVATE)


def test_cache_in_named_subnets(adopted):
    group = adopted.of_type("aws:elasticache/subnetGroup:SubnetGroup")[0]
    assert group.inputs["subnetIds"] == _moto_ids(adopted, infra.PRIVATE)


def test_new_cluster_in_named_subnets(adopted):
    cluster = adopted.of_type("aws:eks/cluster:Cluster")[0]
    assert cluster.inputs["vpcConfig"]["subnetIds"] == _moto_ids(adopted, infra.PRIVATE)


def test_security_groups_in_adopted_vpc(adopted):
    groups = adopted.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert groups
    for group in groups:
        assert group.inputs["vpcId"] == adopted.seeded_ids[infra.VPC], group.name


def test_adopted_vpc_exported(adopted):
    assert adopted.outputs["vpcId"] == adopted.seeded_ids[infra.VPC]


def test_adoption_logged(adopted):
    messages = [message for level, message in adopted.logs if level == "info"]
    adopting = [message for message in messages if message.startswith("network: adopting")]
    assert len(adopting) == 1
    assert "us-east-1a, us-east-1b" in adopting[0]


@pytest.mark.parametrize("type_", NETWORK_TYPES)
def test_adopted_cluster_creates_no_network(adopted_cluster, type_):
    assert adopted_cluster.of_type(type_) == []


def test_adopted_cluster_creates_no_eks(adopted_cluster):
    eks = [r.name for r in adopted_cluster.resources if r.type.startswith("aws:eks/")]
    assert eks == []


def test_adopted_cluster_only_provider(adopted_cluster):
    children = [r.name for r in adopted_cluster.resources if r.parent_name == "cluster"]
    assert children == ["cluster-k8s"]


def test_provider_built_from_adopted_cluster(adopted_cluster):
    provider = adopted_cluster.named("cluster-k8s")
    kubeconfig = json.loads(provider.inputs["kubeconfig"])
    assert kubeconfig["clusters"][0]["name"] == infra.CLUSTER
    assert (
        kubeconfig["clusters"][0]["cluster"]["server"]
        == (adopted_cluster.outputs["clusterEndpoint"])
    )
    assert kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"]
    assert provider.inputs["clusterIdentifier"] == (
        f"arn:aws:eks:us-east-1:123456789012:cluster/{infra.CLUSTER}"
    )


def test_adopted_cluster_provider_used(adopted_cluster):
    resources = kubernetes_resources(adopted_cluster)
    assert resources
    for resource in resources:
        assert resource.provider_name == "cluster-k8s", resource.name


def test_data_stores_admit_cluster_group(adopted_cluster):
    rules = [adopted_cluster.named(name) for name in ("database-from-pods", "cache-from-pods")]
    referenced = {rule.inputs["referencedSecurityGroupId"] for rule in rules}
    own = {group.id for group in adopted_cluster.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert len(referenced) == 1
    assert referenced.pop().startswith("sg-")
    assert not {rule.inputs["referencedSecurityGroupId"] for rule in rules} & own


def _network(**changes: Any) -> dict[str, Any]:
    network = {"vpcId": infra.VPC, "privateSubnetIds": infra.PRIVATE}
    network["publicSubnetIds"] = infra.PUBLIC
    network.update(changes)
    return network


# Adoptions by lookup: case name -> (network.existing, cluster name, outcome fragments).
# Fragments may name a declared id in braces, which stands for the id moto gave it.
LOOKUP_CASES = {
    "vpc-missing": (
        _network(vpcId="vpc-0123456789abcdef0"),
        None,
        [
            "topfans:network.existing.vpcId = 'vpc-0123456789abcdef0'",
            "no VPC with this id exists in us-east-1",
            "set it to the VM's VPC",
        ],
    ),
    "subnet-missing": (
        _network(privateSubnetIds=[infra.PRIVATE[0], "subnet-0123456789abcdef0"]),
        None,
        [
            "topfans:network.existing.privateSubnetIds",
            "subnet-0123456789abcdef0 does not exist in us-east-1",
            "aws ec2 describe-subnets",
        ],
    ),
    "subnet-in-other-vpc": (
        _network(privateSubnetIds=[infra.PRIVATE[0], infra.OTHER_SUBNET]),
        None,
        [
            "topfans:network.existing.privateSubnetIds",
            "{subnet-0f00000000000f001} is in {vpc-0f0f0f0f0f0f0f0f0}",
            "list only subnets of {vpc-0a1b2c3d4e5f60718}",
        ],
    ),
    "private-one-zone": (
        _network(privateSubnetIds=[infra.PRIVATE[0], infra.PRIVATE_SAME_ZONE]),
        None,
        [
            "topfans:network.existing.privateSubnetIds",
            "span 1 availability zone (us-east-1a)",
            "add a subnet in another zone",
        ],
    ),
    "public-one-zone": (
        _network(publicSubnetIds=[infra.PUBLIC[0], infra.PRIVATE_SAME_ZONE]),
        None,
        ["topfans:network.existing.publicSubnetIds", "the internet-facing ALB need at least 2"],
    ),
    "cluster-missing": (
        _network(),
        "missing-cluster",
        [
            "topfans:cluster.existingClusterName = 'missing-cluster'",
            "no EKS cluster of this name exists",
            "aws eks list-clusters",
        ],
    ),
    "cluster-in-other-vpc": (
        _network(),
        infra.OTHER_CLUSTER,
        [
            "topfans:cluster.existingClusterName = 'other-team'",
            "runs in {vpc-0f0f0f0f0f0f0f0f0}",
            "network.existing.vpcId is {vpc-0a1b2c3d4e5f60718}",
        ],
    ),
    "cluster-without-auto-mode": (
        _network(),
        infra.PLAIN_CLUSTER,
        ["topfans:cluster.existingClusterName = 'no-auto-mode'", "load balancing is off"],
    ),
    "untagged-public-subnet": (
        _network(publicSubnetIds=[infra.PUBLIC[0], infra.PUBLIC_UNTAGGED]),
        infra.CLUSTER,
        ["adopted"],
    ),
}


@pytest.fixture(scope="module")
def lookups() -> RunResult:
    """The run of programs/adoption_cases.py over LOOKUP_CASES."""
    cases = {
        name: {"network": network, "cluster": cluster}
        for name, (network, cluster, _) in LOOKUP_CASES.items()
    }
    return infra.run_cases("adoption_cases.py", cases)


@pytest.mark.parametrize("case", LOOKUP_CASES)
def test_lookup_outcome(lookups, case):
    outcome = lookups.outputs["outcomes"][case]
    assert "\n" not in outcome
    for fragment in LOOKUP_CASES[case][2]:
        assert infra.with_moto_ids(fragment, lookups) in outcome


def test_failed_lookups_register_nothing(lookups):
    names = {resource.name for resource in lookups.resources}
    for case, (_, cluster, fragments) in LOOKUP_CASES.items():
        if fragments == ["adopted"]:
            continue
        failed = f"{case}-cluster" if cluster is not None else f"{case}-network"
        assert failed not in names, case
        assert f"{failed}-k8s" not in names, case


def test_untagged_public_subnet_warned(lookups):
    warnings = [message for level, message in lookups.logs if level == "warning"]
    assert len(warnings) == 1
    assert lookups.seeded_ids[infra.PUBLIC_UNTAGGED] in warnings[0]
    assert "kubernetes.io/role/elb=1" in warnings[0]


# Configs the model rejects before any lookup: (network, cluster, message fragments).
BAD_ADOPTION_CONFIGS = [
    (
        {"existing": _network(vpcId="vpc-xyz")},
        None,
        ["topfans:network.existing.vpcId = 'vpc-xyz'", "not a VPC id", "aws ec2 describe-vpcs"],
    ),
    (
        {"existing": _network(publicSubnetIds=[infra.PUBLIC[0], "subnet-12"])},
        None,
        ["topfans:network.existing.publicSubnetIds", "'subnet-12' is not a subnet id"],
    ),
    (
        {"existing": _network(privateSubnetIds=[infra.PRIVATE[0]])},
        None,
        ["topfans:network.existing.privateSubnetIds", "at least 2 items"],
    ),
    (
        {"existing": _network(publicSubnetIds=infra.PRIVATE)},
        None,
        ["listed as both private and public"],
    ),
    (
        {"existing": _network(), "cidr": "10.20.0.0/16", "natGateways": "single"},
        None,
        ["topfans:network", "cidr, natGateways would not be applied", "remove them"],
    ),
    (
        None,
        {"existingClusterName": infra.CLUSTER},
        ["cluster.existingClusterName adopts a cluster", "set network.existing"],
    ),
    (
        {"existing": _network()},
        {"existingClusterName": infra.CLUSTER, "kubernetesVersion": "1.35"},
        ["topfans:cluster", "kubernetesVersion would not be applied"],
    ),
    (
        {"existing": _network()},
        {"existingClusterName": "-legacy"},
        ["topfans:cluster.existingClusterName = '-legacy'", "not an EKS cluster name"],
    ),
]


@pytest.mark.parametrize(
    ("network", "cluster", "fragments"),
    BAD_ADOPTION_CONFIGS,
    ids=[
        "vpc-id-malformed",
        "subnet-id-malformed",
        "one-private-subnet",
        "subnet-listed-twice",
        "network-settings-ignored",
        "cluster-without-vpc",
        "cluster-settings-ignored",
        "cluster-name-malformed",
    ],
)
def test_bad_adoption_config_message(network, cluster, fragments):
    config = topfans_config("dev")
    if network is not None:
        config["network"] = network
        config["relaxations"].remove("single-nat-gateway")
    if cluster is not None:
        config["cluster"] = cluster
        config["relaxations"].remove("public-cluster-endpoint")
    with pytest.raises(ConfigError) as raised:
        validate_stack_config(config, "dev")
    assert "\n" not in str(raised.value)
    for fragment in fragments:
        assert fragment in str(raised.value)


def _preview_with_seed(tmp_path, seed_text: str | None) -> int:
    document = {"config": infra.adopting_config()}
    (tmp_path / "Pulumi.adopt.yaml").write_text(yaml.safe_dump(document))
    seed_file = tmp_path / "seed.yaml"
    if seed_text is not None:
        seed_file.write_text(seed_text)
    return preview.main(
        [
            "--stack",
            "adopt",
            "--config-dir",
            str(tmp_path),
            "--build-dir",
            str(tmp_path / "build"),
            "--seed",
            str(seed_file),
        ]
    )


def test_preview_seed_missing_one_line(tmp_path, capsys):
    code = _preview_with_seed(tmp_path, None)
    error = capsys.readouterr().err.strip()
    assert code == 1
    assert len(error.splitlines()) == 1
    assert "no seed file" in error


def test_preview_seed_invalid_one_line(tmp_path, capsys):
    code = _preview_with_seed(tmp_path, "vpcs:\n  - {id: vpc-0a1b2c3d4e5f60718}\n")
    error = capsys.readouterr().err.strip()
    assert code == 1
    assert len(error.splitlines()) == 1
    assert "seed file seed.yaml: vpcs.0.cidr: Field required" in error


def _readme_block(heading: str, language: str) -> str:
    """Return the first fenced block of `language` in the README section `heading`."""
    section = README.read_text().split(f"### {heading}\n", 1)[1].split("\n## ", 1)[0]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_readme_adoption_example_valid():
    document = yaml.safe_load(_readme_block("Adopting existing infrastructure", "yaml"))
    network = ExistingNetwork.model_validate(document["topfans:network"]["existing"])
    assert network.vpc_id == "vpc-0a1b2c3d4e5f60718"


def test_readme_seed_example_valid():
    seed = Seed.model_validate(
        yaml.safe_load(_readme_block("Offline preview of an adopting config", "yaml"))
    )
    assert [vpc.id for vpc in seed.vpcs] == ["vpc-0a1b2c3d4e5f60718"]
    assert seed.clusters[0].name == "topfans-legacy"


@pytest.mark.parametrize("document", ["docs/migration.md", "docs/architecture.md"])
def test_readme_links_document(document):
    assert f"]({document})" in README.read_text()
    assert (PROJECT_DIR / document).is_file()
