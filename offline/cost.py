"""Estimate a stack's monthly cost from what it registers and the price table.

The figures come from `offline/prices.yaml` (on-demand list prices with their source
and date, by region). A price missing from the table makes its line unknown, and the
total then counts only the known lines and reads "at least". Every estimate carries
the assumptions it rests on (`CostEstimate.assumptions`), which the gate's report
lists under the table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from rules import ResourceView
from rules.capacity import INSTANCE_TYPES, Workload, allocatable, workloads

PRICES_FILE = Path(__file__).with_name("prices.yaml")

EKS_CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
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

# The instance type that represents an EKS Auto Mode node in capacity and price, by
# the CPU architecture the workload NodePool allows. NOTE: Auto Mode picks the types
# itself (C, M or R of generation 5 or newer in this program's NodePool), so node
# counts and prices are an estimate on nodes of this one size.
AUTO_MODE_REFERENCE_INSTANCES = {"arm64": "m7g.large", "amd64": "m7i.large"}
ARCH_KEY = "kubernetes.io/arch"

# The AWS Load Balancer Controller gives every Ingress its own ALB unless Ingresses
# join one IngressGroup through this annotation ("Ingress annotations" of the
# controller's docs; AWS Containers blog "A deeper look at Ingress Sharing").
# NOTE: an IngressClassParams `group` would merge Ingresses too; this program sets
# none, so the estimate does not read it.
ALB_GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name"
# An ALB is billed for its hours plus its LCU-hours. The estimate assumes one LCU, a
# light load.
ALB_LCUS = 1

# Costs the estimate leaves out, listed in the report.
NOT_ESTIMATED = (
    "Not estimated: data transfer, NAT gateway data processing, public IPv4 addresses, "
    "EBS volumes (node roots, ZooKeeper volumes), RDS and ElastiCache backups beyond the "
    "free allowance, CloudWatch logs and metrics, and KMS keys."
)


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
    """The monthly cost lines of a stack, their sums and the assumptions behind them."""

    region: str
    lines: list[CostLine] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

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


def _times(value: Decimal | None, factor: Decimal | int | None) -> Decimal | None:
    return None if value is None or factor is None else value * factor


def _add(*values: Decimal | None) -> Decimal | None:
    return None if any(value is None for value in values) else sum(values, Decimal(0))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


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


def _node_group_lines(groups: list[ResourceView], prices: _Prices) -> list[CostLine]:
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


def _node_pool_architecture(resources: list[ResourceView]) -> str:
    """Return the architecture of the reference node: arm64 if a NodePool allows it."""
    allowed: set[str] = set()
    for pool in (r for r in resources if r.type == NODE_POOL):
        spec = (pool.inputs.get("spec") or {}).get("template", {}).get("spec", {})
        for requirement in spec.get("requirements") or []:
            if requirement.get("key") == ARCH_KEY and requirement.get("operator") == "In":
                allowed.update(requirement.get("values") or [])
    # NOTE: with both allowed, Auto Mode may launch either, and the estimate counts
    # arm64. Without an arch requirement it counts amd64, the default of model.py.
    return "arm64" if "arm64" in allowed else "amd64"


def _pack(pods: list[tuple[Decimal, Decimal]], instance_type: str) -> int | None:
    """Return how many nodes of a type the pods fill, packed first-fit decreasing.

    Returns None if one pod alone requests more than a node of the type has allocatable.
    """
    node = allocatable(instance_type)
    assert node is not None  # every reference type is in INSTANCE_TYPES
    cpu, memory = node
    max_pods = INSTANCE_TYPES[instance_type][2]
    # Free CPU, free memory and free pod slots of each node opened so far.
    nodes: list[list[Decimal]] = []
    largest_first = sorted(pods, key=lambda pod: max(pod[0] / cpu, pod[1] / memory), reverse=True)
    for pod_cpu, pod_memory in largest_first:
        if pod_cpu > cpu or pod_memory > memory:
            return None
        for free in nodes:
            if pod_cpu <= free[0] and pod_memory <= free[1] and free[2] >= 1:
                free[0] -= pod_cpu
                free[1] -= pod_memory
                free[2] -= 1
                break
        else:
            nodes.append([cpu - pod_cpu, memory - pod_memory, Decimal(max_pods - 1)])
    return max(1, len(nodes))


def _capacity_nodes(pods: list[tuple[Decimal, Decimal]], instance_type: str) -> int:
    """Return the nodes the pods' summed requests fill, as if pods could be split."""
    node = allocatable(instance_type)
    assert node is not None
    cpu = sum((pod[0] for pod in pods), Decimal(0))
    memory = sum((pod[1] for pod in pods), Decimal(0))
    return max(1, math.ceil(max(cpu / node[0], memory / node[1])))


