"""Estimate a stack's monthly cost from what it registers and the price table.

The figures come from `offline/prices.yaml` (on-demand list prices with their source
and date, by region). A price missing from the table makes its line unknown; the
total then counts only the known lines and reads "at least". Data transfer, NAT data
processing, storage beyond the allocation, backups and EBS volumes are not
estimated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from rules import ResourceView
from rules.capacity import allocatable, workloads

PRICES_FILE = Path(__file__).with_name("prices.yaml")

EKS_CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
RDS_INSTANCE = "aws:rds/instance:Instance"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"

# The end of EKS standard support per Kubernetes version: extended support, and its
# billing, starts at the beginning of that day in UTC. Source: the "Amazon EKS
# Kubernetes release calendar" (EKS User Guide, kubernetes-versions.adoc in
# awsdocs/amazon-eks-user-guide, read 2026-12-04) for 1.32 to 1.34; its stored copy
# predates 1.35, whose date comes from https://endoflife.date/amazon-eks.
EKS_STANDARD_SUPPORT_ENDS = {
    "1.32": date(2026, 3, 23),
    "1.33": date(2026, 7, 29),
    "1.34": date(2026, 12, 2),
    "1.35": date(2027, 3, 27),
}

# The instance type whose capacity and price stand for an EKS Auto Mode node. NOTE:
# Auto Mode picks instance types itself, so node counts and prices are an estimate.
AUTO_MODE_REFERENCE_INSTANCE = "m7g.large"

# An ALB is billed for at least its hours; one LCU stands for light traffic.
ALB_LCUS = 1


@dataclass(frozen=True)
class CostLine:
    """One component's monthly cost at the stack's minimum and maximum, None if unknown."""

    component: str
    detail: str
    minimum: Decimal | None
    maximum: Decimal | None
    note: str = ""


@dataclass
class CostEstimate:
    """The monthly cost lines of a stack and their sums."""

    region: str
    lines: list[CostLine] = field(default_factory=list)

    @property
    def unknown(self) -> list[CostLine]:
        """The lines whose price the table lacks."""
        return [line for line in self.lines if line.minimum is None or line.maximum is None]

    @property
    def minimum(self) -> Decimal:
        """The sum of the known lines at the minimum."""
        return sum((line.minimum for line in self.lines if line.minimum is not None), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        """The sum of the known lines at the maximum."""
        return sum((line.maximum for line in self.lines if line.maximum is not None), Decimal(0))


def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    """Read the price table."""
    return yaml.safe_load(path.read_text())


def support_tier(version: str, on: date) -> str | None:
    """Return "standard" or "extended": the EKS support of a version on a UTC day.

    Returns None for a version the release calendar above lacks.
    """
    standard_ends = EKS_STANDARD_SUPPORT_ENDS.get(version)
    if standard_ends is None:
        return None
    return "standard" if on < standard_ends else "extended"


class _Prices:
    """Look-ups in one region's part of the price table; None when a figure is missing."""

    def __init__(self, table: dict[str, Any], region: str) -> None:
        self.hours = Decimal(str(table["hoursPerMonth"]))
        self.region = (table.get("regions") or {}).get(region)

    def figure(self, key: str, item: str | None = None) -> Decimal | None:
        if self.region is None:
            return None
        entry = self.region.get(key)
        if item is not None:
            entry = (entry or {}).get(item)
        if not isinstance(entry, dict) or "usd" not in entry:
            return None
        return Decimal(str(entry["usd"]))

    def monthly(self, key: str, item: str | None = None, count: Decimal | int = 1):
        hourly = self.figure(key, item)
        return None if hourly is None else hourly * self.hours * count


def _times(value: Decimal | None, factor: Decimal | int) -> Decimal | None:
    return None if value is None else value * factor


def _add(*values: Decimal | None) -> Decimal | None:
    return None if any(value is None for value in values) else sum(values, Decimal(0))


def _control_plane_lines(
    resources: list[ResourceView], prices: _Prices, on: date
) -> list[CostLine]:
    lines = []
    for cluster in (r for r in resources if r.type == EKS_CLUSTER):
        version = str(cluster.inputs.get("version"))
        tier = support_tier(version, on)
        if tier is None:
            lines.append(
                CostLine(
                    "EKS control plane",
                    f"Kubernetes {version}",
                    None,
                    None,
                    f"no EKS support dates for Kubernetes {version} in offline/cost.py",
                )
            )
            continue
        key = "eksClusterHour" if tier == "standard" else "eksExtendedSupportClusterHour"
        cost = prices.monthly(key)
        lines.append(
            CostLine(
                "EKS control plane",
                f"Kubernetes {version}, {tier} support on {on.isoformat()}",
                cost,
                cost,
                "" if cost is not None else f"no {key} price",
            )
        )
    return lines


def _auto_mode_nodes(resources: list[ResourceView]) -> tuple[int, int]:
    """Return how many reference nodes the pods need at their minimum and maximum."""
    node = allocatable(AUTO_MODE_REFERENCE_INSTANCE)
    assert node is not None  # the reference type is in INSTANCE_TYPES
    cpu_per_node, memory_per_node = node
    found = workloads(resources)

    def nodes(pods: dict[str, int]) -> int:
        cpu = sum((w.cpu * pods[w.resource] for w in found), Decimal(0))
        memory = sum((w.memory * pods[w.resource] for w in found), Decimal(0))
        return max(1, math.ceil(max(cpu / cpu_per_node, memory / memory_per_node)))

    minimum = nodes({w.resource: w.min_replicas for w in found})
    maximum = nodes({w.resource: w.max_pods for w in found})
    return minimum, maximum


