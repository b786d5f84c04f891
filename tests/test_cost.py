"""The monthly cost estimate, its arithmetic and its price table.

The arithmetic tests price the stacks with TEST_PRICES, round made-up figures, so
they check how offline/cost.py counts and multiplies whatever the real table contains.
The tests on the real table check that every figure names its source and date.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from offline import cost
from rules import ResourceView
from stack_config.catalog import EKS_KUBERNETES_VERSIONS
from tests.conftest import stack_run

REAL_PRICES = cost.load_prices()
HOURS = Decimal(730)
TODAY = date(2026, 12, 4)

TEST_PRICES = {
    "hoursPerMonth": 730,
    "regions": {
        "us-east-1": {
            "eksClusterHour": {"usd": 0.1},
            "eksExtendedSupportClusterHour": {"usd": 0.6},
            "eksAutoModeInstanceHour": {"m7g.large": {"usd": 0.01}, "m7i.large": {"usd": 0.02}},
            "ec2InstanceHour": {"m7g.large": {"usd": 0.1}, "m7i.large": {"usd": 0.2}},
            "rdsMysqlInstanceHour": {"db.t4g.small": {"usd": 0.03}, "db.m7g.large": {"usd": 0.2}},
            "rdsGp3StorageGbMonth": {"usd": 0.1},
            "elasticacheNodeHour": {
                "cache.t4g.micro": {"usd": 0.02},
                "cache.m7g.large": {"usd": 0.2},
            },
            "natGatewayHour": {"usd": 0.05},
            "albHour": {"usd": 0.02},
            "albLcuHour": {"usd": 0.01},
        }
    },
}


def _line(estimate: cost.CostEstimate, component: str) -> cost.CostLine:
    (line,) = [line for line in estimate.lines if line.component == component]
    return line


def _estimate(resources: list[ResourceView], table: dict = TEST_PRICES) -> cost.CostEstimate:
    return cost.estimate(resources, "us-east-1", table, on=TODAY)


def _auto_mode_cluster() -> ResourceView:
    return ResourceView(
        cost.EKS_CLUSTER, "cluster-eks", {"version": "1.35", "computeConfig": {"enabled": True}}
    )


def _node_pool(architectures: list[str]) -> ResourceView:
    requirement = {"key": cost.ARCH_KEY, "operator": "In", "values": architectures}
    spec = {"template": {"spec": {"requirements": [requirement]}}}
    return ResourceView(cost.NODE_POOL, "cluster-workload-node-pool", {"spec": spec})


def _deployment(name: str, replicas: int, cpu: str, memory: str) -> ResourceView:
    container = {"name": name, "resources": {"requests": {"cpu": cpu, "memory": memory}}}
    spec = {
        "replicas": replicas,
        "strategy": {"type": "Recreate"},
        "template": {"spec": {"containers": [container]}},
    }
    return ResourceView(
        "kubernetes:apps/v1:Deployment", name, {"metadata": {"name": name}, "spec": spec}
    )


def _ingress(name: str, group: str | None = None) -> ResourceView:
    annotations = {cost.ALB_GROUP_ANNOTATION: group} if group else {}
    return ResourceView(cost.INGRESS, name, {"metadata": {"annotations": annotations}})


@pytest.fixture(scope="module")
def prod_cost() -> cost.CostEstimate:
    return _estimate(stack_run("prod").views())


@pytest.fixture(scope="module")
def dev_cost() -> cost.CostEstimate:
    return _estimate(stack_run("dev").views())


# The real price table.


def test_price_figures_have_source_and_date():
    for name, source, when in cost.price_sources(REAL_PRICES, "us-east-1"):
        assert source.startswith("https://"), name
        assert when != "?", name


def test_price_figures_are_positive():
    region = REAL_PRICES["regions"]["us-east-1"]
    for key, entry in region.items():
        items = {key: entry} if "usd" in entry else entry
        for name, item in items.items():
            assert Decimal(str(item["usd"])) > 0, name


def test_real_prices_leave_unknown_lines():
    estimate = cost.estimate(stack_run("prod").views(), "us-east-1", REAL_PRICES, on=TODAY)
    assert {line.component for line in estimate.unknown} == {
        "Nodes (EKS Auto Mode, EC2)",
        "EKS Auto Mode management fee",
        "RDS MySQL instance",
        "ElastiCache Redis",
    }


# EKS control plane and its support calendar.


def test_calendar_covers_catalog_versions():
    for version in EKS_KUBERNETES_VERSIONS:
        assert version in cost.EKS_STANDARD_SUPPORT_ENDS, version


@pytest.mark.parametrize(
    ("version", "on", "tier"),
    [
        ("1.34", date(2026, 12, 1), "standard"),
        # Extended-support billing starts at the beginning of the end-of-standard day.
        ("1.34", date(2026, 12, 2), "extended"),
        ("1.34", TODAY, "extended"),
        ("1.33", TODAY, "extended"),
        ("1.32", TODAY, "extended"),
        ("1.35", TODAY, "standard"),
        ("1.35", date(2027, 3, 27), "extended"),
        ("1.36", TODAY, None),
    ],
)
def test_support_tier_by_date(version, on, tier):
    assert cost.support_tier(version, on) == tier


def test_control_plane_standard_support(prod_cost):
    line = _line(prod_cost, "EKS control plane")
    assert line.minimum == Decimal("0.1") * HOURS
    assert line.detail == "Kubernetes 1.35, standard support on 2026-12-04"


def test_control_plane_extended_support():
    cluster = ResourceView(cost.EKS_CLUSTER, "cluster-eks", {"version": "1.34"})
    line = _line(_estimate([cluster]), "EKS control plane")
    assert line.minimum == Decimal("0.6") * HOURS
    assert "extended support" in line.detail


def test_control_plane_unknown_version():
    cluster = ResourceView(cost.EKS_CLUSTER, "cluster-eks", {"version": "1.36"})
    line = _line(_estimate([cluster]), "EKS control plane")
    assert line.minimum is None
    assert "no EKS support dates for Kubernetes 1.36" in line.note


# EKS Auto Mode nodes and their fee.


def test_auto_mode_reference_follows_arch(prod_cost):
    line = _line(prod_cost, "Nodes (EKS Auto Mode, EC2)")
    # The prod NodePool allows amd64 only, so nodes are priced as m7i.large.
    assert line.detail.startswith("3-14 x m7i.large (amd64)")


def test_auto_mode_prod_nodes_priced(prod_cost):
    line = _line(prod_cost, "Nodes (EKS Auto Mode, EC2)")
    # 41 pods request 0.5 CPU at the maximum and 3 fit a node (1.93 CPU allocatable).
    assert line.minimum == 3 * Decimal("0.2") * HOURS
    assert line.maximum == 14 * Decimal("0.2") * HOURS
    assert "(3-11 by summed requests)" in line.note


def test_auto_mode_fee_per_node(prod_cost):
    line = _line(prod_cost, "EKS Auto Mode management fee")
    assert line.minimum == 3 * Decimal("0.02") * HOURS
    assert line.maximum == 14 * Decimal("0.02") * HOURS


def test_auto_mode_arm64_uses_graviton():
    resources = [_auto_mode_cluster(), _node_pool(["arm64", "amd64"])]
    line = _line(_estimate(resources), "Nodes (EKS Auto Mode, EC2)")
    assert line.detail.startswith("1-1 x m7g.large (arm64)")
    assert line.minimum == Decimal("0.1") * HOURS


# Pods packed whole onto m7g.large nodes (1.93 CPU, 6.74Gi and 29 pods allocatable):
# replicas, CPU and memory requests, nodes packed, nodes by summed requests.
PACKING_CASES = [
    # Only 3 pods of 0.5 CPU fit a node, though their 5 CPU fill 3 nodes.
    (10, "500m", "256Mi", 4, 3),
    # Only 2 pods of 2.5Gi fit a node, though their 12.5Gi fill 2 nodes.
    (5, "100m", "2560Mi", 3, 2),
    # At most 29 pods fit a node (the VPC CNI limit), however small they are.
    (30, "10m", "10Mi", 2, 1),
]


@pytest.mark.parametrize(("replicas", "cpu", "memory", "packed", "summed"), PACKING_CASES)
def test_auto_mode_packs_whole_pods(replicas, cpu, memory, packed, summed):
    resources = [_auto_mode_cluster(), _node_pool(["arm64"])]
    resources.append(_deployment("api", replicas, cpu, memory))
    line = _line(_estimate(resources), "Nodes (EKS Auto Mode, EC2)")
    assert line.detail.startswith(f"{packed}-{packed} x m7g.large")
    assert f"({summed}-{summed} by summed requests)" in line.note


def test_auto_mode_oversized_pod_unknown():
    resources = [_auto_mode_cluster(), _node_pool(["arm64"])]
    resources.append(_deployment("big", 1, "4", "1Gi"))
    estimate = _estimate(resources)
    line = _line(estimate, "Nodes (EKS Auto Mode, EC2)")
    assert line.minimum is None
    assert line.detail == "a pod requests more than one m7g.large has allocatable"
    assert _line(estimate, "EKS Auto Mode management fee") in estimate.unknown


def test_auto_mode_missing_fee_unknown():
    table = copy.deepcopy(TEST_PRICES)
    del table["regions"]["us-east-1"]["eksAutoModeInstanceHour"]
    line = _line(_estimate([_auto_mode_cluster()], table), "EKS Auto Mode management fee")
    assert line.minimum is None
    assert line.note == "no Auto Mode fee for m7i.large in the price table"


def test_node_group_priced_per_node():
    group = ResourceView(
        cost.NODE_GROUP,
        "cluster-nodes",
        {"instanceTypes": ["m7g.large"], "scalingConfig": {"minSize": 2.0, "maxSize": 4.0}},
    )
    line = _line(_estimate([group]), "Nodes (managed node group)")
    assert line.minimum == 2 * Decimal("0.1") * HOURS
    assert line.maximum == 4 * Decimal("0.1") * HOURS


# RDS.


def test_multi_az_doubles_instance(prod_cost):
    line = _line(prod_cost, "RDS MySQL instance")
    assert line.detail == "2 x db.m7g.large (Multi-AZ, primary and standby)"
    assert line.minimum == 2 * Decimal("0.2") * HOURS


def test_single_az_one_instance(dev_cost):
    line = _line(dev_cost, "RDS MySQL instance")
    assert line.detail == "1 x db.t4g.small (Single-AZ)"
    assert line.minimum == Decimal("0.03") * HOURS


def test_multi_az_doubles_storage(prod_cost):
    line = _line(prod_cost, "RDS MySQL storage")
    assert line.detail == "2 x 100 GB gp3 allocated"
    assert line.minimum == 200 * Decimal("0.1")


# RDS inputs the price table cannot price, with the note each line must carry.
UNPRICED_DATABASES = [
    (
        {"engine": "mysql", "instanceClass": "db.t4g.small", "storageType": "io2"},
        "RDS MySQL storage",
        "the price table has gp3 storage prices only, not io2",
    ),
    (
        {"engine": "postgres", "instanceClass": "db.t4g.small", "storageType": "gp3"},
        "RDS MySQL instance",
        "the price table has rdsMysqlInstanceHour prices for mysql only, not postgres",
    ),
    (
        {"engine": "mysql", "instanceClass": "db.r7g.large", "storageType": "gp3"},
        "RDS MySQL instance",
        "no price for db.r7g.large",
    ),
]


@pytest.mark.parametrize(("inputs", "component", "note"), UNPRICED_DATABASES)
def test_unpriced_database_unknown(inputs, component, note):
    estimate = _estimate([ResourceView(cost.RDS_INSTANCE, "database", inputs)])
    line = _line(estimate, component)
    assert line.minimum is None
    assert line.note == note
    assert line in estimate.unknown


# ElastiCache, NAT gateways and the ALB.


def test_cache_priced_per_node(prod_cost):
    line = _line(prod_cost, "ElastiCache Redis")
    assert line.detail == "2 nodes x cache.m7g.large"
    assert line.minimum == 2 * Decimal("0.2") * HOURS


def test_cache_cluster_mode_counts_shards():
    group = ResourceView(
        cost.REPLICATION_GROUP,
        "cache-redis",
        {
            "engine": "redis",
            "nodeType": "cache.m7g.large",
            "numNodeGroups": 3.0,
            "replicasPerNodeGroup": 1.0,
        },
    )
    line = _line(_estimate([group]), "ElastiCache Redis")
    assert line.detail == "6 nodes x cache.m7g.large"
    assert line.minimum == 6 * Decimal("0.2") * HOURS


def test_nat_gateways_per_zone(prod_cost):
    line = _line(prod_cost, "NAT gateways")
    assert line.detail == "3 gateways"
    assert line.minimum == 3 * Decimal("0.05") * HOURS


def test_single_nat_gateway_detail(dev_cost):
    assert _line(dev_cost, "NAT gateways").detail == "1 gateway"


def test_alb_hours_plus_lcu(prod_cost):
    line = _line(prod_cost, "Application Load Balancer")
    assert line.detail == "1 ALB: hours + 1 LCU each"
    assert line.minimum == (Decimal("0.02") + Decimal("0.01")) * HOURS


@pytest.mark.parametrize(
    ("ingresses", "albs"),
    [
        ([_ingress("a"), _ingress("b")], 2),
        ([_ingress("a", "shared"), _ingress("b", "shared")], 1),
        ([_ingress("a", "shared"), _ingress("b", "shared"), _ingress("c")], 2),
    ],
)
def test_alb_per_ingress_group(ingresses, albs):
    line = _line(_estimate(ingresses), "Application Load Balancer")
    assert line.minimum == albs * (Decimal("0.02") + Decimal("0.01")) * HOURS


# Totals and assumptions.


def test_total_counts_known_lines():
    estimate = cost.estimate(stack_run("prod").views(), "us-east-1", REAL_PRICES, on=TODAY)
    known = [line.minimum for line in estimate.lines if line.minimum is not None]
    assert estimate.minimum == sum(known)
    assert estimate.unknown


def test_total_with_every_price(prod_cost):
    assert prod_cost.unknown == []
    assert prod_cost.minimum == sum(line.minimum for line in prod_cost.lines)


def test_unknown_region_all_unknown(prod):
    estimate = cost.estimate(prod.views(), "eu-north-1", REAL_PRICES, on=TODAY)
    assert estimate.lines
    assert all(line.minimum is None for line in estimate.lines)
    assert all("no prices for region eu-north-1" in line.note for line in estimate.lines)


@pytest.mark.parametrize(
    "phrase",
    ["730 hours", "on 2026-12-04 (UTC)", "Multi-AZ bills", "LCU", "m7i.large", "Not estimated"],
)
def test_assumptions_stated(prod_cost, phrase):
    assert any(phrase in text for text in prod_cost.assumptions), phrase


def test_node_group_skips_auto_mode_assumption():
    group = ResourceView(cost.NODE_GROUP, "cluster-nodes", {"instanceTypes": ["m7g.large"]})
    assert not any("Auto Mode" in text for text in _estimate([group]).assumptions)
