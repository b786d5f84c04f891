"""The topfans workloads: namespace, shared settings, services, registry, gateway."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.naming import child_name
from components.workloads.endpoints import SharedEndpoints, config_data, secret_data
from components.workloads.gateway import Gateway
from components.workloads.network_policy import PolicyTargets, network_policies
from components.workloads.platform import Platform
from components.workloads.registry import ZooKeeper
from components.workloads.service import ServiceWiring, TopfansService
from stack_config.model import GatewayConfig, RegistryConfig, Service


class Workloads(pulumi.ComponentResource):
    """Every topfans service in one namespace, wired to the shared endpoints.

    Creates the namespace, which enforces the restricted Pod Security Standard,
    a ConfigMap with the endpoints and a Secret with the credentials. Adds the
    Dubbo registry (unless an external one is configured), one `TopfansService`
    per catalog entry and the NetworkPolicies (deny by default, then what each pod
    needs). When `gateway` is given, adds the `Gateway` in front of the one public
    service. The namespace and the endpoints are arguments, so that one stack can
    hold several instances side by side, one per namespace. Cluster-scoped objects
    are named after the namespace. `platform` describes the cluster's compute mode
    (default: EKS Auto Mode). Pass the cluster's provider in `opts.providers`.
    Exports `namespace` and `gateway` (None without one).
    """

    def __init__(
        self,
        name: str,
        namespace: str,
        services: list[Service],
        endpoints: SharedEndpoints,
        registry: RegistryConfig,
        gateway: GatewayConfig | None,
        opts: pulumi.ResourceOptions | None = None,
        platform: Platform | None = None,
    ) -> None:
        super().__init__("topfans:workloads:Workloads", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        platform = platform or Platform()
        if gateway is not None and platform.compute_mode == "node-group":
            if platform.ingress_class_name is None:
                raise pulumi.RunError(
                    f"workloads {name!r}: on a managed node group the gateway needs the AWS "
                    "Load Balancer Controller's IngressClass; pass it as "
                    "platform.ingress_class_name"
                )

        namespace_labels = {
            "app.kubernetes.io/part-of": "topfans",
            # Every pod here meets the restricted Pod Security Standard; the API
            # server rejects one that does not.
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
        }
        if platform.compute_mode == "node-group":
            # The AWS Load Balancer Controller then keeps a rollout waiting until
            # each new gateway pod is healthy in the ALB's target group.
            namespace_labels["elbv2.k8s.aws/pod-readiness-gate-inject"] = "enabled"
        self.namespace = k8s.core.v1.Namespace(
            child_name(name, "namespace"),
            metadata={"name": namespace, "labels": namespace_labels},
            opts=child,
        )
        namespace_name = self.namespace.metadata.name

        if registry.mode == "external":
            registry_address: pulumi.Input[str] = registry.address  # type: ignore[assignment]
        else:
            registry_address = ZooKeeper(
                child_name(name, "zookeeper"),
                registry,
                namespace_name,
                storage_provisioner=platform.storage_provisioner,
                opts=child,
            ).address

        config_values = config_data(endpoints, registry_address)
        secret_values = secret_data(endpoints)
        config_map = k8s.core.v1.ConfigMap(
            child_name(name, "endpoints"),
            metadata={"name": "topfans-endpoints", "namespace": namespace_name},
            data=config_values,
            opts=child,
        )
        secret = k8s.core.v1.Secret(
            child_name(name, "credentials"),
            metadata={"name": "topfans-credentials", "namespace": namespace_name},
            type="Opaque",
            string_data=secret_values,
            opts=child,
        )
        wiring = ServiceWiring(
            namespace=namespace_name,
            config_map_name=config_map.metadata.name,
            secret_name=secret.metadata.name,
            config_values=config_values,
            secret_values=secret_values,
        )

        components = {
            service.name: TopfansService(
                child_name(name, service.name), service, wiring, opts=child
            )
            for service in services
        }

        network_policies(
            name,
            self,
            namespace_name,
            services,
            registry,
            PolicyTargets(
                vpc_cidr=endpoints.vpc_cidr,
                database_port=endpoints.database.port,
                cache_port=endpoints.cache.port,
                dns_on_nodes=platform.dns_on_nodes,
            ),
        )

        self.gateway: Gateway | None = None
        if gateway is not None:
            public = [service for service in services if service.public]
            if len(public) != 1:
                raise pulumi.RunError(
                    f"workloads {name!r}: a gateway needs exactly one public service, "
                    f"found {len(public)}; set public: true on one service"
                )
            self.gateway = Gateway(
                child_name(name, "ingress"),
                gateway,
                public[0],
                components[public[0].name].service_name,
                namespace_name,
                ingress_class_name=platform.ingress_class_name,
                opts=child,
            )

        outputs: dict[str, pulumi.Input[str]] = {"namespace": namespace_name}
        if self.gateway is not None:
            outputs["gatewayHostname"] = self.gateway.hostname
        self.register_outputs(outputs)
