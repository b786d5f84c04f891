"""Rules over the Kubernetes objects: autoscaling, availability, probes, Dubbo, security.

They check what the workloads render, so a change to the components that drops a
safeguard fails here even when the stack config is valid. Where a checkov check
covers the same ground, the rule names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rules import ResourceView, StackContext, resource_rule, stack_rule

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
SERVICE = "kubernetes:core/v1:Service"
WORKLOADS = [DEPLOYMENT, STATEFUL_SET]

MIN_SCALE_DOWN_WINDOW_SECONDS = 300
MIN_PROVIDER_READY_SECONDS = 15
MIN_UID = 10000
ENDPOINTS_HASH = "checksum/endpoints"


def _pod_spec(resource: ResourceView) -> Mapping[str, Any]:
    return resource.inputs.get("spec", {}).get("template", {}).get("spec", {})


def _containers(resource: ResourceView) -> Iterator[Mapping[str, Any]]:
    spec = _pod_spec(resource)
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def _name(resource: ResourceView) -> str:
    return resource.inputs.get("metadata", {}).get("name", resource.name)


def _env(container: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env") or []}


def _pre_stop_seconds(container: Mapping[str, Any]) -> int | None:
    """Return how long a container's preStop hook waits, or None without a wait."""
    handler = container.get("lifecycle", {}).get("preStop") or {}
    if "sleep" in handler:
        return int(handler["sleep"]["seconds"])
    command = " ".join(handler.get("exec", {}).get("command") or [])
    match = re.search(r"\bsleep (\d+)", command)
    return int(match.group(1)) if match else None


@resource_rule(
    "k8s-hpa-cpu-bounded",
    "HPAs scale on CPU only, scale up in bounded steps and scale down slowly",
    types=[HPA],
)
def hpa_cpu_bounded(resource: ResourceView, context: StackContext) -> str | None:
    spec = resource.inputs.get("spec", {})
    metrics = spec.get("metrics") or []
    names = [metric.get("resource", {}).get("name") for metric in metrics]
    if names != ["cpu"]:
        return f"metrics are {names}; a JVM's memory never drops, so scale on cpu only"
    behavior = spec.get("behavior") or {}
    for direction in ("scaleUp", "scaleDown"):
        policies = behavior.get(direction, {}).get("policies") or []
        if not policies or any("periodSeconds" not in policy for policy in policies):
            return f"behavior.{direction} has no bounded policies; set pods per period"
    window = behavior["scaleDown"].get("stabilizationWindowSeconds", 0)
    if window < MIN_SCALE_DOWN_WINDOW_SECONDS:
        return (
            f"behavior.scaleDown.stabilizationWindowSeconds is {window}; "
            f"set {MIN_SCALE_DOWN_WINDOW_SECONDS} or more"
        )
    return None


@resource_rule(
    "k8s-min-two-replicas",
    "Every service runs at least two pods",
    types=[HPA, DEPLOYMENT],
    relaxation="single-replica-services",
)
def min_two_replicas(resource: ResourceView, context: StackContext) -> str | None:
    spec = resource.inputs.get("spec", {})
    key = "minReplicas" if resource.type == HPA else "replicas"
    if key in spec and spec[key] < 2:
        return f"{key} is {spec[key]}; run at least 2 pods"
    return None


