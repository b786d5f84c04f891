"""Pod security: non-root high UID, read-only root, no privileges, no token, bounded resources."""

from __future__ import annotations

from stack_config.model import MIN_RUN_AS_USER
from tests.helpers import by_object_name, kind
from tests.workload_helpers import config_of, containers, object_name, pod_spec, workloads


def test_pods_run_as_high_uid(run):
    for workload in workloads(run):
        security = pod_spec(workload)["securityContext"]
        assert security["runAsNonRoot"] is True, workload.name
        assert security["runAsUser"] >= MIN_RUN_AS_USER, workload.name
        assert security["runAsGroup"] >= MIN_RUN_AS_USER, workload.name


def test_pods_use_runtime_default_seccomp(run):
    for workload in workloads(run):
        profile = pod_spec(workload)["securityContext"]["seccompProfile"]
        assert profile == {"type": "RuntimeDefault"}, workload.name


def test_containers_locked_down(run):
    for workload in workloads(run):
        for container in containers(workload):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, container["name"]
            assert security["allowPrivilegeEscalation"] is False, container["name"]
            assert security["privileged"] is False, container["name"]
            assert security["capabilities"] == {"drop": ["ALL"]}, container["name"]


def test_tmp_is_empty_dir(run):
    for workload in workloads(run):
        volumes = {volume["name"]: volume for volume in pod_spec(workload)["volumes"]}
        for container in containers(workload):
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], workload.name


def test_no_service_account_token(run):
    for workload in workloads(run):
        assert pod_spec(workload)["automountServiceAccountToken"] is False, workload.name
    for account in kind(run, "ServiceAccount"):
        assert account.inputs["automountServiceAccountToken"] is False, account.name


def test_pods_use_own_service_account(run):
    accounts = {object_name(account) for account in kind(run, "ServiceAccount")}
    for workload in workloads(run):
        name = pod_spec(workload)["serviceAccountName"]
        assert name in accounts, workload.name
        assert name != "default"


def test_images_pinned(run):
    for workload in workloads(run):
        for container in containers(workload):
            image = container["image"]
            assert "@sha256:" in image or ":" in image.rsplit("/", 1)[-1], image
            assert not image.endswith(":latest"), image


def test_requests_and_limits_everywhere(run):
    for workload in workloads(run):
        for container in containers(workload):
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert set(resources[bound]) == {"cpu", "memory"}, (container["name"], bound)


def test_service_resources_from_config(run):
    for service in config_of(run.stack).services:
        container = containers(by_object_name(run, "Deployment", service.name))[0]
        assert container["resources"]["limits"]["memory"] == service.resources.limits.memory


def test_namespace_enforces_restricted(run):
    labels = kind(run, "Namespace")[0].inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
