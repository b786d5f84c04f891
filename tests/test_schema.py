"""Strict schema validation of the rendered Kubernetes objects."""

from __future__ import annotations

import copy

import pytest

from offline import preview, schema
from offline.context import load_config


def _documents(run) -> list[dict]:
    return [document for _, document in preview.manifest_files(run)]


def test_stack_objects_valid(run):
    version = load_config(run.stack).cluster.kubernetes_version
    report = schema.validate_objects(_documents(run), version)
    invalid = [(r.kind, r.name, r.errors) for r in report.objects if r.status == schema.INVALID]
    assert invalid == []
    assert report.ok


def test_custom_resources_not_validated(dev):
    report = schema.validate_objects(_documents(dev), "1.35")
    skipped = [r for r in report.objects if r.status == schema.NOT_VALIDATED]
    assert sorted(r.kind for r in skipped) == ["IngressClassParams", "NodeClass", "NodePool"]
    assert all("custom resource" in r.reason for r in skipped)
    assert report.count(schema.VALID) == len(report.objects) - 3


def test_every_error_listed(dev):
    deployment = copy.deepcopy(
        next(
            d
            for d in _documents(dev)
            if d["kind"] == "Deployment" and d["metadata"]["name"] == "user"
        )
    )
    deployment["spec"]["replicas"] = "three"
    deployment["spec"]["paused"] = "no"
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 7
    deployment["spec"]["unknownField"] = True
    result = schema.validate_object(deployment, "1.35")
    assert result.status == schema.INVALID
    assert len(result.errors) == 4
    assert any(error.startswith("spec.replicas:") for error in result.errors)
    assert any(error.startswith("spec.paused:") for error in result.errors)
    assert any("imagePullPolicy" in error for error in result.errors)
    assert any("unknownField" in error for error in result.errors)


def test_invalid_object_fails_report(dev):
    documents = _documents(dev)
    index = next(i for i, d in enumerate(documents) if d["kind"] == "Namespace")
    documents[index] = dict(documents[index], spec={"finalizers": "kubernetes"})
    report = schema.validate_objects(documents, "1.35")
    assert not report.ok
    assert report.count(schema.INVALID) == 1


def test_schema_version_follows_cluster():
    assert schema.schema_version("1.32") == "1.32.0"
    assert schema.schema_version("1.35") == "1.35.0"


def test_unsupported_version_rejected():
    with pytest.raises(ValueError, match="no schema for Kubernetes 9.99"):
        schema.schema_version("9.99")
