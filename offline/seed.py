"""Existing AWS infrastructure, created in moto before an offline run of a config that adopts it.

A config that adopts the VM's VPC, an EKS cluster or a hosted zone names them by id,
and the offline run can only look them up if they exist in moto first. A seed file
describes them:

    vpcs:
      - {id: vpc-0a1b2c3d4e5f60718, cidr: 10.0.0.0/16}
    subnets:
      - {id: subnet-0a1b2c3d4e5f60718, vpc: vpc-0a1b2c3d4e5f60718,
         cidr: 10.0.1.0/24, availabilityZone: us-east-1a}
    clusters:
      - {name: topfans-legacy, subnets: [subnet-0a1b2c3d4e5f60718, ...]}
    hostedZones:
      - {name: topfans.example}
      - {name: internal.example, privateVpc: vpc-0a1b2c3d4e5f60718}

moto chooses its own VPC, subnet and hosted zone ids (moto 5.2 offers no way to pick
them for EC2), so after seeding, every config value equal to a seeded id is rewritten
to the id moto chose. The run's `seeded_ids` contains the mapping, and the preview prints
it, so outputs that show moto's ids can be traced back to the config's.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from offline.aws_moto import ACCOUNT_ID, AwsBackend
from offline.errors import RejectedError


class _SeedModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SeedVpc(_SeedModel):
    """An existing VPC: the id the config names and its CIDR block."""

    id: str
    cidr: str


class SeedSubnet(_SeedModel):
    """An existing subnet: its id, VPC, CIDR block, availability zone and tags."""

    id: str
    vpc: str
    cidr: str
    availability_zone: str
    tags: dict[str, str] = {}


class SeedCluster(_SeedModel):
    """An existing EKS cluster: its name, subnets, version and whether Auto Mode runs it."""

    name: str
    subnets: list[str] = Field(min_length=1)
    version: str = "1.33"
    auto_mode: bool = True


class SeedHostedZone(_SeedModel):
    """An existing Route 53 hosted zone: its name, its id if the config names it, and
    for a private zone the seeded VPC it serves."""

    name: str
    id: str | None = None
    private_vpc: str | None = None


class Seed(_SeedModel):
    """Everything a seed file describes."""

    vpcs: list[SeedVpc] = []
    subnets: list[SeedSubnet] = []
    clusters: list[SeedCluster] = []
    hosted_zones: list[SeedHostedZone] = []


def read_seed(path: Path) -> Seed:
    """Read and validate a seed file; raise RejectedError with one line if it is invalid."""
    if not path.exists():
        raise RejectedError(f"no seed file {path}; create it or leave out --seed")
    try:
        return Seed.model_validate(yaml.safe_load(path.read_text()) or {})
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise RejectedError(f"seed file {path.name}: {where}: {problem['msg']}") from None


def create_seeded(backend: AwsBackend, seed: Seed) -> dict[str, str]:
    """Create the seed's VPCs, subnets, clusters and zones in moto.

    `backend` is the run's AWS backend, already active. Returns the mapping from each
    id the seed declares to the id moto chose; raises RejectedError with one line when
    moto rejects an object.
    """
    try:
        return _create_all(backend, seed)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise RejectedError(
            f"seed: AWS rejected it: {details.get('Code')}: {details.get('Message')}"
        ) from None


def _create_all(backend: AwsBackend, seed: Seed) -> dict[str, str]:
    ec2 = backend.client("ec2")
    ids: dict[str, str] = {}
    for vpc in seed.vpcs:
        ids[vpc.id] = ec2.create_vpc(CidrBlock=vpc.cidr)["Vpc"]["VpcId"]
    for subnet in seed.subnets:
        if subnet.vpc not in ids:
            raise RejectedError(f"seed subnet {subnet.id}: its vpc {subnet.vpc} is not seeded")
        tags = [{"Key": key, "Value": value} for key, value in subnet.tags.items()]
        created = ec2.create_subnet(
            VpcId=ids[subnet.vpc],
            CidrBlock=subnet.cidr,
            AvailabilityZone=subnet.availability_zone,
            TagSpecifications=[{"ResourceType": "subnet", "Tags": tags}] if tags else [],
        )["Subnet"]
        ids[subnet.id] = created["SubnetId"]
    for cluster in seed.clusters:
        _create_cluster(backend, cluster, [ids.get(subnet, subnet) for subnet in cluster.subnets])
    for zone in seed.hosted_zones:
        private: dict[str, Any] = {}
        if zone.private_vpc is not None:
            vpc = {
                "VPCRegion": backend.region,
                "VPCId": ids.get(zone.private_vpc, zone.private_vpc),
            }
            private = {"VPC": vpc}
        created = backend.client("route53").create_hosted_zone(
            Name=zone.name,
            CallerReference=secrets.token_hex(8),
            HostedZoneConfig={"PrivateZone": zone.private_vpc is not None},
            **private,
        )["HostedZone"]
        if zone.id is not None:
            ids[zone.id] = created["Id"].removeprefix("/hostedzone/")
    return ids


def _create_cluster(backend: AwsBackend, cluster: SeedCluster, subnet_ids: list[str]) -> None:
    """Create an EKS cluster and the security group EKS would create with it."""
    # moto does not check that the role exists; creating it would make moto load
    # every AWS managed policy (MOTO_IAM_LOAD_MANAGED_POLICIES), which takes seconds.
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{cluster.name}-cluster"
    backend.client("eks").create_cluster(
        name=cluster.name,
        version=cluster.version,
        roleArn=role_arn,
        resourcesVpcConfig={"subnetIds": subnet_ids},
        kubernetesNetworkConfig={"elasticLoadBalancing": {"enabled": cluster.auto_mode}},
    )
    ec2 = backend.client("ec2")
    vpc_id = ec2.describe_subnets(SubnetIds=subnet_ids[:1])["Subnets"][0]["VpcId"]
    # EKS names the cluster's primary security group eks-cluster-sg-<name>-<digits>;
    # the getCluster handler finds it by that name, as moto does not model it.
    ec2.create_security_group(
        GroupName=f"eks-cluster-sg-{cluster.name}-{secrets.randbelow(10**10):010d}",
        Description="EKS created security group applied to ENI that is attached to EKS "
        "Control Plane master nodes, as well as any managed workloads.",
        VpcId=vpc_id,
    )


def rewrite_ids(value: Any, ids: dict[str, str]) -> Any:
    """Return a copy of a config value with every string that is a seeded id replaced."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {key: rewrite_ids(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [rewrite_ids(item, ids) for item in value]
    return value
