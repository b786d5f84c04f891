"""PDBs, topology spread, surge-only rollouts and minReadySeconds on Dubbo providers."""

from __future__ import annotations

import math

from stack_config.model import MIN_PROVIDER_READY_SECONDS
from tests.helpers import kind
from tests.workload_helpers import config_of, deployment, object_name, pod_spec

ZONE = "topology.kubernetes.io/zone"
HOSTNAME = "kubernetes.io/hostname"


def _budgets(run):
    return {
        object_name(budget): budget.inputs["spec"] for budget in kind(run, "PodDisruptionBudget")
    }


def test_pdb_per_multi_pod_service(run):
    budgets = _budgets(run)
    for service in config_of(run.stack).services:
        assert (service.name in budgets) == (service.min_replicas >= 2), service.name


def test_pdb_selects_service_pods(run):
    budgets = _budgets(run)
    for name, spec in budgets.items():
        if name == "zookeeper":
            continue
        labels = deployment(run, name).inputs["spec"]["template"]["metadata"]["labels"]
        assert spec["selector"]["matchLabels"].items() <= labels.items(), name


def test_pdb_allows_one_eviction_at_minimum(run):
    services = {service.name: service for service in config_of(run.stack).services}
    for name, spec in _budgets(run).items():
        assert spec["maxUnavailable"] == 1, name
        assert "minAvailable" not in spec, name
        if name in services:
            assert services[name].min_replicas - spec["maxUnavailable"] >= 1, name


def test_prod_has_service_pdbs(prod):
    assert set(_budgets(prod)) >= {"gateway", "user", "star", "collection"}


def test_spread_across_zones_and_nodes(run):
    for workload in kind(run, "Deployment"):
        constraints = pod_spec(workload)["topologySpreadConstraints"]
        labels = workload.inputs["spec"]["template"]["metadata"]["labels"]
        assert {c["topologyKey"] for c in constraints} == {ZONE, HOSTNAME}, workload.name
        for constraint in constraints:
            assert constraint["whenUnsatisfiable"] == "ScheduleAnyway"
            assert constraint["maxSkew"] == 1
            assert constraint["labelSelector"]["matchLabels"] == labels
            assert constraint["matchLabelKeys"] == ["pod-template-hash"]


def test_rollout_never_below_count(run):
    for workload in kind(run, "Deployment"):
        strategy = workload.inputs["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0, workload.name


def test_rollout_surges_one_pod(run):
    for service in config_of(run.stack).services:
        surge = deployment(run, service.name).inputs["spec"]["strategy"]["rollingUpdate"]
        percent = int(surge["maxSurge"].rstrip("%"))
        assert math.ceil(service.min_replicas * percent / 100) >= 1, service.name


def test_providers_wait_for_registry(run):
    for service in config_of(run.stack).services:
        spec = deployment(run, service.name).inputs["spec"]
        if service.ports.dubbo is None:
            assert "minReadySeconds" not in spec, service.name
        else:
            assert spec["minReadySeconds"] >= MIN_PROVIDER_READY_SECONDS, service.name
