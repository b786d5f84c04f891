"""HPAs: autoscaling/v2 on CPU only, bounded behavior, and what their targets need."""

from __future__ import annotations

from stack_config.model import MIN_SCALE_DOWN_STABILIZATION_SECONDS
from tests.helpers import kind
from tests.workload_helpers import config_of, containers, deployment

HPA_TYPE = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


def _hpas(run):
    return kind(run, "HorizontalPodAutoscaler")


def test_hpa_one_per_autoscaled_service(run):
    autoscaled = {s.name for s in config_of(run.stack).services if s.autoscaling}
    targets = {hpa.inputs["spec"]["scaleTargetRef"]["name"] for hpa in _hpas(run)}
    assert targets == autoscaled


def test_hpa_api_version_v2(run):
    for hpa in _hpas(run):
        assert hpa.type == HPA_TYPE
        assert hpa.inputs["apiVersion"] == "autoscaling/v2"


def test_hpa_metrics_cpu_only(run):
    for hpa in _hpas(run):
        metrics = hpa.inputs["spec"]["metrics"]
        assert len(metrics) == 1, hpa.name
        assert metrics[0]["type"] == "Resource"
        assert metrics[0]["resource"]["name"] == "cpu"
        assert metrics[0]["resource"]["target"]["type"] == "Utilization"


def test_hpa_scale_up_bounded(run):
    for hpa in _hpas(run):
        scale_up = hpa.inputs["spec"]["behavior"]["scaleUp"]
        assert scale_up["policies"], hpa.name
        for policy in scale_up["policies"]:
            assert policy["type"] == "Pods"
            assert policy["value"] >= 1
            assert policy["periodSeconds"] >= 15
        assert scale_up["stabilizationWindowSeconds"] >= 0


def test_hpa_scale_down_window(run):
    for hpa in _hpas(run):
        window = hpa.inputs["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"]
        assert window >= MIN_SCALE_DOWN_STABILIZATION_SECONDS, hpa.name


def test_hpa_scale_down_rate_bounded(run):
    for hpa in _hpas(run):
        scale_down = hpa.inputs["spec"]["behavior"]["scaleDown"]
        assert scale_down["selectPolicy"] == "Min"
        assert scale_down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 60}]


def test_prod_minimum_two_pods(prod):
    for hpa in _hpas(prod):
        assert hpa.inputs["spec"]["minReplicas"] >= 2, hpa.name
    for service in config_of("prod").services:
        assert service.min_replicas >= 2, service.name


def test_hpa_target_without_replicas(run):
    for hpa in _hpas(run):
        target = deployment(run, hpa.inputs["spec"]["scaleTargetRef"]["name"])
        assert "replicas" not in target.inputs["spec"], target.name


def test_autoscaled_containers_request_cpu(run):
    for hpa in _hpas(run):
        target = deployment(run, hpa.inputs["spec"]["scaleTargetRef"]["name"])
        for container in containers(target):
            assert container["resources"]["requests"]["cpu"], container["name"]
