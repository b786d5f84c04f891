"""Dubbo: registered address and port, registry from the ConfigMap, offline on stop, QoS."""

from __future__ import annotations

import re

from components.workloads.pod_spec import container_ports, probe, runtime_env
from stack_config.model import SHUTDOWN_MARGIN_SECONDS
from tests.helpers import env_map
from tests.workload_helpers import config_of, containers, deployment, pod_spec, service_config


def _providers(stack):
    return [service for service in config_of(stack).services if service.ports.dubbo]


def _java_options(container) -> str:
    return {e["name"]: e for e in container["env"]}["JAVA_TOOL_OPTIONS"]["value"]


def test_stacks_have_providers(run):
    assert {service.name for service in _providers(run.stack)} == {"user", "star", "collection"}


def test_provider_registers_pod_ip(run):
    for service in _providers(run.stack):
        entry = env_map(deployment(run, service.name))["DUBBO_IP_TO_REGISTRY"]
        assert entry["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}


def test_provider_registers_dubbo_port(run):
    for service in _providers(run.stack):
        container = containers(deployment(run, service.name))[0]
        declared = {port["name"]: int(port["containerPort"]) for port in container["ports"]}
        registered = env_map(deployment(run, service.name))["DUBBO_PORT_TO_REGISTRY"]["value"]
        assert registered == str(declared["dubbo"]) == str(service.ports.dubbo)


def test_consumer_registers_nothing(run):
    env = env_map(deployment(run, "gateway"))
    assert "DUBBO_IP_TO_REGISTRY" not in env
    assert "DUBBO_PORT_TO_REGISTRY" not in env


def test_registry_address_from_config_map(run):
    for service in config_of(run.stack).services:
        entry = env_map(deployment(run, service.name))["DUBBO_REGISTRY_ADDRESS"]
        assert entry["valueFrom"]["configMapKeyRef"]["name"] == "topfans-endpoints"


def test_provider_pre_stop_offline_then_waits(run):
    for service in _providers(run.stack):
        container = containers(deployment(run, service.name))[0]
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[:2] == ["sh", "-c"]
        offline, wait = command[2].split("; ")
        assert f"http://127.0.0.1:{service.ports.qos}/offline" in offline
        assert wait == f"sleep {service.shutdown.pre_stop_seconds}"


def test_grace_covers_wait_and_shutdown(run):
    for service in config_of(run.stack).services:
        workload = deployment(run, service.name)
        container = containers(workload)[0]
        wait_ms = re.search(r"-Ddubbo\.service\.shutdown\.wait=(\d+)", _java_options(container))
        drain = int(wait_ms.group(1)) / 1000
        grace = pod_spec(workload)["terminationGracePeriodSeconds"]
        assert grace > service.shutdown.pre_stop_seconds + drain + SHUTDOWN_MARGIN_SECONDS - 1


def test_qos_settings_match_probes(run):
    for service in config_of(run.stack).services:
        container = containers(deployment(run, service.name))[0]
        options = _java_options(container)
        declared = {port["name"]: int(port["containerPort"]) for port in container["ports"]}
        assert declared["qos"] == service.ports.qos
        assert "-Ddubbo.application.qos-enable=true" in options
        assert f"-Ddubbo.application.qos-port={declared['qos']}" in options
        assert "-Ddubbo.application.qos-accept-foreign-ip=false" in options


def test_qos_probes_admitted_anonymously():
    service = service_config(
        "user",
        probes={
            "readiness": {"port": "qos", "path": "/ready"},
            "liveness": {"port": 22222, "path": "/live"},
        },
    )
    options = {e["name"]: e.get("value") for e in runtime_env(service)}["JAVA_TOOL_OPTIONS"]
    declared = {port["name"]: port["containerPort"] for port in container_ports(service)}
    for kind in ("readiness", "liveness"):
        assert probe(service, kind)["httpGet"]["port"] == "qos"
    assert declared["qos"] == 22222
    assert "-Ddubbo.application.qos-port=22222" in options
    # The kubelet probes from the node's address: PUBLIC admits live/ready/startup.
    assert "-Ddubbo.application.qos-anonymous-access-permission-level=PUBLIC" in options


def test_http_only_service_has_no_qos():
    service = service_config("gateway", uses=["cache"])
    names = [port["name"] for port in container_ports(service)]
    options = {e["name"]: e.get("value") for e in runtime_env(service)}["JAVA_TOOL_OPTIONS"]
    assert names == ["http"]
    assert "dubbo" not in options
