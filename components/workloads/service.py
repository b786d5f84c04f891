"""One topfans service: its Deployment, Service and, when high-load, its HPA."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.naming import child_name
from components.workloads.endpoints import CONFIG_KEYS, SECRET_KEYS, SPRING_ALIASES
from stack_config.model import Service

PART_OF = "topfans"


@dataclass(frozen=True)
class ServiceWiring:
    """Where a service finds its shared settings: the namespace, ConfigMap and Secret."""

    namespace: pulumi.Input[str]
    config_map_name: pulumi.Input[str]
    secret_name: pulumi.Input[str]


def labels(service: str) -> dict[str, str]:
    """Return the selector labels of a service's pods."""
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": PART_OF}


def endpoint_env(service: Service, wiring: ServiceWiring) -> list[dict]:
    """Return the env entries that bring the service exactly the endpoints it uses."""
    env: list[dict] = []
    secret_keys: set[str] = set()
    config_keys: set[str] = set()
    for endpoint in service.uses:
        for key in CONFIG_KEYS[endpoint]:
            config_keys.add(key)
            env.append(
                {
                    "name": key,
                    "valueFrom": {"configMapKeyRef": {"name": wiring.config_map_name, "key": key}},
                }
            )
        for key in SECRET_KEYS[endpoint]:
            secret_keys.add(key)
            env.append(
                {
                    "name": key,
                    "valueFrom": {"secretKeyRef": {"name": wiring.secret_name, "key": key}},
                }
            )
    for alias, key in SPRING_ALIASES.items():
        if key in config_keys:
            env.append(
                {
                    "name": alias,
                    "valueFrom": {"configMapKeyRef": {"name": wiring.config_map_name, "key": key}},
                }
            )
        elif key in secret_keys:
            env.append(
                {
                    "name": alias,
                    "valueFrom": {"secretKeyRef": {"name": wiring.secret_name, "key": key}},
                }
            )
    return env


class TopfansService(pulumi.ComponentResource):
    """A Deployment and a ClusterIP Service for one catalog entry, plus its HPA.

    The Deployment omits `replicas` when an HPA targets it, so `pulumi up` never
    resets what the HPA chose. Exports `service_name`.
    """

    def __init__(
        self,
        name: str,
        service: Service,
        wiring: ServiceWiring,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:workloads:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        selector = labels(service.name)

        ports = []
        if service.ports.http is not None:
            ports.append({"name": "http", "containerPort": service.ports.http, "protocol": "TCP"})
        if service.ports.dubbo is not None:
            ports.append({"name": "dubbo", "containerPort": service.ports.dubbo, "protocol": "TCP"})

        env = [{"name": key, "value": value} for key, value in sorted(service.env.items())]
        env += endpoint_env(service, wiring)
        if "database" in service.uses:
            # The pool size caps each pod's MySQL connections; the capacity rules
            # read it here to check the total against the instance's max_connections.
            env.append(
                {
                    "name": "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE",
                    "value": str(service.database.pool_size),
                }
            )

        container = {
            "name": service.name,
            "image": service.image.reference,
            "ports": ports,
            "env": env,
            "resources": {
                "requests": service.resources.requests.model_dump(exclude_none=True),
                "limits": service.resources.limits.model_dump(exclude_none=True),
            },
        }
        spec: dict = {
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": selector}, "spec": {"containers": [container]}},
        }
        if service.autoscaling is None:
            spec["replicas"] = service.replicas

        self.deployment = k8s.apps.v1.Deployment(
            child_name(name, "deployment"),
            metadata={"name": service.name, "namespace": wiring.namespace, "labels": selector},
            spec=spec,
            opts=child,
        )

        self.service = k8s.core.v1.Service(
            child_name(name, "service"),
            metadata={"name": service.name, "namespace": wiring.namespace, "labels": selector},
            spec={
                "type": "ClusterIP",
                "selector": selector,
                "ports": [
                    {"name": p["name"], "port": p["containerPort"], "targetPort": p["name"]}
                    for p in ports
                ],
            },
            opts=child,
        )

        if service.autoscaling is not None:
            target_cpu = service.autoscaling.target_cpu_utilization
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                child_name(name, "hpa"),
                metadata={"name": service.name, "namespace": wiring.namespace, "labels": selector},
                spec={
                    "scaleTargetRef": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": service.name,
                    },
                    "minReplicas": service.autoscaling.min_replicas,
                    "maxReplicas": service.autoscaling.max_replicas,
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {
                                    "type": "Utilization",
                                    "averageUtilization": target_cpu,
                                },
                            },
                        }
                    ],
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.deployment]),
            )

        self.service_name = self.service.metadata.name
        self.register_outputs({"serviceName": self.service_name})
