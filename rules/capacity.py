"""Capacity rules: database connections and compute at every service's maximum.

Both rules look at the pods a stack can run at its peak: the HPA maximum (or the
fixed replica count) plus the extra pods a rolling update surges to. The functions
that compute those numbers are public, so the gate's report can show the headroom
the rules checked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kubernetes.utils import parse_quantity

from rules import ResourceView, StackContext, stack_rule
from stack_config.catalog import DB_INSTANCE_CLASSES

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
RDS_INSTANCE = "aws:rds/instance:Instance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"

# The Deployment env var that carries a service's Hikari connection-pool size; its
# presence marks a service as a database client.
POOL_SIZE_ENV = "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE"

# Kubernetes' default maxSurge of a RollingUpdate Deployment; a percentage surge is
# rounded up (Deployment docs, "Max Surge").
DEFAULT_MAX_SURGE = "25%"

# The share of max_connections the services may use at their maximum, leaving the
# rest for administrators, migrations and monitoring.
CONNECTION_SHARE = Decimal("0.8")

# RDS MySQL's default max_connections is {DBInstanceClassMemory/12582880} (the
# default parameter group of the mysql8.0 and mysql8.4 families).
MAX_CONNECTIONS_DIVISOR = 12582880

# DBInstanceClassMemory is the class's memory minus what the operating system and the
# RDS processes reserve. The RDS User Guide ("Specifying DB parameters", DB parameter
# formula variables) states only that it is "somewhat lower" than the class memory.
# NOTE: assumed 90% of the class memory, an estimate on the cautious side because AWS
# publishes no figure; a max_connections in the parameter group replaces it.
DB_INSTANCE_CLASS_MEMORY_SHARE = Decimal("0.9")

GIB = 1024**3
MIB = 1024**2

# Node capacity by instance type: vCPUs, memory in GiB (the EC2 instance type
# tables) and the VPC CNI max pods per node (eni-max-pods.txt of awslabs/amazon-eks-ami,
# ENIs x (IPv4 addresses per ENI - 1) + 2).
INSTANCE_TYPES: dict[str, tuple[int, int, int]] = {
    "m7g.large": (2, 8, 29),
    "m7g.xlarge": (4, 16, 58),
    "m7g.2xlarge": (8, 32, 58),
    "m6g.large": (2, 8, 29),
    "m6g.xlarge": (4, 16, 58),
    "c7g.large": (2, 4, 29),
    "c7g.xlarge": (4, 8, 58),
    "c7g.2xlarge": (8, 16, 58),
    "r7g.large": (2, 16, 29),
    "r7g.xlarge": (4, 32, 58),
    "m7i.large": (2, 8, 29),
    "m7i.xlarge": (4, 16, 58),
    "m6i.large": (2, 8, 29),
    "m6i.xlarge": (4, 16, 58),
    "t4g.large": (2, 8, 35),
    "t4g.xlarge": (4, 16, 58),
}

# Memory lost to the hypervisor and kernel before the kubelet reports it: Karpenter's
# default VM_MEMORY_OVERHEAD_PERCENT (karpenter-provider-aws operator options).
VM_MEMORY_OVERHEAD = Decimal("0.075")
# The kubelet's hard eviction threshold on the EKS AMIs (nodeadm kubelet config).
EVICTION_HARD_MEMORY_MIB = 100


def allocatable(instance_type: str) -> tuple[Decimal, Decimal] | None:
    """Return the CPU (cores) and memory (bytes) pods may request on one node, or None.

    Follows the kube-reserved formulas of the EKS AMIs (nodeadm, kubelet config.go):
    For CPU they reserve 6% of the first core, 1% of the second, 0.5% of the next two
    and 0.25% of the rest. For memory they reserve 255 MiB plus 11 MiB per pod the node
    can hold.
    """
    if instance_type not in INSTANCE_TYPES:
        return None
    vcpus, memory_gib, max_pods = INSTANCE_TYPES[instance_type]
    millicores = vcpus * 1000
    reserved = 0
    for start, end, basis_points in ((0, 1000, 600), (1000, 2000, 100), (2000, 4000, 50)):
        reserved += max(0, min(millicores, end) - start) * basis_points // 10000
    reserved += max(0, millicores - 4000) * 25 // 10000
    cpu = Decimal(millicores - reserved) / 1000

    capacity_mib = Decimal(memory_gib * 1024) * (1 - VM_MEMORY_OVERHEAD)
    reserved_mib = 11 * max_pods + 255 + EVICTION_HARD_MEMORY_MIB
    memory = (capacity_mib - reserved_mib) * MIB
    return cpu, memory


@dataclass(frozen=True)
class Workload:
    """The pods of one Deployment or StatefulSet at their fewest and at their most."""

    kind: str
    name: str
    resource: str
    min_replicas: int
    max_replicas: int
    surge: int
    cpu: Decimal
    memory: Decimal
    pool_size: int | None
    pool_size_text: str | None
    autoscaled: bool

    @property
    def max_pods(self) -> int:
        """The maximum number of pods running at once: the maximum replicas plus the surge."""
        return self.max_replicas + self.surge

    @property
    def scaling(self) -> str:
        """How the maximum is set, for messages: "HPA max 8" or "replicas 2"."""
        return (
            f"HPA max {self.max_replicas}" if self.autoscaled else f"replicas {self.max_replicas}"
        )


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _integer(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return int(value)


def _quantity(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    try:
        return parse_quantity(str(value))
    except ValueError:
        return Decimal(0)


def _surge(spec: Mapping[str, Any], replicas: int) -> int:
    strategy = _get(spec, "strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    surge = _get(strategy, "rollingUpdate", "maxSurge")
    if surge is None:
        surge = DEFAULT_MAX_SURGE
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * Decimal(surge[:-1]) / 100)
    return _integer(surge, 0)


def _pod_requests(pod_spec: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """Return a pod's effective CPU and memory requests, as the scheduler counts them.

    That is the sum over containers or the largest init container, whichever is
    more; a container without a request requests its limit.
    """

    def request(container: Mapping[str, Any], name: str) -> Decimal:
        resources = container.get("resources") or {}
        value = _get(resources, "requests", name)
        if value is None:
            value = _get(resources, "limits", name)
        return _quantity(value)

    containers = pod_spec.get("containers") or []
    init_containers = pod_spec.get("initContainers") or []
    cpu = sum((request(c, "cpu") for c in containers), Decimal(0))
    memory = sum((request(c, "memory") for c in containers), Decimal(0))
    for init in init_containers:
        cpu = max(cpu, request(init, "cpu"))
        memory = max(memory, request(init, "memory"))
    return cpu, memory


def _pool_size(pod_spec: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """Return the pool size from the env (None if absent) and its text as written."""
    for container in pod_spec.get("containers") or []:
        for entry in container.get("env") or []:
            if entry.get("name") != POOL_SIZE_ENV:
                continue
            text = entry.get("value")
            if isinstance(text, str) and text.strip().isdigit():
                return int(text), text
            return None, str(text if text is not None else "valueFrom")
    return None, None


def workloads(resources: Iterable[ResourceView]) -> list[Workload]:
    """Return every Deployment and StatefulSet with its replica bounds, surge and requests."""
    resources = list(resources)
    hpas: dict[tuple[Any, str], Mapping[str, Any]] = {}
    for hpa in resources:
        if hpa.type == HPA:
            target = _get(hpa.inputs, "spec", "scaleTargetRef") or {}
            if target.get("kind") == "Deployment":
                namespace = _get(hpa.inputs, "metadata", "namespace")
                hpas[(namespace, target.get("name"))] = hpa.inputs["spec"]

    found = []
    for resource in resources:
        if resource.type not in (DEPLOYMENT, STATEFUL_SET):
            continue
        spec = resource.inputs.get("spec") or {}
        pod_spec = _get(spec, "template", "spec") or {}
        name = _get(resource.inputs, "metadata", "name") or resource.name
        namespace = _get(resource.inputs, "metadata", "namespace")
        hpa = hpas.get((namespace, name)) if resource.type == DEPLOYMENT else None
        if hpa is not None:
            min_replicas = _integer(hpa.get("minReplicas"), 1)
            max_replicas = _integer(hpa.get("maxReplicas"), min_replicas)
        else:
            min_replicas = max_replicas = _integer(spec.get("replicas"), 1)
        # A StatefulSet replaces its pods one at a time and never surges.
        surge = _surge(spec, max_replicas) if resource.type == DEPLOYMENT else 0
        cpu, memory = _pod_requests(pod_spec)
        pool_size, pool_text = _pool_size(pod_spec)
        found.append(
            Workload(
                kind=resource.type.rsplit(":", 1)[-1],
                name=str(name),
                resource=resource.name,
                min_replicas=min_replicas,
                max_replicas=max_replicas,
                surge=surge,
                cpu=cpu,
                memory=memory,
                pool_size=pool_size,
                pool_size_text=pool_text,
                autoscaled=hpa is not None,
            )
        )
    return found


@dataclass(frozen=True)
class ConnectionBudget:
    """The connections the database clients may open at their maximum, against one instance."""

    instance: str
    instance_class: str
    max_connections: int | None
    source: str
    clients: list[Workload]

    @property
    def limit(self) -> int | None:
        """The 80% share of max_connections the services may use."""
        if self.max_connections is None:
            return None
        return int(self.max_connections * CONNECTION_SHARE)

    @property
    def used(self) -> int:
        """The sum over clients of their maximum pods times their pool size."""
        return sum(client.max_pods * (client.pool_size or 0) for client in self.clients)


def max_connections(
    instance: ResourceView, resources: Iterable[ResourceView]
) -> tuple[int | None, str]:
    """Return an RDS instance's max_connections and where the number comes from.

    A literal max_connections in the instance's parameter group wins; otherwise the
    RDS MySQL default formula over the class memory. Returns None for a class that
    the catalog does not list.
    """
    group_name = instance.inputs.get("parameterGroupName")
    for resource in resources:
        if resource.type != PARAMETER_GROUP or resource.inputs.get("name") != group_name:
            continue
        for parameter in resource.inputs.get("parameters") or []:
            value = str(parameter.get("value", ""))
            if parameter.get("name") == "max_connections" and value.isdigit():
                return int(value), f"max_connections {value} in parameter group {group_name}"

    instance_class = str(instance.inputs.get("instanceClass"))
    memory_gib = DB_INSTANCE_CLASSES.get(instance_class)
    if memory_gib is None:
        return None, f"instance class {instance_class} is not in the catalog"
    usable = Decimal(memory_gib * GIB) * DB_INSTANCE_CLASS_MEMORY_SHARE
    count = int(usable // MAX_CONNECTIONS_DIVISOR)
    return count, (
        f"{instance_class}: {memory_gib} GiB, DBInstanceClassMemory taken as "
        f"{DB_INSTANCE_CLASS_MEMORY_SHARE:.0%} of it, / {MAX_CONNECTIONS_DIVISOR}"
    )


def connection_budgets(resources: Iterable[ResourceView]) -> list[ConnectionBudget]:
    """Return the connection budget of every RDS instance in the stack."""
    resources = list(resources)
    clients = [w for w in workloads(resources) if w.pool_size_text is not None]
    budgets = []
    for instance in resources:
        if instance.type != RDS_INSTANCE:
            continue
        count, source = max_connections(instance, resources)
        budgets.append(
            ConnectionBudget(
                instance=instance.name,
                instance_class=str(instance.inputs.get("instanceClass")),
                max_connections=count,
                source=source,
                clients=clients,
            )
        )
    return budgets


def _client_line(client: Workload) -> str:
    return (
        f"{client.name} {client.max_pods} pods ({client.scaling} + surge {client.surge}) "
        f"x pool {client.pool_size} = {client.max_pods * (client.pool_size or 0)}"
    )


@stack_rule(
    "capacity-database-connections",
    "The database clients at their maximum pods stay within 80% of max_connections",
)
def database_connections(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    findings = []
    for budget in connection_budgets(resources):
        for client in budget.clients:
            if client.pool_size is None:
                findings.append(
                    (
                        client.resource,
                        f"{POOL_SIZE_ENV} of {client.name} is {client.pool_size_text!r}, not a "
                        "number, so its connections cannot be counted; set it from "
                        "services[].database.poolSize",
                    )
                )
        if budget.max_connections is None:
            findings.append(
                (
                    budget.instance,
                    f"{budget.source}, so max_connections is unknown; use a class from "
                    "stack_config/catalog.py or add the class with its memory",
                )
            )
            continue
        if budget.used > budget.limit:
            lines = "; ".join(_client_line(client) for client in budget.clients)
            findings.append(
                (
                    budget.instance,
                    f"the services may open {budget.used} connections ({lines}), over 80% of "
                    f"max_connections {budget.max_connections} ({budget.limit}; "
                    f"{budget.source}); lower services[].autoscaling.maxReplicas or "
                    "services[].database.poolSize, or raise database.instanceClass",
                )
            )
    return findings


@dataclass(frozen=True)
class ComputeBudget:
    """The pods' requests at their maximum, against the limit the nodes set on them."""

    source: str
    cpu_limit: Decimal | None
    memory_limit: Decimal | None
    workloads: list[Workload]
    problems: tuple[tuple[str, str], ...] = ()
    # How to raise the limit, with {key} standing for cpuLimit or memoryLimit.
    fix: str = "raise cluster.autoMode.{key}"

    @property
    def cpu_requested(self) -> Decimal:
        """The CPU (cores) every pod requests with each workload at its maximum."""
        return sum((w.cpu * w.max_pods for w in self.workloads), Decimal(0))

    @property
    def memory_requested(self) -> Decimal:
        """The memory (bytes) every pod requests with each workload at its maximum."""
        return sum((w.memory * w.max_pods for w in self.workloads), Decimal(0))


