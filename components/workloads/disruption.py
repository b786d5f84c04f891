"""Availability through rollouts and node drains: topology spread, rollout, PDB."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

ZONE_KEY = "topology.kubernetes.io/zone"
HOSTNAME_KEY = "kubernetes.io/hostname"

# A rolling update adds a pod before it removes one, so capacity never drops below
# the current count; 25% rounds up to at least one extra pod.
ROLLING_UPDATE = {
    "type": "RollingUpdate",
    "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"},
}


def topology_spread(
    selector: dict[str, str],
    zone_policy: str,
    match_label_keys: list[str] | None = None,
) -> list[dict]:
    """Return spread constraints across zones (with `zone_policy`) and nodes (soft).

    `match_label_keys` limits each count to pods of the same revision (for a
    Deployment, "pod-template-hash"), so a rollout spreads its new pods too.
    """
    constraints = []
    for key, policy in ((ZONE_KEY, zone_policy), (HOSTNAME_KEY, "ScheduleAnyway")):
        constraint: dict = {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": policy,
            "labelSelector": {"matchLabels": selector},
        }
        if match_label_keys:
            constraint["matchLabelKeys"] = match_label_keys
        constraints.append(constraint)
    return constraints


def pod_disruption_budget(
    name: str,
    object_name: str,
    namespace: pulumi.Input[str],
    selector: dict[str, str],
    parent: pulumi.Resource,
) -> k8s.policy.v1.PodDisruptionBudget:
    """Create a PDB that lets a drain evict one pod of the selection at a time.

    maxUnavailable 1 (not minAvailable) still allows one eviction when the
    workload runs at its minimum with every pod ready. A drain waits only while
    another pod of the workload is unavailable.
    """
    return k8s.policy.v1.PodDisruptionBudget(
        name,
        metadata={"name": object_name, "namespace": namespace, "labels": selector},
        spec={
            "maxUnavailable": 1,
            "selector": {"matchLabels": selector},
            # A pod that is not Ready protects no capacity, so a drain may evict it.
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
        opts=pulumi.ResourceOptions(parent=parent),
    )
