"""The VM's existing infrastructure as an offline seed, and configs that adopt it.

The seed declares AWS-shaped ids; `run_program` rewrites them to the ids moto gives
the seeded objects and returns the mapping in `RunResult.seeded_ids`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from offline.engine import RunResult, run_program
from offline.seed import Seed
from tests.conftest import stack_config

PROGRAMS = Path(__file__).parent / "programs"

VPC = "vpc-0a1b2c3d4e5f60718"
PRIVATE = ["subnet-0a00000000000a001", "subnet-0a00000000000a002"]
PUBLIC = ["subnet-0b00000000000b001", "subnet-0b00000000000b002"]
# A second private subnet in the first zone, for the one-zone case, and a public
# subnet without the tag the EKS load balancing reads.
PRIVATE_SAME_ZONE = "subnet-0a00000000000a003"
PUBLIC_UNTAGGED = "subnet-0b00000000000b003"
OTHER_VPC = "vpc-0f0f0f0f0f0f0f0f0"
OTHER_SUBNET = "subnet-0f00000000000f001"
CLUSTER = "topfans-legacy"
OTHER_CLUSTER = "other-team"
PLAIN_CLUSTER = "no-auto-mode"
ZONE = "topfans.example"
PUBLIC_ZONE_ID = "Z0PUBLIC00000000000000"
PRIVATE_ZONE_ID = "Z0PRIVATE0000000000000"
RECORD = "api.dev.topfans.example"
VM_ADDRESS = "203.0.113.10"

SEED = {
    "vpcs": [{"id": VPC, "cidr": "10.0.0.0/16"}, {"id": OTHER_VPC, "cidr": "10.9.0.0/16"}],
    "subnets": [
        {"id": PRIVATE[0], "vpc": VPC, "cidr": "10.0.1.0/24", "availabilityZone": "us-east-1a"},
        {"id": PRIVATE[1], "vpc": VPC, "cidr": "10.0.2.0/24", "availabilityZone": "us-east-1b"},
        {
            "id": PRIVATE_SAME_ZONE,
            "vpc": VPC,
            "cidr": "10.0.3.0/24",
            "availabilityZone": "us-east-1a",
        },
        {
            "id": PUBLIC[0],
            "vpc": VPC,
            "cidr": "10.0.101.0/24",
            "availabilityZone": "us-east-1a",
            "tags": {"kubernetes.io/role/elb": "1"},
        },
        {
            "id": PUBLIC[1],
            "vpc": VPC,
            "cidr": "10.0.102.0/24",
            "availabilityZone": "us-east-1b",
            "tags": {"kubernetes.io/role/elb": "1"},
        },
        {
            "id": PUBLIC_UNTAGGED,
            "vpc": VPC,
            "cidr": "10.0.103.0/24",
            "availabilityZone": "us-east-1b",
        },
        {
            "id": OTHER_SUBNET,
            "vpc": OTHER_VPC,
            "cidr": "10.9.1.0/24",
            "availabilityZone": "us-east-1c",
        },
    ],
    "clusters": [
        {"name": CLUSTER, "subnets": PRIVATE},
        {"name": OTHER_CLUSTER, "subnets": [OTHER_SUBNET]},
        {"name": PLAIN_CLUSTER, "subnets": PRIVATE, "autoMode": False},
    ],
    "hostedZones": [
        {"name": ZONE, "id": PUBLIC_ZONE_ID},
        {"name": ZONE, "id": PRIVATE_ZONE_ID, "privateVpc": VPC},
    ],
}

_RUNS: dict[str, RunResult] = {}


def seed() -> Seed:
    """Return the seed of the VM's VPC, its subnets, clusters and hosted zones."""
    return Seed.model_validate(copy.deepcopy(SEED))


def adopting_config(cluster: bool = False, cutover: dict[str, Any] | None = None) -> dict:
    """Return the dev config adopting the VM's VPC, and its cluster if `cluster` is set."""
    config = stack_config("dev")
    config["topfans:network"] = {
        "existing": {"vpcId": VPC, "privateSubnetIds": PRIVATE, "publicSubnetIds": PUBLIC}
    }
    # The NAT gateways are the VM's, so the single-NAT relaxation is not the stack's.
    config["topfans:relaxations"].remove("single-nat-gateway")
    if cluster:
        config["topfans:cluster"] = {"existingClusterName": CLUSTER}
        # The adopted cluster's endpoint is not the stack's to relax.
        config["topfans:relaxations"].remove("public-cluster-endpoint")
    if cutover is not None:
        config["topfans:cutover"] = cutover
    return config


def cutover_config(**changes: Any) -> dict[str, Any]:
    """Return a cutover section for the dev gateway host at 10% EKS, with `changes`."""
    section = {"zoneName": ZONE, "recordName": RECORD, "vmTarget": VM_ADDRESS, "eksPercent": 10}
    section.update(changes)
    return section


def vpc_adoption_run() -> RunResult:
    """Return the run of the stack that adopts the VM's VPC and sends 10% to EKS."""
    if "vpc" not in _RUNS:
        config = adopting_config(cutover=cutover_config())
        _RUNS["vpc"] = run_program("dev", config=config, seed=seed())
    return _RUNS["vpc"]


def two_namespace_run() -> RunResult:
    """Return the run of programs/two_namespaces.py over the config adopting VPC and cluster.

    That program is the stack of __main__.py plus a second Workloads instance. The
    adoption tests and the Phase 2 tests share this run, since each run costs seconds.
    """
    if "two-namespaces" not in _RUNS:
        _RUNS["two-namespaces"] = run_program(
            "dev",
            config=adopting_config(cluster=True),
            program=PROGRAMS / "two_namespaces.py",
            seed=seed(),
        )
    return _RUNS["two-namespaces"]


def run_cases(program: str, cases: dict[str, Any]) -> RunResult:
    """Run one of the case programs in programs/ over a table of cases, with the seed."""
    config = {"aws:region": "us-east-1", "cases:table": cases}
    return run_program("dev", config=config, program=PROGRAMS / program, seed=seed())


def with_moto_ids(text: str, run: RunResult) -> str:
    """Replace each "{declared id}" in `text` with the id moto gave that seeded object."""
    for declared, created in run.seeded_ids.items():
        text = text.replace(f"{{{declared}}}", created)
    return text
