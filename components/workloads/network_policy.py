"""NetworkPolicies: deny by default, then allow what each topfans pod needs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.naming import child_name
from components.workloads.registry import CLIENT_PORT, ELECTION_PORT, PEER_PORT
from components.workloads.registry import selector as zookeeper_selector
from components.workloads.service import labels
from stack_config.model import RegistryConfig, Service

DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
KUBE_DNS_PODS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}
SAME_NAMESPACE = {"podSelector": {}}


@dataclass(frozen=True)
class PolicyTargets:
    """The destinations the policies open outside the namespace: VPC block, data ports.

    `vpc_cidr` contains the ALB's addresses and the RDS and ElastiCache endpoints.
    Without it, the database, cache and ALB rules name ports only.
    `dns_on_nodes` is true on EKS Auto Mode, where CoreDNS runs as a system service
    on each node behind the kube-dns ClusterIP, so no pod selector matches it.
    """

    vpc_cidr: pulumi.Input[str] | None
    database_port: int
    cache_port: int
    dns_on_nodes: bool


def _tcp(*ports: int) -> list[dict]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def _vpc_peers(targets: PolicyTargets) -> list[dict] | None:
    """Return the peers inside the VPC, or None (any address) without a VPC block."""
    if targets.vpc_cidr is None:
        return None
    return [{"ipBlock": {"cidr": targets.vpc_cidr}}]


def _rule(peers: list[dict] | None, ports: list[dict], direction: str) -> dict:
    rule: dict = {"ports": ports}
    if peers is not None:
        rule["from" if direction == "ingress" else "to"] = peers
    return rule


def served_ports(service: Service) -> list[int]:
    """Return the ports other pods may call: http and dubbo, never QoS."""
    return [number for name, number in service.declared_ports.items() if name != "qos"]


def service_policy_spec(
    service: Service,
    catalog_ports: list[int],
    registry: RegistryConfig,
    targets: PolicyTargets,
) -> dict:
    """Return the NetworkPolicy spec of one service: who may call it, what it may call."""
    ingress = [_rule([SAME_NAMESPACE], _tcp(*served_ports(service)), "ingress")]
    if service.public and service.ports.http is not None:
        # The ALB sends to pod IPs (target type ip) from its nodes in the VPC.
        ingress.append(_rule(_vpc_peers(targets), _tcp(service.ports.http), "ingress"))

    egress = [_rule([SAME_NAMESPACE], _tcp(*catalog_ports), "egress")]
    if "registry" in service.uses:
        if registry.mode == "zookeeper":
            zookeeper = {"podSelector": {"matchLabels": zookeeper_selector()}}
            egress.append(_rule([zookeeper], _tcp(CLIENT_PORT), "egress"))
        else:
            # An external registry may live outside the VPC, so only its port is fixed.
            egress.append(_rule(None, _tcp(registry.external_port), "egress"))
    if "database" in service.uses:
        egress.append(_rule(_vpc_peers(targets), _tcp(targets.database_port), "egress"))
    if "cache" in service.uses:
        egress.append(_rule(_vpc_peers(targets), _tcp(targets.cache_port), "egress"))

    return {
        "podSelector": {"matchLabels": labels(service.name)},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": ingress,
        "egress": egress,
    }


def zookeeper_policy_spec() -> dict:
    """Return the ZooKeeper policy: clients from the namespace, peers among themselves."""
    peers = [{"podSelector": {"matchLabels": zookeeper_selector()}}]
    return {
        "podSelector": {"matchLabels": zookeeper_selector()},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [
            _rule([SAME_NAMESPACE], _tcp(CLIENT_PORT), "ingress"),
            _rule(peers, _tcp(PEER_PORT, ELECTION_PORT), "ingress"),
        ],
        "egress": [_rule(peers, _tcp(PEER_PORT, ELECTION_PORT), "egress")],
    }


def dns_policy_spec(targets: PolicyTargets) -> dict:
    """Return the policy that lets every pod in the namespace resolve names."""
    # NOTE: on Auto Mode the rule admits port 53 to any address, because the node's
    # resolver sits behind the kube-dns ClusterIP, whose service CIDR this
    # component does not receive.
    peers = None if targets.dns_on_nodes else [KUBE_DNS_PODS]
    return {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [_rule(peers, DNS_PORTS, "egress")],
    }


def network_policies(
    name: str,
    parent: pulumi.Resource,
    namespace: pulumi.Input[str],
    services: list[Service],
    registry: RegistryConfig,
    targets: PolicyTargets,
) -> list[k8s.networking.v1.NetworkPolicy]:
    """Create the namespace's NetworkPolicies and return them.

    Creates a default deny for ingress and egress, and DNS for every pod. Each
    service gets a policy that admits callers in the namespace on its ports (and
    the ALB for the public one) and lets it reach the registry, database and
    cache it uses. An in-cluster registry gets one for ZooKeeper. The kubelet's
    probes come from the node's own address, which the VPC CNI's policy agent
    always admits.
    """
    opts = pulumi.ResourceOptions(parent=parent)
    catalog_ports = sorted({port for service in services for port in served_ports(service)})
    specs: dict[str, dict] = {
        "default-deny": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        "allow-dns": dns_policy_spec(targets),
    }
    for service in services:
        specs[service.name] = service_policy_spec(service, catalog_ports, registry, targets)
    if registry.mode == "zookeeper":
        specs["zookeeper"] = zookeeper_policy_spec()

    return [
        k8s.networking.v1.NetworkPolicy(
            child_name(name, f"netpol-{object_name}"),
            metadata={"name": object_name, "namespace": namespace},
            spec=spec,
            opts=opts,
        )
        for object_name, spec in specs.items()
    ]
