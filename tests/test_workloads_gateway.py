"""The gateway: one HTTPS ALB Ingress, drain timing, and what serves it per compute mode."""

from __future__ import annotations

import json

from components.load_balancer_controller import CHART_REPOSITORY, CHART_VERSION
from tests.helpers import kind
from tests.workload_helpers import config_of, containers, deployment, node_group_run, pod_spec

PREFIX = "alb.ingress.kubernetes.io/"


def _annotations(run) -> dict[str, str]:
    return kind(run, "Ingress")[0].inputs["metadata"]["annotations"]


def test_one_ingress_no_load_balancer_service(run):
    assert len(kind(run, "Ingress")) == 1
    for service in kind(run, "Service"):
        assert service.inputs["spec"].get("type", "ClusterIP") != "LoadBalancer", service.name


def test_internet_facing_ip_targets(run):
    annotations = _annotations(run)
    assert annotations[PREFIX + "scheme"] == "internet-facing"
    assert annotations[PREFIX + "target-type"] == "ip"


def test_https_with_config_certificate(run):
    annotations = _annotations(run)
    listeners = json.loads(annotations[PREFIX + "listen-ports"])
    assert listeners == [{"HTTP": 80}, {"HTTPS": 443}]
    assert annotations[PREFIX + "ssl-redirect"] == "443"
    assert annotations[PREFIX + "certificate-arn"] == config_of(run.stack).gateway.certificate_arn


def test_health_check_on_readiness_path(run):
    readiness = containers(deployment(run, "gateway"))[0]["readinessProbe"]["httpGet"]
    annotations = _annotations(run)
    assert annotations[PREFIX + "healthcheck-path"] == readiness["path"]
    assert annotations[PREFIX + "healthcheck-port"] == "traffic-port"
    assert readiness["port"] == "http"


def test_drain_before_stop_before_kill(run):
    attribute = _annotations(run)[PREFIX + "target-group-attributes"]
    delay = int(attribute.removeprefix("deregistration_delay.timeout_seconds="))
    gateway = deployment(run, "gateway")
    wait = containers(gateway)[0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    grace = pod_spec(gateway)["terminationGracePeriodSeconds"]
    assert delay == config_of(run.stack).gateway.deregistration_delay_seconds
    assert delay < wait
    assert wait < grace


def test_auto_mode_serves_ingress(run):
    classes = kind(run, "IngressClass")
    assert [c.inputs["spec"]["controller"] for c in classes] == ["eks.amazonaws.com/alb"]
    assert len(kind(run, "IngressClassParams")) == 1
    assert run.of_type("kubernetes:helm.sh/v3:Release") == []
    ingress_class = kind(run, "Ingress")[0].inputs["spec"]["ingressClassName"]
    assert ingress_class == classes[0].outputs["metadata"]["name"] == "topfans-alb"


def test_node_group_runs_controller():
    run = node_group_run()
    release = run.of_type("kubernetes:helm.sh/v3:Release")[0].inputs
    assert release["chart"] == "aws-load-balancer-controller"
    assert release["version"] == CHART_VERSION
    assert release["repositoryOpts"]["repo"] == CHART_REPOSITORY
    assert release["namespace"] == "kube-system"
    assert release["values"]["createIngressClassResource"] is False


def test_node_group_ingress_class():
    run = node_group_run()
    classes = kind(run, "IngressClass")
    assert [c.inputs["spec"]["controller"] for c in classes] == ["ingress.k8s.aws/alb"]
    assert kind(run, "IngressClassParams") == []
    assert kind(run, "Ingress")[0].inputs["spec"]["ingressClassName"] == "alb"


def test_node_group_controller_identity():
    run = node_group_run()
    association = run.named("load-balancer-controller-identity").inputs
    role = run.named("load-balancer-controller-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    attachment = run.named("load-balancer-controller-policy")
    assert association["roleArn"] == role.outputs["arn"]
    assert association["namespace"] == "kube-system"
    assert association["serviceAccount"] == "aws-load-balancer-controller"
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert attachment.type == "aws:iam/policy:Policy"


def test_controller_policy_scoped_by_tag():
    run = node_group_run()
    attachments = run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    policy = json.loads(run.named("load-balancer-controller-policy").inputs["policy"])
    deletes = [
        s for s in policy["Statement"] if "elasticloadbalancing:DeleteLoadBalancer" in s["Action"]
    ]
    assert any(a.name == "load-balancer-controller-policy" for a in attachments)
    assert deletes[0]["Condition"] == {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}


def test_node_group_readiness_gate(run):
    labels = kind(node_group_run(), "Namespace")[0].inputs["metadata"]["labels"]
    assert labels["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
    assert (
        "elbv2.k8s.aws/pod-readiness-gate-inject"
        not in (kind(run, "Namespace")[0].inputs["metadata"]["labels"])
    )
