"""The benchmark's catalog generator and floor: valid catalogs, the same resource types."""

from __future__ import annotations

import collections

import pulumi_aws
import pulumi_kubernetes
import pytest

from bench.catalog import (
    CONNECTION_HEADROOM,
    generate_config,
    max_connections,
    pool_connections,
    topfans_part,
)
from bench.floor import keyword_arguments, provider_class, run_floor
from bench.program_run import plan_of
from offline import aws_moto
from offline.engine import run_program
from stack_config import validate_stack_config

SIZES = (1, 10, 50, 200)


@pytest.mark.parametrize("size", SIZES)
def test_catalog_valid_of_size(size):
    config = generate_config(size)
    stack = validate_stack_config(topfans_part(config), f"bench-{size}")
    names = [service.name for service in stack.services]
    assert len(names) == size
    assert len(set(names)) == size
    assert stack.public_service.name == "gateway"


@pytest.mark.parametrize("size", SIZES)
def test_catalog_ports_distinct(size):
    services = validate_stack_config(topfans_part(generate_config(size)), "bench").services
    http = [service.ports.http for service in services if service.ports.http is not None]
    dubbo = [service.ports.dubbo for service in services if service.ports.dubbo is not None]
    assert len(set(http)) == len(http)
    assert len(set(dubbo)) == len(dubbo)
    assert not set(http) & set(dubbo)


@pytest.mark.parametrize("size", SIZES)
def test_catalog_pools_fit_database(size):
    config = generate_config(size)
    limit = max_connections(config["topfans:database"]["instanceClass"])
    assert pool_connections(config["topfans:services"]) <= CONNECTION_HEADROOM * limit


def test_catalog_keeps_prod_class_when_it_fits():
    assert generate_config(4)["topfans:database"]["instanceClass"] == "db.m7g.large"


def test_catalog_raises_auto_mode_limits():
    small = generate_config(10)["topfans:cluster"]["autoMode"]
    large = generate_config(200)["topfans:cluster"]["autoMode"]
    assert int(large["cpuLimit"]) > int(small["cpuLimit"])
    assert int(large["memoryLimit"].removesuffix("Gi")) > int(
        small["memoryLimit"].removesuffix("Gi")
    )


def test_catalog_rejects_empty_size():
    with pytest.raises(ValueError, match="size 0 is invalid"):
        generate_config(0)


def test_provider_class_from_type_token():
    assert provider_class("aws:ec2/vpc:Vpc") is pulumi_aws.ec2.Vpc
    assert provider_class("kubernetes:apps/v1:Deployment") is pulumi_kubernetes.apps.v1.Deployment
    assert provider_class("kubernetes:networking.k8s.io/v1:Ingress") is (
        pulumi_kubernetes.networking.v1.Ingress
    )
    assert provider_class("pulumi:providers:kubernetes") is pulumi_kubernetes.Provider
    assert provider_class("kubernetes:eks.amazonaws.com/v1:IngressClassParams") is None


def test_keyword_arguments_reject_unknown_input():
    with pytest.raises(ValueError, match="no argument cidr_blocks"):
        keyword_arguments(pulumi_aws.ec2.Vpc, {"cidrBlocks": ["10.0.0.0/16"]})


@pytest.fixture(scope="module")
def bench_run():
    """The offline run of the generated 10-service catalog."""
    return run_program("bench-10", config=generate_config(10))


def test_bench_run_has_every_service(bench_run):
    assert len(bench_run.of_type("kubernetes:apps/v1:Deployment")) == 10


@pytest.mark.parametrize("bare", [False, True], ids=["provider-classes", "bare"])
def test_floor_registers_run_types(bench_run, bare):
    expected = collections.Counter(resource.type for resource in bench_run.resources)
    registered = run_floor(plan_of(bench_run), bare=bare)
    assert registered == dict(expected)


def test_rerun_starts_from_empty_moto(bench_run):
    again = run_program("bench-10", config=generate_config(10))
    cidr = generate_config(10)["topfans:network"]["cidr"]
    ec2 = aws_moto.AwsBackend("us-east-1").client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": [cidr]}])["Vpcs"]
    assert len(again.resources) == len(bench_run.resources)
    assert len(vpcs) == 1