def _node_pool_limits(pools: list[ResourceView]) -> tuple[Decimal | None, Decimal | None]:
    cpu: Decimal | None = Decimal(0)
    memory: Decimal | None = Decimal(0)
    for pool in pools:
        limits = _get(pool.inputs, "spec", "limits") or {}
        # A pool without a limit on a resource may grow without bound in it.
        cpu = None if cpu is None or "cpu" not in limits else cpu + _quantity(limits["cpu"])
        memory = (
            None
            if memory is None or "memory" not in limits
            else memory + _quantity(limits["memory"])
        )
    return cpu, memory


def _node_group_capacity(groups: list[ResourceView]) -> ComputeBudget:
    cpu = Decimal(0)
    memory = Decimal(0)
    parts = []
    problems = []
    for group in groups:
        max_size = _integer(_get(group.inputs, "scalingConfig", "maxSize"), 0)
        types = list(group.inputs.get("instanceTypes") or [])
        sizes = {name: allocatable(name) for name in types}
        unknown = sorted(name for name, size in sizes.items() if size is None)
        if unknown or not types:
            problems.append(
                (
                    group.name,
                    f"instance types {unknown or types} have no allocatable CPU and memory "
                    "in rules/capacity.py INSTANCE_TYPES; add them from the EC2 instance "
                    "type tables",
                )
            )
            continue
        # The group may launch any of its types, so count the smallest.
        node_cpu = min(size[0] for size in sizes.values() if size)
        node_memory = min(size[1] for size in sizes.values() if size)
        cpu += node_cpu * max_size
        memory += node_memory * max_size
        parts.append(f"{group.name}: maxSize {max_size} x {'/'.join(types)}")
    return ComputeBudget(
        source="managed node group allocatable (" + "; ".join(parts) + ")",
        cpu_limit=cpu,
        memory_limit=memory,
        workloads=[],
        problems=tuple(problems),
        fix="raise cluster.nodeGroup.maxSize or choose larger cluster.nodeGroup.instanceTypes",
    )


