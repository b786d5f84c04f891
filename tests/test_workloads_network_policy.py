"""NetworkPolicies: default deny, then DNS, the namespace, the ALB and the data stores."""

from __future__ import annotations

from tests.helpers import kind
from tests.workload_helpers import EXTERNAL_REGISTRY, config_of, node_group_run, object_name

DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


def _policies(run) -> dict[str, dict]:
    return {object_name(policy): policy.inputs["spec"] for policy in kind(run, "NetworkPolicy")}


def _vpc_cidr(run) -> str:
    return run.of_type("aws:ec2/vpc:Vpc")[0].inputs["cidrBlock"]


def _ports(rule) -> set[int]:
    return {int(port["port"]) for port in rule["ports"]}


def _rules_to(spec, port):
    return [rule for rule in spec["egress"] if port in _ports(rule)]


def test_default_deny_both_directions(run):
    spec = _policies(run)["default-deny"]
    assert spec == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_every_pod_has_a_policy(run):
    policies = _policies(run)
    for service in config_of(run.stack).services:
        selector = policies[service.name]["podSelector"]["matchLabels"]
        assert selector["app.kubernetes.io/name"] == service.name


def test_dns_on_auto_mode_by_port(run):
    spec = _policies(run)["allow-dns"]
    assert spec["podSelector"] == {}
    assert spec["egress"] == [{"ports": DNS_PORTS}]


def test_dns_on_node_group_to_kube_dns():
    spec = _policies(node_group_run())["allow-dns"]
    peer = spec["egress"][0]["to"][0]
    assert spec["egress"][0]["ports"] == DNS_PORTS
    assert peer["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "kube-system"
    }
    assert peer["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}


def test_namespace_callers_on_served_ports(run):
    policies = _policies(run)
    for service in config_of(run.stack).services:
        rule = policies[service.name]["ingress"][0]
        served = {port for name, port in service.declared_ports.items() if name != "qos"}
        assert rule["from"] == [{"podSelector": {}}], service.name
        assert _ports(rule) == served, service.name


def test_gateway_admits_alb_from_vpc(run):
    spec = _policies(run)["gateway"]
    alb = spec["ingress"][1]
    assert alb["from"] == [{"ipBlock": {"cidr": _vpc_cidr(run)}}]
    assert _ports(alb) == {8080}


def test_only_gateway_admits_vpc(run):
    for name, spec in _policies(run).items():
        if name in ("gateway", "default-deny", "allow-dns"):
            continue
        peers = [peer for rule in spec.get("ingress", []) for peer in rule.get("from", [])]
        assert all("ipBlock" not in peer for peer in peers), name


def test_egress_to_data_stores_by_use(run):
    policies = _policies(run)
    vpc = [{"ipBlock": {"cidr": _vpc_cidr(run)}}]
    for service in config_of(run.stack).services:
        spec = policies[service.name]
        for port, endpoint in ((3306, "database"), (6379, "cache")):
            rules = _rules_to(spec, port)
            assert bool(rules) == (endpoint in service.uses), (service.name, endpoint)
            for rule in rules:
                assert rule["to"] == vpc


def test_egress_to_zookeeper(run):
    for service in config_of(run.stack).services:
        rules = _rules_to(_policies(run)[service.name], 2181)
        assert rules[0]["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == (
            "zookeeper"
        )


def test_zookeeper_peers_only_among_members(run):
    spec = _policies(run)["zookeeper"]
    client, peers = spec["ingress"]
    assert _ports(client) == {2181}
    assert client["from"] == [{"podSelector": {}}]
    assert _ports(peers) == {2888, 3888}
    assert peers["from"] == spec["egress"][0]["to"]


def test_external_registry_egress_by_port():
    policies = _policies(node_group_run())
    assert "zookeeper" not in policies
    rules = _rules_to(policies["user"], int(EXTERNAL_REGISTRY.rsplit(":", 1)[1]))
    assert rules == [{"ports": [{"protocol": "TCP", "port": 2181}]}]