@stack_rule(
    "k8s-hpa-target-without-replicas",
    "A Deployment that an HPA scales leaves replicas to the HPA",
)
def hpa_target_without_replicas(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    targets = {hpa.inputs["spec"]["scaleTargetRef"]["name"] for hpa in resources if hpa.type == HPA}
    return [
        (deployment.name, "spec.replicas is set, so every pulumi up resets the HPA's choice")
        for deployment in resources
        if deployment.type == DEPLOYMENT
        and _name(deployment) in targets
        and "replicas" in deployment.inputs.get("spec", {})
    ]


@stack_rule(
    "k8s-pdb-per-service",
    "Every workload with two or more pods has a PDB that allows one eviction",
)
def pdb_per_service(resources: list[ResourceView], context: StackContext) -> list[tuple[str, str]]:
    minimums = {
        hpa.inputs["spec"]["scaleTargetRef"]["name"]: hpa.inputs["spec"]["minReplicas"]
        for hpa in resources
        if hpa.type == HPA
    }
    budgets = [budget.inputs.get("spec", {}) for budget in resources if budget.type == PDB]
    findings = []
    for workload in resources:
        if workload.type not in WORKLOADS:
            continue
        spec = workload.inputs.get("spec", {})
        minimum = minimums.get(_name(workload), spec.get("replicas", 1))
        if minimum < 2:
            continue
        labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
        matching = [
            budget
            for budget in budgets
            if budget.get("selector", {}).get("matchLabels", {}).items() <= labels.items()
        ]
        if not matching:
            findings.append((workload.name, "no PodDisruptionBudget selects its pods"))
        elif not any(budget.get("maxUnavailable", 0) >= 1 for budget in matching):
            findings.append((workload.name, "its PDB allows no eviction; set maxUnavailable: 1"))
    return findings


@resource_rule(
    "k8s-surge-rollout",
    "Rolling updates add a pod before removing one and spread pods over zones and nodes",
    types=[DEPLOYMENT],
)
def surge_rollout(resource: ResourceView, context: StackContext) -> str | None:
    spec = resource.inputs.get("spec", {})
    rolling = spec.get("strategy", {}).get("rollingUpdate") or {}
    if rolling.get("maxUnavailable") != 0:
        return "strategy.rollingUpdate.maxUnavailable is not 0"
    if rolling.get("maxSurge") in (None, 0, "0%"):
        return "strategy.rollingUpdate.maxSurge is 0, so a rollout cannot add a pod"
    keys = {c.get("topologyKey") for c in _pod_spec(resource).get("topologySpreadConstraints", [])}
    if not {"topology.kubernetes.io/zone", "kubernetes.io/hostname"} <= keys:
        return "the pods are not spread across zones and nodes"
    return None


@resource_rule(
    "k8s-probes-on-declared-ports",
    "Every container has startup, readiness and liveness probes on ports it declares",
    types=WORKLOADS,
    checkov=["CKV_K8S_8", "CKV_K8S_9"],
)
def probes_on_declared_ports(resource: ResourceView, context: StackContext) -> str | None:
    for container in _pod_spec(resource).get("containers") or []:
        declared = set()
        for port in container.get("ports") or []:
            declared |= {port.get("name"), port.get("containerPort")}
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container.get(kind)
            if probe is None:
                return f"container {container['name']} has no {kind}"
            port = (probe.get("httpGet") or probe.get("tcpSocket") or {}).get("port")
            if port is not None and port not in declared:
                return (
                    f"{kind} of {container['name']} uses port {port!r}, which it does not declare"
                )
    return None


@resource_rule(
    "k8s-dubbo-provider",
    "A Dubbo provider registers its pod IP and port, leaves the registry before it stops",
    types=[DEPLOYMENT],
)
def dubbo_provider(resource: ResourceView, context: StackContext) -> str | None:
    spec = resource.inputs.get("spec", {})
    for container in _pod_spec(resource).get("containers") or []:
        ports = {port.get("name"): port.get("containerPort") for port in container.get("ports", [])}
        if "dubbo" not in ports:
            continue
        env = _env(container)
        address = env.get("DUBBO_IP_TO_REGISTRY", {}).get("valueFrom", {}).get("fieldRef", {})
        if address.get("fieldPath") != "status.podIP":
            return "DUBBO_IP_TO_REGISTRY does not come from status.podIP"
        if env.get("DUBBO_PORT_TO_REGISTRY", {}).get("value") != str(int(ports["dubbo"])):
            return "DUBBO_PORT_TO_REGISTRY differs from the declared dubbo port"
        command = " ".join(
            container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command") or []
        )
        if "/offline" not in command:
            return "the preStop hook does not take the provider offline through QoS"
        if spec.get("minReadySeconds", 0) < MIN_PROVIDER_READY_SECONDS:
            return f"minReadySeconds is below {MIN_PROVIDER_READY_SECONDS}"
    return None


@resource_rule(
    "k8s-grace-covers-shutdown",
    "The grace period outlasts the preStop wait and the JVM's shutdown",
    types=[DEPLOYMENT],
)
def grace_covers_shutdown(resource: ResourceView, context: StackContext) -> str | None:
    pod = _pod_spec(resource)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    for container in pod.get("containers") or []:
        wait = _pre_stop_seconds(container)
        if wait is None:
            return f"container {container['name']} has no preStop wait"
        shutdown = re.search(
            r"dubbo\.service\.shutdown\.wait=(\d+)",
            _env(container).get("JAVA_TOOL_OPTIONS", {}).get("value", ""),
        )
        drain = int(shutdown.group(1)) // 1000 if shutdown else 0
        if grace <= wait + drain:
            return f"terminationGracePeriodSeconds {grace} does not exceed {wait} + {drain}"
    return None


@resource_rule(
    "k8s-jvm-heap-from-limit",
    "JVMs size the heap from the memory limit, and their CPUs without a CPU limit",
    types=[DEPLOYMENT],
)
def jvm_heap_from_limit(resource: ResourceView, context: StackContext) -> str | None:
    for container in _pod_spec(resource).get("containers") or []:
        options = _env(container).get("JAVA_TOOL_OPTIONS", {}).get("value", "")
        if "-XX:MaxRAMPercentage=" not in options:
            return "JAVA_TOOL_OPTIONS has no -XX:MaxRAMPercentage"
        if "-Xmx" in options:
            return "JAVA_TOOL_OPTIONS sets -Xmx, which ignores the memory limit"
        has_cpu_limit = "cpu" in container.get("resources", {}).get("limits", {})
        if not has_cpu_limit and "-XX:ActiveProcessorCount=" not in options:
            return "no CPU limit and no -XX:ActiveProcessorCount"
    return None


@resource_rule(
    "k8s-endpoints-hash",
    "A pod that reads the endpoints ConfigMap or Secret carries a digest of what it reads",
    types=[DEPLOYMENT],
)
def endpoints_hash(resource: ResourceView, context: StackContext) -> str | None:
    reads = any(
        "configMapKeyRef" in entry.get("valueFrom", {})
        or "secretKeyRef" in entry.get("valueFrom", {})
        for container in _containers(resource)
        for entry in container.get("env") or []
    )
    annotations = resource.inputs.get("spec", {}).get("template", {}).get("metadata", {})
    if reads and ENDPOINTS_HASH not in annotations.get("annotations", {}):
        return (
            f"the pod template has no {ENDPOINTS_HASH} annotation, so config changes never roll it"
        )
    return None


@resource_rule(
    "k8s-pod-security",
    "Pods run as a high non-root UID, read-only, without privileges, token or unbounded resources",
    types=WORKLOADS,
    checkov=[
        "CKV_K8S_10",
        "CKV_K8S_11",
        "CKV_K8S_12",
        "CKV_K8S_13",
        "CKV_K8S_20",
        "CKV_K8S_22",
        "CKV_K8S_23",
        "CKV_K8S_28",
        "CKV_K8S_31",
        "CKV_K8S_37",
        "CKV_K8S_38",
        "CKV_K8S_40",
    ],
)
def pod_security(resource: ResourceView, context: StackContext) -> str | None:
    pod = _pod_spec(resource)
    security = pod.get("securityContext") or {}
    if security.get("runAsNonRoot") is not True or security.get("runAsUser", 0) < MIN_UID:
        return f"the pod does not run as non-root with a UID of {MIN_UID} or more"
    if security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        return "the pod's seccomp profile is not RuntimeDefault"
    if pod.get("automountServiceAccountToken") is not False:
        return "the pod mounts a service-account token"
    for container in _containers(resource):
        context_ = container.get("securityContext") or {}
        if context_.get("readOnlyRootFilesystem") is not True:
            return f"container {container['name']} has a writable root filesystem"
        if context_.get("allowPrivilegeEscalation") is not False:
            return f"container {container['name']} allows privilege escalation"
        if context_.get("capabilities", {}).get("drop") != ["ALL"]:
            return f"container {container['name']} keeps Linux capabilities"
        resources = container.get("resources") or {}
        for bound in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(bound, {})):
                return f"container {container['name']} lacks CPU or memory {bound}"
    return None