def compute_budget(resources: Iterable[ResourceView], context: StackContext) -> ComputeBudget:
    """Return the pods' requests at their maximum and the limit the nodes set on them.

    The limit is the sum of the NodePools' spec.limits (EKS Auto Mode), else the
    managed node groups' maxSize times each node's allocatable.
    """
    resources = list(resources)
    found = workloads(resources)
    pools = [r for r in resources if r.type == NODE_POOL]
    groups = [r for r in resources if r.type == NODE_GROUP]
    if pools:
        cpu, memory = _node_pool_limits(pools)
        names = ", ".join(pool.name for pool in pools)
        return ComputeBudget(f"NodePool spec.limits ({names})", cpu, memory, found)
    if groups:
        budget = _node_group_capacity(groups)
        return ComputeBudget(
            budget.source,
            budget.cpu_limit,
            budget.memory_limit,
            found,
            budget.problems,
            budget.fix,
        )
    return ComputeBudget("no node pool limits known", None, None, found)


def format_cpu(cores: Decimal) -> str:
    """Return CPU cores as Kubernetes writes them: "3.85" or "250m"."""
    if cores < 1:
        return f"{int(cores * 1000)}m"
    return f"{cores.normalize():f}"


def format_memory(memory: Decimal) -> str:
    """Return bytes in GiB with two decimals."""
    return f"{memory / GIB:.2f}Gi"


