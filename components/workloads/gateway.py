"""The stack's only public entry point: an Ingress for an internet-facing ALB."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.naming import child_name
from stack_config.model import GatewayConfig, Service


class Gateway(pulumi.ComponentResource):
    """An IngressClass for the ALB and the one Ingress in front of the gateway service.

    With EKS Auto Mode the cluster's own load balancing serves the IngressClass.
    Exports `hostname`, the ALB's DNS name once the controller has created it.
    """

    def __init__(
        self,
        name: str,
        config: GatewayConfig,
        service: Service,
        service_name: pulumi.Input[str],
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:workloads:Gateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # IngressClasses are cluster-scoped: a name per namespace keeps instances apart.
        class_name = pulumi.Output.concat(namespace, "-alb")

        params = k8s.apiextensions.CustomResource(
            child_name(name, "class-params"),
            api_version="eks.amazonaws.com/v1",
            kind="IngressClassParams",
            metadata={"name": class_name},
            spec={"scheme": "internet-facing"},
            opts=child,
        )
        ingress_class = k8s.networking.v1.IngressClass(
            child_name(name, "class"),
            metadata={"name": class_name},
            spec={
                "controller": "eks.amazonaws.com/alb",
                "parameters": {
                    "apiGroup": "eks.amazonaws.com",
                    "kind": "IngressClassParams",
                    "name": params.metadata["name"],
                },
            },
            opts=child,
        )

        rule: dict = {
            "http": {
                "paths": [
                    {
                        "path": "/",
                        "pathType": "Prefix",
                        "backend": {"service": {"name": service_name, "port": {"name": "http"}}},
                    }
                ]
            }
        }
        if config.host:
            rule["host"] = config.host
        self.ingress = k8s.networking.v1.Ingress(
            child_name(name, "ingress"),
            metadata={
                "name": service.name,
                "namespace": namespace,
                "annotations": {
                    "alb.ingress.kubernetes.io/scheme": "internet-facing",
                    "alb.ingress.kubernetes.io/target-type": "ip",
                    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
                    "alb.ingress.kubernetes.io/ssl-redirect": "443",
                    "alb.ingress.kubernetes.io/certificate-arn": config.certificate_arn,
                    "alb.ingress.kubernetes.io/healthcheck-path": config.health_check_path,
                    "alb.ingress.kubernetes.io/target-group-attributes": (
                        f"deregistration_delay.timeout_seconds={config.deregistration_delay_seconds}"
                    ),
                },
            },
            spec={"ingressClassName": ingress_class.metadata.name, "rules": [rule]},
            opts=child,
        )

        self.hostname = self.ingress.status.apply(_load_balancer_hostname)
        self.register_outputs({"hostname": self.hostname})


def _load_balancer_hostname(status) -> str:
    """Return the ALB's DNS name from an Ingress status, or "" before it exists."""
    balancer = getattr(status, "load_balancer", None)
    entries = getattr(balancer, "ingress", None) or []
    return (getattr(entries[0], "hostname", None) or "") if entries else ""
