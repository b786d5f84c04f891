"""The gate of `make check`: its report, its verdict and how it reads checkov."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

from offline import diagram, gate
from offline.context import load_config
from offline.engine import PROJECT_DIR
from offline.report import CheckovResult
from rules.capacity import HPA
from tests.conftest import stack_run

SECTIONS = [
    "## Rules",
    "## Schema validation",
    "## checkov",
    "## Capacity",
    "### Database connections",
    "### Compute",
    "## Cost estimate",
    "## Stack graph",
    "```mermaid",
]


def _clean_checkov(stack: str, build_dir: Path) -> CheckovResult:
    return CheckovResult(0, passed=372)


def _failing_checkov(stack: str, build_dir: Path) -> CheckovResult:
    return CheckovResult(
        1, passed=300, failed=1, failures=[("CKV_K8S_8", "Deployment.topfans.user", "/x.yaml")]
    )


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> dict:
    """Run the gate once per stack with a clean checkov; return (result, report) by stack."""
    found = {}
    for stack in ("dev", "prod"):
        build = tmp_path_factory.mktemp("build")
        result = gate.check(
            stack_run(stack), load_config(stack), "us-east-1", build, _clean_checkov
        )
        found[stack] = (result, (build / stack / "report.md").read_text())
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stacks_pass_gate(checked, stack):
    result, _ = checked[stack]
    assert result.failure_lines() == []
    assert result.ok


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_report_has_every_section(checked, stack):
    _, text = checked[stack]
    for section in SECTIONS:
        assert section in text, section


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_report_labels_cost_estimate(checked, stack):
    _, text = checked[stack]
    assert "**Estimate**, monthly, USD" in text
    assert "| **total** |" in text


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_report_lists_cost_assumptions(checked, stack):
    result, text = checked[stack]
    assert "Assumptions:" in text
    for assumption in result.cost.assumptions:
        assert f"- {assumption}" in text


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_report_shows_headroom(checked, stack):
    _, text = checked[stack]
    assert "headroom" in text
    assert "max_connections" in text


def test_dev_report_lists_waiver(checked):
    _, text = checked["dev"]
    assert "| rds-multi-az | waived by `single-az-database` | database-mysql |" in text


def test_prod_report_waives_nothing(checked):
    result, _ = checked["prod"]
    assert result.rules.waived == []


def test_checkov_failure_fails_gate(tmp_path):
    result = gate.check(
        stack_run("dev"), load_config("dev"), "us-east-1", tmp_path, _failing_checkov
    )
    assert not result.ok
    assert result.failure_lines() == [
        "checkov: 1 failed checks over build/dev/manifests; see the report's checkov section"
    ]
    assert "| CKV_K8S_8 | Deployment.topfans.user |" in (tmp_path / "dev" / "report.md").read_text()


def test_connection_overrun_fails_gate(tmp_path):
    run = copy.deepcopy(stack_run("prod"))
    hpa = next(r for r in run.resources if r.type == HPA and r.name == "workloads-collection-hpa")
    hpa.inputs["spec"]["maxReplicas"] = 30.0
    result = gate.check(run, load_config("prod"), "us-east-1", tmp_path, _clean_checkov)
    (line,) = result.failure_lines()
    assert line.startswith("rule capacity-database-connections failed on database-mysql:")
    assert "collection 38 pods (HPA max 30 + surge 8) x pool 15 = 570" in line
    text = (tmp_path / "prod" / "report.md").read_text()
    assert "The gate **FAILED**." in text
    assert "| collection | HPA max 30 | 8 | 38 | 15 | 570 |" in text


def test_gate_main_exit_codes(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(gate, "run_program", lambda stack, config_dir, **_: stack_run(stack))
    passed = gate.main(["--stack", "dev", "--build-dir", str(tmp_path)], _clean_checkov)
    assert passed == 0
    assert "gate passed for dev" in capsys.readouterr().out
    failed = gate.main(["--stack", "dev", "--build-dir", str(tmp_path)], _failing_checkov)
    assert failed == 1
    assert "FAILED checkov: 1 failed checks" in capsys.readouterr().err


def test_read_checkov_counts(tmp_path):
    document = {
        "check_type": "kubernetes",
        "results": {
            "failed_checks": [
                {"check_id": "CKV_K8S_9", "resource": "Deployment.topfans.star", "file_path": "/a"}
            ]
        },
        "summary": {"passed": 10, "failed": 1, "skipped": 2},
    }
    path = tmp_path / "checkov.json"
    path.write_text(json.dumps([document, document]))
    found = gate.read_checkov(path, 1)
    assert (found.passed, found.failed, found.skipped) == (20, 2, 4)
    assert found.failures[0] == ("CKV_K8S_9", "Deployment.topfans.star", "/a")
    assert not found.ok


def test_read_checkov_missing_file(tmp_path):
    found = gate.read_checkov(tmp_path / "checkov.json", 2)
    assert found.error.startswith("no checkov result at")
    assert not found.ok


def test_makefile_checkov_offline():
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "checkov", "STACK=dev", "BUILD_DIR=build"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-m offline.preview --stack dev --build-dir build" in dry_run
    assert "-m tools.checkov.scan build/dev/manifests" in dry_run


def test_diagram_edges(dev):
    components, edges = diagram.component_edges(dev)
    names = {(components[a].name, components[b].name) for a, b in edges}
    assert names == {
        ("network", "cluster"),
        ("network", "database"),
        ("network", "cache"),
        ("network", "workloads"),
        ("cluster", "database"),
        ("cluster", "cache"),
        ("cluster", "workloads"),
        ("database", "workloads"),
        ("cache", "workloads"),
        ("workloads-gateway", "workloads-ingress"),
    }


def test_diagram_nests_workloads(dev):
    text = diagram.mermaid(dev)
    assert text.startswith("flowchart LR")
    assert 'subgraph workloads["workloads<br/>Workloads"]' in text
    assert "  network --> cluster" in text