def _compute_lines(resources: list[ResourceView], prices: _Prices) -> list[CostLine]:
    groups = [r for r in resources if r.type == NODE_GROUP]
    if groups:
        lines = []
        for group in groups:
            scaling = group.inputs.get("scalingConfig") or {}
            instance_type = (group.inputs.get("instanceTypes") or ["?"])[0]
            node = prices.monthly("ec2InstanceHour", instance_type)
            low, high = int(scaling.get("minSize", 0)), int(scaling.get("maxSize", 0))
            lines.append(
                CostLine(
                    "Nodes (managed node group)",
                    f"{low}-{high} x {instance_type}",
                    _times(node, low),
                    _times(node, high),
                    "" if node is not None else f"no price for {instance_type}",
                )
            )
        return lines

    clusters = [r for r in resources if r.type == EKS_CLUSTER]
    if not any((c.inputs.get("computeConfig") or {}).get("enabled") for c in clusters):
        return []
    low, high = _auto_mode_nodes(resources)
    node = prices.monthly("ec2InstanceHour", AUTO_MODE_REFERENCE_INSTANCE)
    fee = prices.monthly("eksAutoModeInstanceHour", AUTO_MODE_REFERENCE_INSTANCE)
    return [
        CostLine(
            "Nodes (EKS Auto Mode, EC2)",
            f"{low}-{high} x {AUTO_MODE_REFERENCE_INSTANCE} capacity for the pods' requests",
            _times(node, low),
            _times(node, high),
            "Auto Mode picks the instance types; this counts reference nodes",
        ),
        CostLine(
            "EKS Auto Mode management fee",
            f"{low}-{high} nodes",
            _times(fee, low),
            _times(fee, high),
            "" if fee is not None else "no Auto Mode fee in the price table",
        ),
    ]


def estimate(
    resources: list[ResourceView],
    region: str,
    table: dict[str, Any],
    on: date | None = None,
) -> CostEstimate:
    """Return the monthly cost lines of a stack's resources in a region.

    `on` is the UTC day whose EKS support status prices the control plane; today when
    not given.
    """
    on = on or datetime.now(UTC).date()
    prices = _Prices(table, region)
    result = CostEstimate(region)
    result.lines.extend(_control_plane_lines(resources, prices, on))

    result.lines.extend(_compute_lines(resources, prices))

    for instance in (r for r in resources if r.type == RDS_INSTANCE):
        instance_class = str(instance.inputs.get("instanceClass"))
        copies = 2 if instance.inputs.get("multiAz") else 1
        layout = "Multi-AZ, primary and standby" if copies == 2 else "Single-AZ"
        compute = _times(prices.monthly("rdsMysqlInstanceHour", instance_class), copies)
        result.lines.append(
            CostLine(
                "RDS MySQL instance",
                f"{copies} x {instance_class} ({layout})",
                compute,
                compute,
                "" if compute is not None else f"no price for {instance_class}",
            )
        )
        storage_gb = int(instance.inputs.get("allocatedStorage") or 0)
        storage = _times(prices.figure("rdsGp3StorageGbMonth"), storage_gb * copies)
        result.lines.append(
            CostLine(
                "RDS MySQL storage",
                f"{copies} x {storage_gb} GB gp3 allocated",
                storage,
                storage,
                "storage autoscaling may add more" if storage is not None else "no gp3 price",
            )
        )

    for group in (r for r in resources if r.type == REPLICATION_GROUP):
        node_type = str(group.inputs.get("nodeType"))
        count = int(group.inputs.get("numCacheClusters") or 1)
        cost = prices.monthly("elasticacheNodeHour", node_type, count)
        result.lines.append(
            CostLine(
                "ElastiCache Redis",
                f"{count} x {node_type}",
                cost,
                cost,
                "" if cost is not None else f"no price for {node_type}",
            )
        )

    nat_count = sum(1 for r in resources if r.type == NAT_GATEWAY)
    if nat_count:
        cost = prices.monthly("natGatewayHour", count=nat_count)
        result.lines.append(
            CostLine(
                "NAT gateways", f"{nat_count} gateways", cost, cost, "data processed not included"
            )
        )

    alb_count = sum(1 for r in resources if r.type == INGRESS)
    if alb_count:
        hours = prices.monthly("albHour", count=alb_count)
        lcus = prices.monthly("albLcuHour", count=alb_count * ALB_LCUS)
        cost = _add(hours, lcus)
        result.lines.append(
            CostLine(
                "Application Load Balancer",
                f"{alb_count} ALB: hours + {ALB_LCUS} LCU each",
                cost,
                cost,
                "LCUs grow with traffic",
            )
        )

    if prices.region is None:
        result.lines = [
            CostLine(line.component, line.detail, None, None, f"no prices for region {region}")
            for line in result.lines
        ]
    return result


def price_sources(table: dict[str, Any], region: str) -> list[tuple[str, str, str]]:
    """Return (figure, source, date) for every figure the table holds for a region."""
    found = []
    for key, entry in ((table.get("regions") or {}).get(region) or {}).items():
        items = (
            {key: entry}
            if isinstance(entry, dict) and "usd" in entry
            else {f"{key} {name}": item for name, item in (entry or {}).items()}
        )
        for name, item in items.items():
            found.append((name, str(item.get("source", "?")), str(item.get("date", "?"))))
    return found
