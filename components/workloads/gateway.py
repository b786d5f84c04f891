"""The stack's only public entry point: an Ingress for an internet-facing ALB."""

from __future__ import annotations

import json

import pulumi
import pulumi_kubernetes as k8s

from components.naming import child_name
from stack_config.model import GatewayConfig, Service

# TLS 1.3 with TLS 1.2 as the floor, the ELB policy AWS recommends for ALBs.
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def ingress_annotations(config: GatewayConfig, service: Service) -> dict[str, str]:
    """Return the ALB annotations: internet-facing, IP targets, HTTPS only, drain timing.

    The health check probes the service's readiness path on the traffic port
    (the pod's http port, with IP targets), so the ALB and the kubelet agree on
    when a pod can serve.
    """
    readiness = service.probe("readiness")
    return {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}]),
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": config.certificate_arn,
        "alb.ingress.kubernetes.io/ssl-policy": SSL_POLICY,
        "alb.ingress.kubernetes.io/healthcheck-path": readiness.path,
        "alb.ingress.kubernetes.io/healthcheck-port": "traffic-port",
        "alb.ingress.kubernetes.io/success-codes": "200",
        "alb.ingress.kubernetes.io/target-group-attributes": (
            f"deregistration_delay.timeout_seconds={config.deregistration_delay_seconds}"
        ),
    }


class Gateway(pulumi.ComponentResource):
    """The one Ingress in front of the gateway service, and on Auto Mode its IngressClass.

    Without `ingress_class_name`, creates an IngressClass served by EKS Auto Mode's
    load balancing (controller eks.amazonaws.com/alb) with IngressClassParams for
    an internet-facing scheme, named after the namespace because IngressClasses
    are cluster-scoped. With it (the AWS Load Balancer Controller's class on a
    managed node group), uses that class. Exports `hostname`, the ALB's DNS name
    once the controller has created it.
    """

    def __init__(
        self,
        name: str,
        config: GatewayConfig,
        service: Service,
        service_name: pulumi.Input[str],
        namespace: pulumi.Input[str],
        ingress_class_name: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:workloads:Gateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if ingress_class_name is None:
            ingress_class_name = self._auto_mode_class(name, namespace, child)

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
                "annotations": ingress_annotations(config, service),
            },
            spec={"ingressClassName": ingress_class_name, "rules": [rule]},
            opts=child,
        )

        self.hostname = self.ingress.status.apply(_load_balancer_hostname)
        self.register_outputs({"hostname": self.hostname})

    @staticmethod
    def _auto_mode_class(
        name: str, namespace: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        """Create the Auto Mode IngressClass and its params; return the class name."""
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
        return ingress_class.metadata.name


def _load_balancer_hostname(status) -> str:
    """Return the ALB's DNS name from an Ingress status, or "" before it exists."""
    balancer = getattr(status, "load_balancer", None)
    entries = getattr(balancer, "ingress", None) or []
    return (getattr(entries[0], "hostname", None) or "") if entries else ""
