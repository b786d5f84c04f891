"""The Kubernetes rules: each flags the broken object and passes the rendered stacks."""

from __future__ import annotations

import copy

import pytest

from rules import ResourceView, StackContext, evaluate, load_all, run_rule
from tests.helpers import kind
from tests.workload_helpers import config_of

PROD = StackContext("prod", "prod")
DEV = StackContext("dev", "dev", frozenset({"single-replica-services", "single-registry-node"}))


def _view(resource) -> ResourceView:
    return ResourceView(resource.type, resource.name, copy.deepcopy(resource.inputs))


def _rule(rule_id):
    return load_all()[rule_id]


def _break(prod, kind_name, name, mutate) -> list[ResourceView]:
    """Return the prod views with one object changed by `mutate`."""
    views = []
    for resource in prod.resources:
        view = _view(resource)
        if (
            resource.inputs.get("kind") == kind_name
            and resource.outputs["metadata"]["name"] == name
        ):
            mutate(view.inputs)
        views.append(view)
    return views


def _memory_metric(inputs):
    inputs["spec"]["metrics"][0]["resource"]["name"] = "memory"


def _short_window(inputs):
    inputs["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] = 60


def _one_replica(inputs):
    inputs["spec"]["minReplicas"] = 1


def _container(inputs):
    return inputs["spec"]["template"]["spec"]["containers"][0]


def _probe_undeclared(inputs):
    _container(inputs)["readinessProbe"]["httpGet"]["port"] = 9090


def _no_pod_ip(inputs):
    env = _container(inputs)["env"]
    _container(inputs)["env"] = [e for e in env if e["name"] != "DUBBO_IP_TO_REGISTRY"]


def _xmx(inputs):
    for entry in _container(inputs)["env"]:
        if entry["name"] == "JAVA_TOOL_OPTIONS":
            entry["value"] += " -Xmx2g"


def _root(inputs):
    inputs["spec"]["template"]["spec"]["securityContext"]["runAsUser"] = 0


def _unavailable(inputs):
    inputs["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = 1


def _short_grace(inputs):
    inputs["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 10


def _no_hash(inputs):
    inputs["spec"]["template"]["metadata"]["annotations"] = {}


def _replicas_on_target(inputs):
    inputs["spec"]["replicas"] = 2


def _http_only(inputs):
    inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/ssl-redirect"] = "none"


def _allow_all(inputs):
    inputs["spec"]["ingress"] = [{}]


def _load_balancer(inputs):
    inputs["spec"]["type"] = "LoadBalancer"


def _no_budget(inputs):
    inputs["spec"]["selector"]["matchLabels"] = {"app.kubernetes.io/name": "nobody"}


# Each case: the rule, the object to break (kind, name) and how.
BROKEN = [
    ("k8s-hpa-cpu-bounded", "HorizontalPodAutoscaler", "collection", _memory_metric),
    ("k8s-hpa-cpu-bounded", "HorizontalPodAutoscaler", "user", _short_window),
    ("k8s-min-two-replicas", "HorizontalPodAutoscaler", "gateway", _one_replica),
    ("k8s-probes-on-declared-ports", "Deployment", "user", _probe_undeclared),
    ("k8s-dubbo-provider", "Deployment", "star", _no_pod_ip),
    ("k8s-jvm-heap-from-limit", "Deployment", "user", _xmx),
    ("k8s-pod-security", "Deployment", "gateway", _root),
    ("k8s-surge-rollout", "Deployment", "gateway", _unavailable),
    ("k8s-grace-covers-shutdown", "Deployment", "user", _short_grace),
    ("k8s-endpoints-hash", "Deployment", "collection", _no_hash),
    ("k8s-hpa-target-without-replicas", "Deployment", "collection", _replicas_on_target),
    ("k8s-ingress-https-alb", "Ingress", "gateway", _http_only),
    ("k8s-default-deny", "NetworkPolicy", "default-deny", _allow_all),
    ("k8s-single-public-entry", "Service", "user", _load_balancer),
    ("k8s-pdb-per-service", "PodDisruptionBudget", "star", _no_budget),
]


@pytest.mark.parametrize(
    ("rule_id", "kind_name", "name", "mutate"),
    BROKEN,
    ids=[f"{case[0]}-{case[3].__name__.strip('_')}" for case in BROKEN],
)
def test_rule_flags_broken_object(prod, rule_id, kind_name, name, mutate):
    assert run_rule(_rule(rule_id), [_view(r) for r in prod.resources], PROD) == []
    findings = run_rule(_rule(rule_id), _break(prod, kind_name, name, mutate), PROD)
    assert len(findings) >= 1


def test_dev_single_replicas_waived(dev):
    rules = [rule for rule in load_all().values() if rule.id.startswith("k8s-")]
    report = evaluate([_view(r) for r in dev.resources], DEV, rules)
    waived = {finding.rule.id for finding in report.waived}
    assert report.failed == []
    assert waived == {"k8s-min-two-replicas", "k8s-registry-ensemble"}


def test_every_kubernetes_rule_applies(prod):
    kinds = {r.type for r in prod.resources}
    for rule in load_all().values():
        if rule.id.startswith("k8s-") and rule.types:
            assert set(rule.types) & kinds, rule.id


def test_prod_services_counted(prod):
    names = {d.outputs["metadata"]["name"] for d in kind(prod, "Deployment")}
    assert names == {s.name for s in config_of("prod").services}
