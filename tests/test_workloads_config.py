"""Bad workload configs fail before any resource, with one message naming service and key."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import ConfigError, validate_stack_config
from tests.conftest import topfans_config


def _service(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(service for service in config["services"] if service["name"] == name)


def _memory_metric(config):
    _service(config, "collection")["autoscaling"]["metric"] = "memory"


def _memory_target(config):
    _service(config, "collection")["autoscaling"]["targetMemoryUtilization"] = 80


def _prod_minimum_one(config):
    _service(config, "gateway")["autoscaling"]["minReplicas"] = 1


def _prod_fixed_one(config):
    _service(config, "star")["replicas"] = 1


def _probe_undeclared_port(config):
    _service(config, "user")["probes"] = {"readiness": {"port": 9090, "path": "/health"}}


def _probe_qos_without_dubbo(config):
    gateway = _service(config, "gateway")
    gateway["uses"] = ["cache"]
    gateway["probes"] = {"liveness": {"port": "qos", "path": "/live"}}


def _second_public(config):
    _service(config, "user")["public"] = True


def _short_scale_down_window(config):
    _service(config, "collection")["autoscaling"]["behavior"] = {
        "scaleDownStabilizationSeconds": 60
    }


def _grace_too_short(config):
    _service(config, "user")["shutdown"] = {"terminationGracePeriodSeconds": 20}


def _xmx_option(config):
    _service(config, "star")["jvm"] = {"options": ["-Xmx2g"]}


def _low_uid(config):
    _service(config, "star")["runAsUser"] = 1000


def _provider_ready_too_soon(config):
    _service(config, "user")["dubbo"] = {"minReadySeconds": 5}


def _drain_outlasts_pre_stop(config):
    config["gateway"]["deregistrationDelaySeconds"] = 45


def _public_readiness_on_qos(config):
    _service(config, "gateway")["probes"] = {"readiness": {"port": "qos", "path": "/ready"}}


def _registry_without_cpu_limit(config):
    config["registry"]["resources"] = {
        "requests": {"cpu": "100m", "memory": "512Mi"},
        "limits": {"memory": "512Mi"},
    }


def _autoscaled_without_cpu_request(config):
    _service(config, "collection")["resources"]["requests"].pop("cpu")


def _reserved_name(config):
    _service(config, "star")["name"] = "zookeeper"


# Each case: the stack, how to break its config, the fragments the message must contain.
BAD_CONFIGS = [
    (
        "dev",
        _memory_metric,
        ["services[3] (collection).autoscaling.metric = 'memory'", "never back down", "cpu"],
    ),
    (
        "dev",
        _memory_target,
        ["services[3] (collection).autoscaling", "targetMemoryUtilization", "scale on cpu"],
    ),
    (
        "prod",
        _prod_minimum_one,
        ["services[0] (gateway).autoscaling.minReplicas = 1", "prod stack may not use", "2"],
    ),
    ("prod", _prod_fixed_one, ["services[2] (star).replicas = 1", "single-replica-services"]),
    (
        "dev",
        _probe_undeclared_port,
        [
            "services[1] (user)",
            "probes.readiness.port = 9090",
            "not a port the container declares",
            "http 8081, dubbo 20880, qos 22222",
        ],
    ),
    (
        "dev",
        _probe_qos_without_dubbo,
        ["services[0] (gateway)", "probes.liveness.port = 'qos'", "(http 8080)"],
    ),
    ("dev", _second_public, ["exactly one service must be public", "['gateway', 'user']"]),
    (
        "dev",
        _short_scale_down_window,
        [
            "services[3] (collection).autoscaling.behavior.scaleDownStabilizationSeconds = 60",
            "at least 300",
        ],
    ),
    (
        "dev",
        _grace_too_short,
        ["services[1] (user).shutdown", "terminationGracePeriodSeconds 20", "raise it to 40"],
    ),
    ("dev", _xmx_option, ["services[2] (star).jvm.options", "'-Xmx2g'", "maxRamPercentage"]),
    ("dev", _low_uid, ["services[2] (star).runAsUser = 1000", "10000 or more"]),
    ("dev", _provider_ready_too_soon, ["services[1] (user).dubbo.minReadySeconds = 5", "15"]),
    (
        "dev",
        _drain_outlasts_pre_stop,
        [
            "gateway.deregistrationDelaySeconds 45",
            "services[0] (gateway).shutdown.preStopSeconds 30",
            "lower the delay",
        ],
    ),
    (
        "dev",
        _public_readiness_on_qos,
        ["services[0] (gateway).probes.readiness.port", "ALB health check", "http"],
    ),
    ("dev", _registry_without_cpu_limit, ["registry", "limits.cpu is missing"]),
    (
        "dev",
        _autoscaled_without_cpu_request,
        ["services[3] (collection).resources", "requests.cpu is missing"],
    ),
    ("dev", _reserved_name, ["services[2] (zookeeper)", "name 'zookeeper' is taken"]),
]


@pytest.mark.parametrize(
    ("stack", "breaker", "fragments"),
    BAD_CONFIGS,
    ids=[case[1].__name__.strip("_") for case in BAD_CONFIGS],
)
def test_bad_workload_config(stack, breaker, fragments):
    config = topfans_config(stack)
    breaker(config)
    with pytest.raises(ConfigError) as raised:
        validate_stack_config(config, stack)
    message = str(raised.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_workloads_valid(stack):
    config = validate_stack_config(topfans_config(stack), stack)
    assert config.public_service.name == "gateway"