def _pods(found: list[Workload], at_maximum: bool) -> list[tuple[Decimal, Decimal]]:
    """Return the CPU and memory request of every pod, at the minimum or the maximum."""
    pods = []
    for workload in found:
        count = workload.max_pods if at_maximum else workload.min_replicas
        pods.extend([(workload.cpu, workload.memory)] * count)
    return pods


def _auto_mode_lines(resources: list[ResourceView], prices: _Prices) -> list[CostLine]:
    architecture = _node_pool_architecture(resources)
    reference = AUTO_MODE_REFERENCE_INSTANCES[architecture]
    found = workloads(resources)
    low_pods, high_pods = _pods(found, at_maximum=False), _pods(found, at_maximum=True)
    low, high = _pack(low_pods, reference), _pack(high_pods, reference)
    node = prices.monthly("ec2InstanceHour", reference)
    fee = prices.monthly("eksAutoModeInstanceHour", reference)

    if low is None or high is None:
        detail = f"a pod requests more than one {reference} has allocatable"
        note = "node count unknown"
    else:
        capacity = f"{_capacity_nodes(low_pods, reference)}-{_capacity_nodes(high_pods, reference)}"
        detail = f"{low}-{high} x {reference} ({architecture}) for the pods' requests"
        note = (
            f"pods packed whole onto {reference} nodes ({capacity} by summed requests); "
            "Auto Mode picks the instance types"
        )
    if node is None:
        note = f"no price for {reference}; {note}"
    return [
        CostLine("Nodes (EKS Auto Mode, EC2)", detail, _times(node, low), _times(node, high), note),
        CostLine(
            "EKS Auto Mode management fee",
            f"{low}-{high} x {reference}" if low is not None else detail,
            _times(fee, low),
            _times(fee, high),
            "" if fee is not None else f"no Auto Mode fee for {reference} in the price table",
        ),
    ]


def _uses_auto_mode(resources: list[ResourceView]) -> bool:
    if any(r.type == NODE_GROUP for r in resources):
        return False
    clusters = [r for r in resources if r.type == EKS_CLUSTER]
    return any((c.inputs.get("computeConfig") or {}).get("enabled") for c in clusters)


def _compute_lines(resources: list[ResourceView], prices: _Prices) -> list[CostLine]:
    groups = [r for r in resources if r.type == NODE_GROUP]
    if groups:
        return _node_group_lines(groups, prices)
    if not _uses_auto_mode(resources):
        return []
    return _auto_mode_lines(resources, prices)


def _engine_cost(
    prices: _Prices, figure: tuple[str, str], engine: str, priced_engine: str, count: int
) -> tuple[Decimal | None, str]:
    """Return the monthly cost of `count` instances of a type and the note for its line.

    The table prices one engine per key, so another engine makes the cost unknown.
    """
    key, item = figure
    if engine != priced_engine:
        return None, f"the price table has {key} prices for {priced_engine} only, not {engine}"
    cost = _times(prices.monthly(key, item), count)
    return cost, "" if cost is not None else f"no price for {item}"


def _database_lines(resources: list[ResourceView], prices: _Prices) -> list[CostLine]:
    lines = []
    for instance in (r for r in resources if r.type == RDS_INSTANCE):
        instance_class = str(instance.inputs.get("instanceClass"))
        engine = str(instance.inputs.get("engine"))
        # Multi-AZ bills the instance hours and the storage of the primary and of the
        # standby (RDS User Guide, "On-Demand DB instances for Amazon RDS").
        copies = 2 if instance.inputs.get("multiAz") else 1
        layout = "Multi-AZ, primary and standby" if copies == 2 else "Single-AZ"
        compute, compute_note = _engine_cost(
            prices, ("rdsMysqlInstanceHour", instance_class), engine, "mysql", copies
        )
        lines.append(
            CostLine(
                "RDS MySQL instance",
                f"{copies} x {instance_class} ({layout})",
                compute,
                compute,
                compute_note,
            )
        )

        storage_type = str(instance.inputs.get("storageType") or "unset")
        storage_gb = int(instance.inputs.get("allocatedStorage") or 0)
        per_gb = prices.figure("rdsGp3StorageGbMonth") if storage_type == "gp3" else None
        storage = _times(per_gb, storage_gb * copies)
        if storage_type != "gp3":
            storage_note = f"the price table has gp3 storage prices only, not {storage_type}"
        else:
            storage_note = (
                "storage autoscaling may add more" if storage is not None else "no gp3 price"
            )
        lines.append(
            CostLine(
                "RDS MySQL storage",
                f"{copies} x {storage_gb} GB {storage_type} allocated",
                storage,
                storage,
                storage_note,
            )
        )
    return lines


