"""Probes: startup sized for slow starts, readiness and liveness on declared ports."""

from __future__ import annotations

import math

import pytest

from components.workloads.pod_spec import probe
from tests.workload_helpers import config_of, containers, deployment, service_config, workloads

PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


def _declared(container) -> set:
    names = {port["name"] for port in container["ports"]}
    return names | {port["containerPort"] for port in container["ports"]}


def test_every_container_probed(run):
    for workload in workloads(run):
        for container in containers(workload):
            for kind in PROBES:
                assert kind in container, f"{workload.name}: {kind}"


def test_probes_on_declared_ports(run):
    for workload in workloads(run):
        for container in containers(workload):
            for kind in PROBES:
                port = container[kind]["httpGet"]["port"]
                assert port in _declared(container), f"{workload.name}: {kind} on {port}"


def test_startup_covers_configured_seconds(run):
    for service in config_of(run.stack).services:
        startup = containers(deployment(run, service.name))[0]["startupProbe"]
        allowed = startup["failureThreshold"] * startup["periodSeconds"]
        assert allowed >= service.probes.startup_seconds, service.name
        assert allowed < service.probes.startup_seconds + startup["periodSeconds"]


def test_http_services_probe_actuator(run):
    for service in config_of(run.stack).services:
        container = containers(deployment(run, service.name))[0]
        assert container["readinessProbe"]["httpGet"] == {
            "path": "/actuator/health/readiness",
            "port": "http",
        }
        assert container["livenessProbe"]["httpGet"]["path"] == "/actuator/health/liveness"


def test_dubbo_only_service_probes_qos():
    service = service_config(
        "user", ports={"dubbo": 20880, "qos": 22222}, env={}, uses=["database", "registry"]
    )
    paths = {kind: probe(service, kind)["httpGet"] for kind in ("startup", "readiness", "liveness")}
    assert paths["startup"] == {"path": "/startup", "port": "qos"}
    assert paths["readiness"] == {"path": "/ready", "port": "qos"}
    assert paths["liveness"] == {"path": "/live", "port": "qos"}


@pytest.mark.parametrize("seconds", [30, 185, 900])
def test_startup_threshold_from_seconds(seconds):
    service = service_config("star", probes={"startupSeconds": seconds, "periodSeconds": 10})
    startup = probe(service, "startup")
    assert startup["failureThreshold"] == math.ceil(seconds / 10)
    assert startup["periodSeconds"] == 10


def test_probe_port_given_by_number():
    service = service_config(
        "star", probes={"readiness": {"port": 8082, "path": "/actuator/health/readiness"}}
    )
    assert probe(service, "readiness")["httpGet"]["port"] == "http"