@stack_rule(
    "k8s-default-deny",
    "Each namespace with pods denies all ingress and egress by default",
    checkov=["CKV2_K8S_6"],
)
def default_deny(resources: list[ResourceView], context: StackContext) -> list[tuple[str, str]]:
    denied = {
        policy.inputs.get("metadata", {}).get("namespace")
        for policy in resources
        if policy.type == NETWORK_POLICY
        and policy.inputs.get("spec", {}).get("podSelector") == {}
        and set(policy.inputs["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not policy.inputs["spec"].get("ingress")
        and not policy.inputs["spec"].get("egress")
    }
    return [
        (workload.name, "its namespace has no default-deny NetworkPolicy")
        for workload in resources
        if workload.type in WORKLOADS
        and workload.inputs.get("metadata", {}).get("namespace") not in denied
    ]


@stack_rule(
    "k8s-single-public-entry",
    "The stack has exactly one Ingress and no Service of type LoadBalancer",
)
def single_public_entry(
    resources: list[ResourceView], context: StackContext
) -> list[tuple[str, str]]:
    findings = [
        (service.name, "a Service of type LoadBalancer is a second public entry point")
        for service in resources
        if service.type == SERVICE and service.inputs.get("spec", {}).get("type") == "LoadBalancer"
    ]
    ingresses = [resource.name for resource in resources if resource.type == INGRESS]
    if len(ingresses) != 1:
        findings.append(("stack", f"expected one Ingress, found {len(ingresses)}: {ingresses}"))
    return findings


@resource_rule(
    "k8s-ingress-https-alb",
    "The Ingress is an internet-facing ALB with IP targets that redirects HTTP to HTTPS",
    types=[INGRESS],
)
def ingress_https_alb(resource: ResourceView, context: StackContext) -> str | None:
    annotations = resource.inputs.get("metadata", {}).get("annotations", {})
    expected = {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
    }
    for key, value in expected.items():
        if annotations.get(key) != value:
            return f"annotation {key} is {annotations.get(key)!r}, expected {value!r}"
    if not annotations.get("alb.ingress.kubernetes.io/certificate-arn", "").startswith("arn:"):
        return "no ACM certificate ARN, so the ALB has no HTTPS listener"
    return None


@resource_rule(
    "k8s-registry-ensemble",
    "ZooKeeper runs three or more members",
    types=[STATEFUL_SET],
    relaxation="single-registry-node",
)
def registry_ensemble(resource: ResourceView, context: StackContext) -> str | None:
    if _name(resource) != "zookeeper":
        return None
    replicas = resource.inputs.get("spec", {}).get("replicas", 1)
    if replicas < 3:
        return f"replicas is {replicas}; an ensemble of 3 survives the loss of a member"
    return None
