"""Capacity rules: database connections and compute at every service's maximum."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from offline.context import load_config, stack_context
from offline.engine import run_program
from rules import ResourceView, StackContext, capacity, evaluate, load_all
from tests.conftest import stack_config

PROD = StackContext("prod", "prod")


def _deployment(name: str, replicas=None, pool=None, cpu="500m", memory="1Gi", strategy=None):
    env = [] if pool is None else [{"name": capacity.POOL_SIZE_ENV, "value": str(pool)}]
    spec = {
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": name,
                        "env": env,
                        "resources": {"requests": {"cpu": cpu, "memory": memory}},
                    }
                ]
            }
        }
    }
    if replicas is not None:
        spec["replicas"] = float(replicas)
    if strategy is not None:
        spec["strategy"] = strategy
    metadata = {"name": name, "namespace": "topfans"}
    return ResourceView(
        capacity.DEPLOYMENT, f"{name}-deployment", {"metadata": metadata, "spec": spec}
    )


def _hpa(name: str, minimum: int, maximum: int) -> ResourceView:
    return ResourceView(
        capacity.HPA,
        f"{name}-hpa",
        {
            "metadata": {"name": name, "namespace": "topfans"},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                "minReplicas": float(minimum),
                "maxReplicas": float(maximum),
            },
        },
    )


def _instance(instance_class: str) -> ResourceView:
    return ResourceView(
        capacity.RDS_INSTANCE,
        "database-mysql",
        {"instanceClass": instance_class, "parameterGroupName": "topfans-prod-mysql8-0"},
    )


def _findings(rule_id: str, views, context=PROD):
    rule = load_all()[rule_id]
    return evaluate(views, context, [rule]).failed


@pytest.mark.parametrize(
    ("strategy", "replicas", "surge"),
    [
        (None, 8, 2),  # the default 25%, rounded up
        (None, 1, 1),
        ({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%"}}, 3, 2),
        ({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3.0}}, 10, 3),
        ({"type": "Recreate"}, 5, 0),
    ],
)
def test_surge_from_strategy(strategy, replicas, surge):
    (workload,) = capacity.workloads([_deployment("user", replicas, strategy=strategy)])
    assert workload.surge == surge


def test_hpa_maximum_sets_pods():
    (workload,) = capacity.workloads([_deployment("user", pool=10), _hpa("user", 2, 8)])
    assert workload.autoscaled
    assert workload.min_replicas == 2
    assert workload.max_pods == 10


def test_pod_requests_count_init_containers():
    view = _deployment("user", 1, cpu="250m", memory="512Mi")
    view.inputs["spec"]["template"]["spec"]["initContainers"] = [
        {"name": "migrate", "resources": {"requests": {"cpu": "1", "memory": "256Mi"}}}
    ]
    (workload,) = capacity.workloads([view])
    assert workload.cpu == Decimal(1)
    assert workload.memory == 512 * 1024**2


@pytest.mark.parametrize(
    ("instance_class", "expected"),
    [("db.t4g.small", 153), ("db.m7g.large", 614), ("db.r7g.xlarge", 2457)],
)
def test_max_connections_by_class(instance_class, expected):
    count, _ = capacity.max_connections(_instance(instance_class), [])
    assert count == expected


def test_parameter_group_max_connections_wins():
    group = ResourceView(
        capacity.PARAMETER_GROUP,
        "database-params",
        {
            "name": "topfans-prod-mysql8-0",
            "parameters": [{"name": "max_connections", "value": "1000"}],
        },
    )
    count, source = capacity.max_connections(_instance("db.t4g.small"), [group])
    assert count == 1000
    assert "parameter group" in source


def test_connections_within_limit_pass():
    views = [_instance("db.m7g.large"), _deployment("user", pool=10), _hpa("user", 2, 8)]
    assert _findings("capacity-database-connections", views) == []


def test_connections_over_limit_name_services():
    views = [
        _instance("db.t4g.small"),
        _deployment("user", pool=20),
        _hpa("user", 2, 8),
        _deployment("star", 2, pool=10),
    ]
    (finding,) = _findings("capacity-database-connections", views)
    assert finding.resource == "database-mysql"
    assert "user 10 pods (HPA max 8 + surge 2) x pool 20 = 200" in finding.message
    assert "star 3 pods (replicas 2 + surge 1) x pool 10 = 30" in finding.message
    assert "230 connections" in finding.message
    assert "max_connections 153 (122" in finding.message
    assert "lower services[].autoscaling.maxReplicas" in finding.message


def test_pool_size_not_a_number_fails():
    view = _deployment("user", 2, pool=10)
    view.inputs["spec"]["template"]["spec"]["containers"][0]["env"][0] = {
        "name": capacity.POOL_SIZE_ENV,
        "valueFrom": {"configMapKeyRef": {"name": "x", "key": "y"}},
    }
    (finding,) = _findings("capacity-database-connections", [_instance("db.m7g.large"), view])
    assert finding.resource == "user-deployment"
    assert "not a number" in finding.message


def test_unknown_instance_class_fails():
    (finding,) = _findings("capacity-database-connections", [_instance("db.x9.huge")])
    assert "db.x9.huge is not in the catalog" in finding.message


def test_prod_connections_have_headroom(prod):
    (budget,) = capacity.connection_budgets(prod.views())
    assert sorted(client.name for client in budget.clients) == ["collection", "star", "user"]
    assert budget.max_connections == 614
    assert budget.used == 325
    assert budget.used <= budget.limit


def test_prod_hpa_maximums_over_connections_fail(prod):
    # A maxReplicas the config accepts, but that the database cannot serve.
    views = copy.deepcopy(prod.views())
    hpa = next(v for v in views if v.type == capacity.HPA and v.name == "workloads-collection-hpa")
    hpa.inputs["spec"]["maxReplicas"] = 30.0
    context = stack_context("prod", load_config("prod"))
    (finding,) = _findings("capacity-database-connections", views, context)
    assert "collection 38 pods (HPA max 30 + surge 8) x pool 15 = 570" in finding.message
    assert "user 10 pods (HPA max 8 + surge 2) x pool 10 = 100" in finding.message
    assert "star 3 pods (replicas 2 + surge 1) x pool 10 = 30" in finding.message
    assert "700 connections" in finding.message
    assert "max_connections 614 (491" in finding.message


def test_allocatable_follows_eks_formula():
    cpu, memory = capacity.allocatable("m7g.large")
    assert cpu == Decimal("1.93")
    # 8 GiB less 7.5% VM overhead, 574 MiB kube-reserved and 100 MiB eviction.
    assert memory == (Decimal(8192) * Decimal("0.925") - 674) * 1024**2


def test_allocatable_unknown_type_is_none():
    assert capacity.allocatable("x9.huge") is None


def _node_group(max_size: int, instance_types: list[str]) -> ResourceView:
    return ResourceView(
        capacity.NODE_GROUP,
        "cluster-nodes",
        {
            "instanceTypes": instance_types,
            "scalingConfig": {"minSize": 1.0, "maxSize": float(max_size)},
        },
    )


def test_node_group_too_small_fails():
    views = [_node_group(2, ["m7g.large"]), _deployment("user", pool=None), _hpa("user", 2, 8)]
    # Two m7g.large nodes hold 3.86 CPU and 13.48Gi for pods: memory fits, CPU does not.
    (finding,) = _findings("capacity-compute", views)
    assert "the pods request 5 cpu at their maximum" in finding.message
    assert "user 10 pods x 500m = 5" in finding.message
    assert "over the 3.86 of the managed node group" in finding.message
    assert "maxSize 2 x m7g.large" in finding.message
    assert "raise cluster.nodeGroup.maxSize" in finding.message


def test_node_group_large_enough_passes():
    views = [_node_group(4, ["m7g.large"]), _deployment("user", 3)]
    assert _findings("capacity-compute", views) == []


def test_node_group_unknown_type_fails():
    (finding,) = _findings("capacity-compute", [_node_group(4, ["x9.huge"])])
    assert "x9.huge" in finding.message
    assert "INSTANCE_TYPES" in finding.message


def test_node_pool_limits_checked():
    pool = ResourceView(
        capacity.NODE_POOL,
        "cluster-general-purpose",
        {"spec": {"limits": {"cpu": "4", "memory": "64Gi"}}},
    )
    views = [pool, _deployment("user", 12)]
    (finding,) = _findings("capacity-compute", views)
    assert "the pods request 7.5 cpu" in finding.message
    assert "NodePool spec.limits (cluster-general-purpose)" in finding.message


def test_prod_node_pool_too_small_fails():
    values = stack_config("prod")
    values["topfans:cluster"]["autoMode"] = {"cpuLimit": "16", "memoryLimit": "48Gi"}
    run = run_program("prod", config=values)
    context = stack_context("prod", load_config("prod", values))
    findings = _findings("capacity-compute", run.views(), context)
    assert len(findings) == 2
    assert "the pods request 20.8 cpu at their maximum" in findings[0].message
    assert "gateway 15 pods x 500m = 7.5" in findings[0].message
    assert "over the 16 of the NodePool spec.limits" in findings[0].message
    assert "the pods request 68.00Gi memory" in findings[1].message
    assert "collection 13 pods x 2.00Gi = 26.00Gi" in findings[1].message
    assert "raise cluster.autoMode.memoryLimit" in findings[1].message


def test_stacks_fit_their_node_pools(run):
    context = stack_context(run.stack, load_config(run.stack))
    assert _findings("capacity-compute", run.views(), context) == []
