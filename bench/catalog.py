"""Service catalogs of any size, cloned from a stack's own catalog, for the benchmark.

`generate_config` returns a copy of a stack's config map (the `config:` map of
`Pulumi.<stack>.yaml`) whose `topfans:services` has the requested number of services. The stack's
own services come first; the others clone its non-public services in turn under
distinct names and ports. The database instance class, the connection-pool sizes
and the EKS Auto Mode limits are scaled so that the larger catalog still fits.
"""

from __future__ import annotations

import copy
import itertools
import math
from pathlib import Path
from typing import Any

import yaml
from kubernetes.utils import parse_quantity

from offline.engine import read_stack_file
from stack_config.catalog import DB_INSTANCE_CLASSES
from stack_config.model import ServicePorts

SERVICES_KEY = "topfans:services"
DATABASE_KEY = "topfans:database"
CLUSTER_KEY = "topfans:cluster"
REGISTRY_KEY = "topfans:registry"

# RDS MySQL's default max_connections is DBInstanceClassMemory / 12582880.
BYTES_PER_CONNECTION = 12582880
# Share of max_connections the pools may take. The rest stays free for admin sessions,
# migrations and the overlap of old and new pods during a rolling update.
CONNECTION_HEADROOM = 0.8
# Auto Mode limits are set this much above the requests of every pod at its maximum
# replica count, so that a rolling update's surge pods still fit.
COMPUTE_HEADROOM = 1.25
# The requests of one ZooKeeper pod (components/workloads/registry.py).
ZOOKEEPER_CPU = 0.1
ZOOKEEPER_MEMORY_GI = 0.5
GIBIBYTE = 2**30


def generate_config(size: int, base_stack: str = "prod") -> dict[str, Any]:
    """Return the config map of `base_stack` with a catalog of `size` services.

    Raises ValueError when `size` is smaller than 1 or the catalog cannot fit the
    largest database instance class.
    """
    if size < 1:
        raise ValueError(f"size {size} is invalid; request at least 1 service")
    config = copy.deepcopy(read_stack_file(base_stack))
    config[SERVICES_KEY] = _services(config[SERVICES_KEY], size)
    _fit_database(config)
    _fit_auto_mode(config)
    return config


def topfans_part(config: dict[str, Any]) -> dict[str, Any]:
    """Return the `topfans:*` keys of a config map without their prefix."""
    return {
        key.split(":", 1)[1]: value for key, value in config.items() if key.startswith("topfans:")
    }


def write_stack_file(config: dict[str, Any], stack: str, directory: Path) -> Path:
    """Write `config` as `Pulumi.<stack>.yaml` in `directory` and return the file's path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def max_connections(instance_class: str) -> int:
    """Return RDS MySQL's default max_connections for an instance class of the catalog."""
    return DB_INSTANCE_CLASSES[instance_class] * GIBIBYTE // BYTES_PER_CONNECTION


def pool_connections(services: list[dict[str, Any]]) -> int:
    """Return the connections the services' pools open when every pod runs."""
    return sum(
        service.get("database", {}).get("poolSize", 10) * _max_replicas(service)
        for service in services
        if "database" in service.get("uses", [])
    )


def _services(services: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    public = [service for service in services if service.get("public")]
    templates = [service for service in services if not service.get("public")]
    if not templates:
        raise ValueError("the base catalog has no non-public service to clone")
    # Keep the public service, because a stack needs exactly one.
    kept = (public + templates)[: max(size, len(public))]
    result = [copy.deepcopy(service) for service in kept]

    # Clones take the next free ports above the highest of each kind in the catalog.
    used = {port for service in services for port in _ports(service)}
    free_ports = {
        key: (
            port
            for port in itertools.count(
                max(service["ports"].get(key, 0) for service in services) + 1
            )
            if port not in used
        )
        for key in ("http", "dubbo")
    }
    for index, template in zip(range(len(result), size), itertools.cycle(templates)):
        clone = copy.deepcopy(template)
        clone["name"] = f"{template['name']}-{index:03d}"
        clone["description"] = f"A copy of {template['name']} for the benchmark"
        for key, ports in free_ports.items():
            if key in clone["ports"]:
                clone["ports"][key] = next(ports)
        result.append(clone)
    return result


def _ports(service: dict[str, Any]) -> list[int]:
    ports = ServicePorts.model_validate(service["ports"])
    return [port for port in (ports.http, ports.dubbo, ports.qos) if port is not None]


def _max_replicas(service: dict[str, Any]) -> int:
    if "autoscaling" in service:
        return int(service["autoscaling"]["maxReplicas"])
    return int(service["replicas"])


def _fit_database(config: dict[str, Any]) -> None:
    """Pick the smallest instance class that serves every pool; shrink the pools if none does."""
    database = config.setdefault(DATABASE_KEY, {})
    base_class = database.get("instanceClass", "db.t4g.micro")
    needed = pool_connections(config[SERVICES_KEY])
    larger = [
        name
        for name in DB_INSTANCE_CLASSES
        if DB_INSTANCE_CLASSES[name] > DB_INSTANCE_CLASSES[base_class]
    ]
    candidates = [base_class, *sorted(larger, key=max_connections)]
    for name in candidates:
        if needed <= CONNECTION_HEADROOM * max_connections(name):
            database["instanceClass"] = name
            return

    largest = candidates[-1]
    database["instanceClass"] = largest
    budget = CONNECTION_HEADROOM * max_connections(largest)
    for service in config[SERVICES_KEY]:
        if "database" in service.get("uses", []):
            usage = service.setdefault("database", {})
            # Round down, so that the scaled pools stay within the budget.
            usage["poolSize"] = max(1, math.floor(usage.get("poolSize", 10) * budget / needed))
    if pool_connections(config[SERVICES_KEY]) > budget:
        raise ValueError(
            f"{len(config[SERVICES_KEY])} services need more than the "
            f"{max_connections(largest)} connections of {largest} even with pools of 1; "
            "request fewer services"
        )


def _fit_auto_mode(config: dict[str, Any]) -> None:
    """Raise the Auto Mode limits to the requests of every pod at its maximum count."""
    cluster = config.setdefault(CLUSTER_KEY, {})
    if cluster.get("computeMode", "auto") != "auto":
        raise ValueError("only a base stack with computeMode auto can be scaled; use prod")
    registry = config.get(REGISTRY_KEY, {})
    zookeeper_pods = registry.get("replicas", 3) if registry.get("mode") != "external" else 0
    cpu = zookeeper_pods * ZOOKEEPER_CPU
    memory = zookeeper_pods * ZOOKEEPER_MEMORY_GI
    for service in config[SERVICES_KEY]:
        requests = service["resources"]["requests"]
        cpu += float(parse_quantity(requests["cpu"])) * _max_replicas(service)
        memory += float(parse_quantity(requests["memory"])) / GIBIBYTE * _max_replicas(service)

    auto_mode = cluster.setdefault("autoMode", {})
    base_cpu = float(parse_quantity(auto_mode.get("cpuLimit", "32")))
    base_memory = float(parse_quantity(auto_mode.get("memoryLimit", "128Gi"))) / GIBIBYTE
    auto_mode["cpuLimit"] = str(max(math.ceil(base_cpu), math.ceil(cpu * COMPUTE_HEADROOM)))
    memory_gi = max(math.ceil(base_memory), math.ceil(memory * COMPUTE_HEADROOM))
    auto_mode["memoryLimit"] = f"{memory_gi}Gi"
