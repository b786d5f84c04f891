"""Queries over the resources an offline run registered."""

from __future__ import annotations

from typing import Any

from offline.engine import Resource, RunResult, is_secret, reveal

KUBERNETES_PREFIX = "kubernetes:"


def kubernetes_resources(run: RunResult) -> list[Resource]:
    """Return every Kubernetes resource of the run."""
    return [resource for resource in run.resources if resource.type.startswith(KUBERNETES_PREFIX)]


def kind(run: RunResult, kind_name: str) -> list[Resource]:
    """Return the Kubernetes resources of one kind."""
    return [
        resource
        for resource in kubernetes_resources(run)
        if resource.inputs.get("kind") == kind_name
    ]


def by_object_name(run: RunResult, kind_name: str, name: str) -> Resource:
    """Return the one Kubernetes object of a kind with this metadata.name."""
    matches = [
        resource
        for resource in kind(run, kind_name)
        if resource.outputs["metadata"]["name"] == name
    ]
    assert len(matches) == 1, f"expected one {kind_name} {name}, found {len(matches)}"
    return matches[0]


def container(deployment: Resource) -> dict[str, Any]:
    """Return the first container of a Deployment's pod template, secrets opened."""
    return reveal(deployment.inputs)["spec"]["template"]["spec"]["containers"][0]


def env_map(deployment: Resource) -> dict[str, dict[str, Any]]:
    """Return a Deployment's container env as name -> env entry."""
    return {entry["name"]: entry for entry in container(deployment).get("env", [])}


def find_plain_occurrences(value: Any, needle: str, path: str = "") -> list[str]:
    """Return the paths where `needle` occurs in `value` outside a secret envelope."""
    if is_secret(value):
        return []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            found += find_plain_occurrences(item, needle, f"{path}.{key}")
        return found
    if isinstance(value, list):
        found = []
        for index, item in enumerate(value):
            found += find_plain_occurrences(item, needle, f"{path}[{index}]")
        return found
    if isinstance(value, str) and needle in value:
        return [path]
    return []
