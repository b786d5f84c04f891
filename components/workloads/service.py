"""One topfans service: its Deployment, Service, ServiceAccount, HPA and PDB."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.naming import child_name
from components.workloads.disruption import ROLLING_UPDATE, pod_disruption_budget
from components.workloads.endpoints import CONFIG_KEYS, SECRET_KEYS, SPRING_ALIASES
from components.workloads.pod_spec import pod_template, runtime_env
from components.workloads.rollout import ENDPOINTS_HASH_ANNOTATION, endpoints_hash
from stack_config.model import Autoscaling, Service

PART_OF = "topfans"


@dataclass(frozen=True)
class ServiceWiring:
    """The location of a service's shared settings: namespace, ConfigMap and Secret.

    `config_values` and `secret_values` are the data of the ConfigMap and the
    Secret, from which each Deployment hashes the keys it reads.
    """

    namespace: pulumi.Input[str]
    config_map_name: pulumi.Input[str]
    secret_name: pulumi.Input[str]
    config_values: Mapping[str, pulumi.Input[str]]
    secret_values: Mapping[str, pulumi.Input[str]]


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
    """A Deployment and a ClusterIP Service for one catalog entry, with what keeps it up.

    Creates a ServiceAccount (no API token unless the service requests one), the
    Deployment, a ClusterIP Service on the http and dubbo ports, an HPA when the
    service autoscales (the Deployment then omits `replicas`, so `pulumi up` never
    resets what the HPA chose), and a PodDisruptionBudget when it runs two or more
    pods. The pod template carries a digest of the endpoint values it reads, so a
    changed endpoint or credential rolls its pods. Exports `service_name`.
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
        metadata = {"name": service.name, "namespace": wiring.namespace, "labels": selector}

        account = k8s.core.v1.ServiceAccount(
            child_name(name, "account"),
            metadata=metadata,
            automount_service_account_token=service.service_account_token,
            opts=child,
        )

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
        env += runtime_env(service)
        annotations = {
            ENDPOINTS_HASH_ANNOTATION: endpoints_hash(
                env, wiring.config_values, wiring.secret_values
            )
        }

        spec: dict = {
            "selector": {"matchLabels": selector},
            "strategy": ROLLING_UPDATE,
            "revisionHistoryLimit": 5,
            "template": pod_template(service, selector, env, annotations, account.metadata.name),
        }
        if service.ports.dubbo is not None:
            spec["minReadySeconds"] = service.dubbo.min_ready_seconds
        if service.autoscaling is None:
            spec["replicas"] = service.replicas

        self.deployment = k8s.apps.v1.Deployment(
            child_name(name, "deployment"), metadata=metadata, spec=spec, opts=child
        )

        # Only the serving ports; QoS stays reachable from the pod's own node alone.
        served = [
            {"name": port, "port": number, "targetPort": port}
            for port, number in service.declared_ports.items()
            if port != "qos"
        ]
        self.service = k8s.core.v1.Service(
            child_name(name, "service"),
            metadata=metadata,
            spec={"type": "ClusterIP", "selector": selector, "ports": served},
            opts=child,
        )

        if service.autoscaling is not None:
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                child_name(name, "hpa"),
                metadata=metadata,
                spec=hpa_spec(service.name, service.autoscaling),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.deployment]),
            )

        if service.min_replicas >= 2:
            pod_disruption_budget(
                child_name(name, "pdb"), service.name, wiring.namespace, selector, self
            )

        self.service_name = self.service.metadata.name
        self.register_outputs({"serviceName": self.service_name})


def hpa_spec(deployment: str, autoscaling: Autoscaling) -> dict:
    """Return an autoscaling/v2 HPA spec: CPU utilization only, with bounded behavior."""
    behavior = autoscaling.behavior
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
        "minReplicas": autoscaling.min_replicas,
        "maxReplicas": autoscaling.max_replicas,
        "metrics": [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {
                        "type": "Utilization",
                        "averageUtilization": autoscaling.target_cpu_utilization,
                    },
                },
            }
        ],
        "behavior": {
            "scaleUp": {
                "stabilizationWindowSeconds": behavior.scale_up_stabilization_seconds,
                "selectPolicy": "Max",
                "policies": [
                    {
                        "type": "Pods",
                        "value": behavior.scale_up_pods,
                        "periodSeconds": behavior.scale_up_period_seconds,
                    }
                ],
            },
            "scaleDown": {
                "stabilizationWindowSeconds": behavior.scale_down_stabilization_seconds,
                "selectPolicy": "Min",
                "policies": [
                    {
                        "type": "Pods",
                        "value": behavior.scale_down_pods,
                        "periodSeconds": behavior.scale_down_period_seconds,
                    }
                ],
            },
        },
    }
