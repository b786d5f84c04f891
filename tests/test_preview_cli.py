"""The offline preview command: its tree, its build folder and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from offline import preview
from offline.engine import PROJECT_DIR, is_secret
from tests.conftest import stack_run


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Write the dev run's build folder once."""
    return preview.write_build(stack_run("dev"), tmp_path_factory.mktemp("build"))


def test_tree_counts_resources(dev):
    tree = preview.render_tree(dev)
    assert "pulumi:pulumi:Stack" in tree
    assert f"+ {len(dev.resources) + 1} to create" in tree
    assert "aws:rds/instance:Instance" in tree


def test_resources_json_rows(built, dev):
    rows = json.loads((built / "resources.json").read_text())
    assert len(rows) == len(dev.resources)
    assert {"type", "name", "parent", "provider", "inputs"} <= set(rows[0])
    instance = next(row for row in rows if row["type"] == "aws:rds/instance:Instance")
    assert instance["parent"] == "database"
    assert instance["inputs"]["password"] == "[secret]"


def test_outputs_json_redacted(built):
    outputs = json.loads((built / "outputs.json").read_text())
    assert outputs["databasePassword"] == "[secret]"
    assert outputs["namespace"] == "topfans"


def test_manifest_per_object(built, dev):
    files = sorted((built / "manifests").glob("*.yaml"))
    objects = [r for r in dev.resources if r.type.startswith("kubernetes:")]
    assert len(files) == len(objects)


def test_secret_manifest_redacted(built):
    secret = yaml.safe_load(
        (built / "manifests" / "topfans--secret--topfans-credentials.yaml").read_text()
    )
    assert set(secret["stringData"].values()) == {"[secret]"}


def test_no_secret_in_build_files(built, dev):
    secrets = [
        resource.outputs["result"]["value"]
        for resource in dev.resources
        if resource.type.startswith("random:") and is_secret(resource.outputs["result"])
    ]
    assert secrets
    for path in built.rglob("*"):
        if path.is_file():
            text = path.read_text()
            for secret in secrets:
                assert secret not in text, path.name


def test_invalid_engine_one_line(tmp_path, capsys):
    document = yaml.safe_load((PROJECT_DIR / "Pulumi.dev.yaml").read_text())
    document["config"]["topfans:database"]["engine"] = "mysqll"
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump(document))
    code = preview.main(
        ["--stack", "bad", "--config-dir", str(tmp_path), "--build-dir", str(tmp_path / "build")]
    )
    error = capsys.readouterr().err.strip()
    assert code == 1
    assert len(error.splitlines()) == 1
    assert "topfans:database.engine = 'mysqll'" in error
    assert "rejected" in error
    assert not (tmp_path / "build").exists()


def test_resources_json_data_options(tmp_path, prod):
    rows = json.loads((preview.write_build(prod, tmp_path) / "resources.json").read_text())
    instance = next(row for row in rows if row["type"] == "aws:rds/instance:Instance")
    group = next(row for row in rows if row["type"].endswith("ReplicationGroup"))
    assert instance["options"]["protect"] is True
    assert "allocatedStorage" in instance["options"]["ignoreChanges"]
    assert group["options"]["protect"] is True


def test_resources_json_no_options_in_dev(built):
    rows = json.loads((built / "resources.json").read_text())
    instance = next(row for row in rows if row["type"] == "aws:rds/instance:Instance")
    assert "protect" not in instance.get("options", {})


def test_tree_separates_type_and_name(dev):
    for line in preview.render_tree(dev).splitlines():
        if "workloads-gateway-hpa" in line:
            assert "HorizontalPodAutoscaler " in line
