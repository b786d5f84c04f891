"""The pod template of a topfans service: security, probes, shutdown, JVM and Dubbo settings."""

from __future__ import annotations

import math
from typing import Literal

from kubernetes.utils import parse_quantity

from components.workloads.disruption import topology_spread
from stack_config.model import Service

# The emptyDir behind /tmp: the root filesystem is read-only, and Tomcat, the JVM's
# perf data and Dubbo's caches write there.
TMP_VOLUME = {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}
TMP_MOUNT = {"name": "tmp", "mountPath": "/tmp"}


def container_security_context() -> dict:
    """Return the container security context every topfans container gets."""
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def pod_security_context(uid: int) -> dict:
    """Return the pod security context: a non-root UID and group, seccomp RuntimeDefault."""
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def active_processor_count(service: Service) -> int:
    """Return the processor count the JVM should assume when the container has no CPU limit.

    The configured value, or the CPU request rounded up and at least 2: with one
    processor the JVM picks the serial collector and one-thread pools.
    """
    if service.jvm.active_processor_count is not None:
        return service.jvm.active_processor_count
    request = parse_quantity(service.resources.requests.cpu)
    return max(2, math.ceil(request))


def dubbo_system_properties(service: Service) -> list[str]:
    """Return the Dubbo QoS and shutdown settings, as -D flags.

    Dubbo reads system properties before dubbo.properties and Spring Boot's
    configuration, so these win. QoS (Dubbo 3.2 or later) serves the kubelet's
    probes from the node's address as an anonymous caller: the `live`, `ready`
    and `startup` commands are PUBLIC, so that level admits them, while `offline`
    needs PROTECTED and stays local to the preStop hook, because foreign IPs are
    not accepted.
    """
    wait_ms = service.shutdown.app_shutdown_seconds * 1000
    return [
        "-Ddubbo.application.qos-enable=true",
        f"-Ddubbo.application.qos-port={service.ports.qos}",
        "-Ddubbo.application.qos-accept-foreign-ip=false",
        "-Ddubbo.application.qos-anonymous-access-permission-level=PUBLIC",
        f"-Ddubbo.service.shutdown.wait={wait_ms}",
    ]


def java_tool_options(service: Service) -> str:
    """Return JAVA_TOOL_OPTIONS: heap from the memory limit, CPUs, Dubbo settings, extras.

    There is no -Xmx: the heap is a share of the container's memory limit, so a
    resize never leaves the heap and the limit out of step.
    """
    flags = [
        f"-XX:MaxRAMPercentage={service.jvm.max_ram_percentage}",
        "-XX:+ExitOnOutOfMemoryError",
    ]
    if service.resources.limits.cpu is None:
        flags.append(f"-XX:ActiveProcessorCount={active_processor_count(service)}")
    if service.runs_dubbo:
        flags += dubbo_system_properties(service)
    flags += service.jvm.options
    return " ".join(flags)


def runtime_env(service: Service) -> list[dict]:
    """Return the env entries for the JVM, Spring Boot's shutdown and probes, and Dubbo."""
    env = [
        {"name": "JAVA_TOOL_OPTIONS", "value": java_tool_options(service)},
        # Spring Boot drains HTTP requests on SIGTERM for up to appShutdownSeconds.
        {"name": "SERVER_SHUTDOWN", "value": "graceful"},
        {
            "name": "SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE",
            "value": f"{service.shutdown.app_shutdown_seconds}s",
        },
    ]
    if service.ports.http is not None:
        # Exposes /actuator/health/liveness and /readiness, which the probes use.
        env.append({"name": "MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED", "value": "true"})
    if service.ports.dubbo is not None:
        # A provider registers the pod's own address and port, not whatever the
        # JVM finds on its interfaces, so consumers can reach it.
        env += [
            {
                "name": "DUBBO_IP_TO_REGISTRY",
                "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}},
            },
            {"name": "DUBBO_PORT_TO_REGISTRY", "value": str(service.ports.dubbo)},
        ]
    return env


def container_ports(service: Service) -> list[dict]:
    """Return the container ports: http, dubbo and, for a Dubbo service, qos."""
    return [
        {"name": name, "containerPort": number, "protocol": "TCP"}
        for name, number in service.declared_ports.items()
    ]


def probe(service: Service, kind: Literal["startup", "readiness", "liveness"]) -> dict:
    """Return one probe: an HTTP GET on a declared port, timed from the service's config.

    The startup probe allows `startupSeconds` before the kubelet gives up; the
    readiness and liveness probes only start once it has passed.
    """
    endpoint = service.probe(kind)
    settings = service.probes
    failures = settings.failure_threshold
    if kind == "startup":
        failures = math.ceil(settings.startup_seconds / settings.period_seconds)
    return {
        "httpGet": {"path": endpoint.path, "port": service.port_name(endpoint.port)},
        "periodSeconds": settings.period_seconds,
        "timeoutSeconds": settings.timeout_seconds,
        "failureThreshold": failures,
    }


def pre_stop(service: Service) -> dict:
    """Return the preStop handler: a provider leaves the registry, then every pod waits.

    The wait lets consumers and the ALB stop sending before SIGTERM. The offline
    command goes to QoS on 127.0.0.1, the one caller QoS accepts it from; a failed
    call is logged and the wait still runs.
    """
    seconds = service.shutdown.pre_stop_seconds
    if service.ports.dubbo is None:
        return {"sleep": {"seconds": seconds}}
    # NOTE: needs sh and curl in the service image.
    offline = f"curl -fsS --max-time 5 http://127.0.0.1:{service.ports.qos}/offline"
    script = f"{offline} || echo 'dubbo offline failed' >&2; sleep {seconds}"
    return {"exec": {"command": ["sh", "-c", script]}}


def pod_template(
    service: Service,
    selector: dict[str, str],
    env: list[dict],
    annotations: dict,
    service_account: object,
) -> dict:
    """Return the pod template of a service's Deployment."""
    requests = service.resources.requests.model_dump(exclude_none=True)
    limits = service.resources.limits.model_dump(exclude_none=True)
    container = {
        "name": service.name,
        "image": service.image.reference,
        "imagePullPolicy": "Always",
        "ports": container_ports(service),
        "env": env,
        "resources": {"requests": requests, "limits": limits},
        "securityContext": container_security_context(),
        "startupProbe": probe(service, "startup"),
        "readinessProbe": probe(service, "readiness"),
        "livenessProbe": probe(service, "liveness"),
        "lifecycle": {"preStop": pre_stop(service)},
        "volumeMounts": [TMP_MOUNT],
    }
    return {
        "metadata": {"labels": selector, "annotations": annotations},
        "spec": {
            "serviceAccountName": service_account,
            "automountServiceAccountToken": service.service_account_token,
            "securityContext": pod_security_context(service.run_as_user),
            "terminationGracePeriodSeconds": service.shutdown.grace_period_seconds,
            "topologySpreadConstraints": topology_spread(
                selector, "ScheduleAnyway", match_label_keys=["pod-template-hash"]
            ),
            "containers": [container],
            "volumes": [TMP_VOLUME],
        },
    }
