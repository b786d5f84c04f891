"""The network as registered: pods-only ingress, closed defaults, flow logs, NAT per zone."""

from __future__ import annotations

import ipaddress
import json

import pytest

from offline.engine import Resource, RunResult

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _of(run: RunResult, type_: str, name: str) -> Resource:
    return next(r for r in run.resources if r.type == type_ and r.name == name)


def _pod_security_group(run: RunResult) -> str:
    cluster = run.of_type("aws:eks/cluster:Cluster")[0]
    return cluster.outputs["vpcConfig"]["clusterSecurityGroupId"]


@pytest.mark.parametrize(("component", "port"), [("database", 3306), ("cache", 6379)])
def test_data_ingress_only_from_pods(run, component, port):
    group = run.named(f"{component}-sg")
    rules = [rule for rule in run.of_type(INGRESS) if rule.inputs["securityGroupId"] == group.id]
    assert len(rules) == 1
    rule = rules[0].inputs
    assert rule["referencedSecurityGroupId"] == _pod_security_group(run)
    assert rule["ipProtocol"] == "tcp"
    assert (rule["fromPort"], rule["toPort"]) == (port, port)
    assert "cidrIpv4" not in rule
    assert rule["description"]


@pytest.mark.parametrize("component", ["database", "cache"])
def test_data_groups_open_nothing_outward(run, component):
    group = run.named(f"{component}-sg")
    assert group.inputs.get("egress", []) == []
    assert [r for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] == group.id] == []


def test_no_internet_ingress(run):
    for rule in run.of_type(INGRESS):
        cidr = rule.inputs.get("cidrIpv4") or rule.inputs.get("cidrIpv6")
        if cidr is not None:
            assert ipaddress.ip_network(cidr).prefixlen > 0, rule.name
    for group in run.of_type(SECURITY_GROUP):
        for inline in group.inputs.get("ingress") or []:
            assert "0.0.0.0/0" not in (inline.get("cidrBlocks") or []), group.name


def test_default_security_group_closed(run):
    default = run.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    vpc = run.of_type("aws:ec2/vpc:Vpc")[0]
    assert len(default) == 1
    assert default[0].inputs["vpcId"] == vpc.id
    assert default[0].inputs["ingress"] == []
    assert default[0].inputs["egress"] == []


def test_flow_logs_to_encrypted_group(run):
    flow_log = run.of_type("aws:ec2/flowLog:FlowLog")[0].inputs
    group = _of(run, LOG_GROUP, "network-flow-logs")
    key = _of(run, "aws:kms/key:Key", "network-flow-logs-key")
    assert flow_log["vpcId"] == run.of_type("aws:ec2/vpc:Vpc")[0].id
    assert flow_log["trafficType"] == "ALL"
    assert flow_log["logDestination"] == group.outputs["arn"]
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]


def test_flow_log_key_admits_logs_service(prod):
    policy = json.loads(_of(prod, "aws:kms/key:Key", "network-flow-logs-key").inputs["policy"])
    logs = policy["Statement"][1]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/topfans-prod-flow-logs"
    ]


def test_flow_log_retention(dev, prod):
    assert _of(prod, LOG_GROUP, "network-flow-logs").inputs["retentionInDays"] == 365
    assert _of(dev, LOG_GROUP, "network-flow-logs").inputs["retentionInDays"] == 14


def test_no_public_ip_on_launch(run):
    for subnet in run.of_type("aws:ec2/subnet:Subnet"):
        assert subnet.inputs["mapPublicIpOnLaunch"] is False, subnet.name


def test_prod_private_subnets_use_own_zone_nat(prod):
    gateways = {gateway.id: gateway for gateway in prod.of_type("aws:ec2/natGateway:NatGateway")}
    subnets = {subnet.id: subnet for subnet in prod.of_type("aws:ec2/subnet:Subnet")}
    assert len(gateways) == 3
    for index in range(3):
        table = _of(prod, "aws:ec2/routeTable:RouteTable", f"network-private-{index}")
        route = table.inputs["routes"][0]
        nat_subnet = subnets[gateways[route["natGatewayId"]].inputs["subnetId"]]
        private = _of(prod, "aws:ec2/subnet:Subnet", f"network-private-{index}")
        assert nat_subnet.inputs["availabilityZone"] == private.inputs["availabilityZone"]


def test_dev_single_nat(dev):
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1