def _cache_node_count(group: ResourceView) -> int:
    """Return a replication group's nodes: shards times (primary plus replicas)."""
    shards = group.inputs.get("numNodeGroups")
    if shards is not None:
        return int(shards) * (1 + int(group.inputs.get("replicasPerNodeGroup") or 0))
    return int(group.inputs.get("numCacheClusters") or 1)


def _cache_lines(resources: list[ResourceView], prices: _Prices) -> list[CostLine]:
    lines = []
    for group in (r for r in resources if r.type == REPLICATION_GROUP):
        node_type = str(group.inputs.get("nodeType"))
        engine = str(group.inputs.get("engine") or "redis")
        count = _cache_node_count(group)
        # ElastiCache bills each node by the hour.
        cost, note = _engine_cost(
            prices, ("elasticacheNodeHour", node_type), engine, "redis", count
        )
        lines.append(
            CostLine(
                "ElastiCache Redis", f"{_plural(count, 'node')} x {node_type}", cost, cost, note
            )
        )
    return lines


def _alb_count(resources: list[ResourceView]) -> int:
    """Return the ALBs the Ingresses make: one per group name, one per ungrouped Ingress."""
    groups: set[str] = set()
    ungrouped = 0
    for ingress in (r for r in resources if r.type == INGRESS):
        annotations = (ingress.inputs.get("metadata") or {}).get("annotations") or {}
        group = annotations.get(ALB_GROUP_ANNOTATION)
        if group:
            groups.add(str(group))
        else:
            ungrouped += 1
    return len(groups) + ungrouped


def _network_lines(resources: list[ResourceView], prices: _Prices) -> list[CostLine]:
    lines = []
    nat_count = sum(1 for r in resources if r.type == NAT_GATEWAY)
    if nat_count:
        cost = prices.monthly("natGatewayHour", count=nat_count)
        lines.append(
            CostLine(
                "NAT gateways",
                _plural(nat_count, "gateway"),
                cost,
                cost,
                "data processed not included",
            )
        )

    alb_count = _alb_count(resources)
    if alb_count:
        hours = prices.monthly("albHour", count=alb_count)
        lcus = prices.monthly("albLcuHour", count=alb_count * ALB_LCUS)
        cost = _add(hours, lcus)
        lines.append(
            CostLine(
                "Application Load Balancer",
                f"{_plural(alb_count, 'ALB')}: hours + {ALB_LCUS} LCU each",
                cost,
                cost,
                "LCUs grow with traffic",
            )
        )
    return lines


def _assumptions(prices: _Prices, on: date, resources: list[ResourceView]) -> list[str]:
    found = [
        f"A month is {prices.hours} hours, the month AWS's pricing pages use.",
        f"EKS support (standard or extended) is the one on {on.isoformat()} (UTC) in the "
        "EKS release calendar.",
        "RDS Multi-AZ bills the instance and its allocated gp3 storage twice, for the "
        "primary and the standby. Storage is the allocation, not the autoscaling maximum.",
        "ElastiCache bills each node, and NAT gateways bill per gateway-hour.",
        f"Each Ingress is one ALB unless Ingresses share `{ALB_GROUP_ANNOTATION}`, and each "
        f"ALB is billed {ALB_LCUS} LCU for every hour.",
    ]
    if _uses_auto_mode(resources):
        reference = AUTO_MODE_REFERENCE_INSTANCES[_node_pool_architecture(resources)]
        found.append(
            f"EKS Auto Mode nodes are counted as the {reference} nodes that fit every pod's "
            "requests, at the minimum replicas and at the maximum (HPA maximum plus "
            "rolling-update surge). The Auto Mode fee is per node-hour on top of EC2. Not "
            "estimated: the nodes of the built-in `system` node pool, which runs cluster "
            "add-ons such as metrics-server."
        )
    found.append(NOT_ESTIMATED)
    return found


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
    result = CostEstimate(region, assumptions=_assumptions(prices, on, resources))
    result.lines.extend(_control_plane_lines(resources, prices, on))
    result.lines.extend(_compute_lines(resources, prices))
    result.lines.extend(_database_lines(resources, prices))
    result.lines.extend(_cache_lines(resources, prices))
    result.lines.extend(_network_lines(resources, prices))

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
        items: Mapping[str, Any] = (
            {key: entry}
            if isinstance(entry, dict) and "usd" in entry
            else {f"{key} {name}": item for name, item in (entry or {}).items()}
        )
        for name, item in items.items():
            found.append((name, str(item.get("source", "?")), str(item.get("date", "?"))))
    return found
