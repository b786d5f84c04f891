"""The stack of __main__.py plus a second Workloads instance: the Phase 2 layout in small.

The second instance stands for one group's namespace: its own services, ConfigMap,
Secret and gateway, wired to the same database and cache, and registering with the
first namespace's ZooKeeper, so that Dubbo calls can cross the namespaces.
"""

import runpy
from pathlib import Path

import pulumi

from components.workloads import Workloads
from components.workloads.endpoints import SharedEndpoints
from stack_config.model import RegistryConfig

GROUP_NAMESPACE = "topfans-group-b"

stack = runpy.run_path(str(Path(__file__).resolve().parents[2] / "__main__.py"))
config = stack["config"]
shared_registry = f"zookeeper://zookeeper.{stack['NAMESPACE']}.svc.cluster.local:2181"

group = Workloads(
    "workloads-group-b",
    namespace=GROUP_NAMESPACE,
    services=config.services,
    endpoints=SharedEndpoints(database=stack["database"].refs, cache=stack["cache"].refs),
    registry=RegistryConfig(mode="external", address=shared_registry),
    gateway=config.gateway,
    opts=pulumi.ResourceOptions(providers={"kubernetes": stack["cluster"].provider}),
)
pulumi.export("groupNamespace", group.namespace.metadata.name)
