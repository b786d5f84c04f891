"""The monthly cost estimate and its price table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from offline import cost
from rules import ResourceView
from stack_config.catalog import EKS_KUBERNETES_VERSIONS
from tests.conftest import stack_run

TABLE = cost.load_prices()
HOURS = Decimal(730)
TODAY = date(2026, 12, 4)


def _line(estimate: cost.CostEstimate, component: str) -> cost.CostLine:
    (line,) = [line for line in estimate.lines if line.component == component]
    return line


@pytest.fixture(scope="module")
def prod_cost() -> cost.CostEstimate:
    return cost.estimate(stack_run("prod").views(), "us-east-1", TABLE, on=TODAY)


def test_price_figures_have_source_and_date():
    for name, source, when in cost.price_sources(TABLE, "us-east-1"):
        assert source.startswith("https://"), name
        assert when != "?", name


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
    assert line.minimum == Decimal("0.10") * HOURS
    assert line.detail == "Kubernetes 1.35, standard support on 2026-12-04"


def test_control_plane_extended_support():
    cluster = ResourceView(cost.EKS_CLUSTER, "cluster-eks", {"version": "1.34"})
    line = _line(cost.estimate([cluster], "us-east-1", TABLE, on=TODAY), "EKS control plane")
    assert line.minimum == Decimal("0.60") * HOURS
    assert "extended support" in line.detail


def test_control_plane_unknown_version():
    cluster = ResourceView(cost.EKS_CLUSTER, "cluster-eks", {"version": "1.36"})
    line = _line(cost.estimate([cluster], "us-east-1", TABLE, on=TODAY), "EKS control plane")
    assert line.minimum is None
    assert "no EKS support dates for Kubernetes 1.36" in line.note


def test_nat_gateways_per_zone(prod_cost):
    line = _line(prod_cost, "NAT gateways")
    assert line.detail == "3 gateways"
    assert line.minimum == 3 * Decimal("0.045") * HOURS


def test_multi_az_doubles_storage(prod_cost):
    line = _line(prod_cost, "RDS MySQL storage")
    assert line.detail == "2 x 100 GB gp3 allocated"
    assert line.minimum == 200 * Decimal("0.115")


def test_missing_class_is_unknown(prod_cost):
    line = _line(prod_cost, "RDS MySQL instance")
    assert line.minimum is None
    assert line.note == "no price for db.m7g.large"
    assert line in prod_cost.unknown


def test_known_class_priced():
    instance = ResourceView(
        cost.RDS_INSTANCE,
        "database-mysql",
        {"instanceClass": "db.t4g.large", "multiAz": True, "allocatedStorage": 20.0},
    )
    line = _line(cost.estimate([instance], "us-east-1", TABLE), "RDS MySQL instance")
    assert line.minimum == 2 * Decimal("0.073") * HOURS


def test_auto_mode_nodes_min_and_max(prod_cost):
    line = _line(prod_cost, "Nodes (EKS Auto Mode, EC2)")
    # 68Gi requested at the maximum over ~6.74Gi allocatable per m7g.large.
    assert line.detail.startswith("3-11 x m7g.large")
    assert line.maximum == 11 * Decimal("0.0816") * HOURS


def test_total_counts_known_lines(prod_cost):
    known = [line.minimum for line in prod_cost.lines if line.minimum is not None]
    assert prod_cost.minimum == sum(known)
    assert len(prod_cost.unknown) == 3


def test_unknown_region_all_unknown(prod):
    estimate = cost.estimate(prod.views(), "eu-north-1", TABLE)
    assert estimate.lines
    assert all(line.minimum is None for line in estimate.lines)
    assert all("no prices for region eu-north-1" in line.note for line in estimate.lines)


def test_node_group_priced_per_node():
    group = ResourceView(
        cost.NODE_GROUP,
        "cluster-nodes",
        {"instanceTypes": ["m7g.large"], "scalingConfig": {"minSize": 2.0, "maxSize": 4.0}},
    )
    line = _line(cost.estimate([group], "us-east-1", TABLE), "Nodes (managed node group)")
    assert line.minimum == 2 * Decimal("0.0816") * HOURS
    assert line.maximum == 4 * Decimal("0.0816") * HOURS
