"""JVM: heap from the memory limit, processors when there is no CPU limit."""

from __future__ import annotations

from components.workloads.pod_spec import java_tool_options
from tests.helpers import env_map
from tests.workload_helpers import config_of, deployment, service_config

NO_CPU_LIMIT = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}


def test_heap_from_memory_limit(run):
    for service in config_of(run.stack).services:
        options = env_map(deployment(run, service.name))["JAVA_TOOL_OPTIONS"]["value"]
        assert "-XX:MaxRAMPercentage=75.0" in options.split(), service.name
        assert "-Xmx" not in options, service.name
        assert "-Xms" not in options, service.name


def test_cpu_limited_has_no_processor_count(run):
    for service in config_of(run.stack).services:
        options = env_map(deployment(run, service.name))["JAVA_TOOL_OPTIONS"]["value"]
        assert service.resources.limits.cpu is not None
        assert "ActiveProcessorCount" not in options, service.name


def test_processor_count_without_cpu_limit():
    options = java_tool_options(service_config("star", resources=NO_CPU_LIMIT))
    assert "-XX:ActiveProcessorCount=2" in options.split()


def test_processor_count_rounds_request_up():
    resources = {"requests": {"cpu": "2500m", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}
    options = java_tool_options(service_config("star", resources=resources))
    assert "-XX:ActiveProcessorCount=3" in options.split()


def test_processor_count_from_config():
    service = service_config("star", resources=NO_CPU_LIMIT, jvm={"activeProcessorCount": 6})
    assert "-XX:ActiveProcessorCount=6" in java_tool_options(service).split()


def test_extra_jvm_options_appended():
    service = service_config("star", jvm={"maxRamPercentage": 60, "options": ["-XX:+UseG1GC"]})
    flags = java_tool_options(service).split()
    assert flags[0] == "-XX:MaxRAMPercentage=60.0"
    assert flags[-1] == "-XX:+UseG1GC"