def _workload_line(workload: Workload, field: str) -> str:
    per_pod = format_cpu(workload.cpu) if field == "cpu" else format_memory(workload.memory)
    total = (
        workload.cpu * workload.max_pods if field == "cpu" else workload.memory * workload.max_pods
    )
    total_text = format_cpu(total) if field == "cpu" else format_memory(total)
    return f"{workload.name} {workload.max_pods} pods x {per_pod} = {total_text}"


@stack_rule(
    "capacity-compute",
    "The pods' CPU and memory requests at their maximum fit within the node pool limits",
)
def compute_fits(resources: list[ResourceView], context: StackContext) -> list[tuple[str, str]]:
    budget = compute_budget(resources, context)
    findings = list(budget.problems)
    checks = (
        ("cpu", budget.cpu_requested, budget.cpu_limit, format_cpu, "cpuLimit"),
        ("memory", budget.memory_requested, budget.memory_limit, format_memory, "memoryLimit"),
    )
    for field, requested, limit, show, key in checks:
        if limit is None or requested <= limit:
            continue
        lines = "; ".join(
            _workload_line(w, field) for w in budget.workloads if w.max_pods and w.cpu + w.memory
        )
        findings.append(
            (
                "cluster",
                f"the pods request {show(requested)} {field} at their maximum ({lines}), over "
                f"the {show(limit)} of the {budget.source}; {budget.fix.format(key=key)}, or "
                "lower services[].autoscaling.maxReplicas or "
                f"services[].resources.requests.{field}",
            )
        )
    return findings
