"""Offline preview: run the program for a stack and write what it registered to build/<stack>/.

Usage: python -m offline.preview [--stack dev] [--build-dir build] [--seed seed.yaml]

Prints a resource tree like `pulumi preview` and writes `manifests/` (one YAML
file per Kubernetes object, Secret values redacted), `resources.json`,
`outputs.json` (secrets redacted) and `policy-config.json` (the policy pack's
config for this stack). Then runs every rule over the resources and prints one
line per violation that the stack's relaxations do not waive. Exits 1 with one
line when the config, the program or moto rejects something, or when a rule fails.
A config that adopts existing infrastructure needs `--seed`, a file that describes
it (see `offline.seed`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pulumi
import yaml

from offline.context import load_config, stack_context
from offline.engine import PROJECT_DIR, SECRET_MARK, Resource, RunResult, redact, run_program
from offline.errors import RejectedError
from offline.seed import read_seed
from policy.pack import policy_pack_config
from rules import Report, StackContext, evaluate


def resource_rows(result: RunResult) -> list[dict[str, Any]]:
    """Return one JSON-ready row per resource, every secret replaced by "[secret]".

    Besides type, name, parent, provider and inputs, a row has `options` when the
    program set any of the resource options that guard data: protect, ignoreChanges
    and deleteBeforeReplace.
    """
    rows = []
    for resource in result.resources:
        row: dict[str, Any] = {
            "type": resource.type,
            "name": resource.name,
            "parent": resource.parent_name,
            "provider": resource.provider_name,
            "inputs": redact(resource.inputs),
        }
        options = {
            "protect": resource.protect,
            "ignoreChanges": resource.ignore_changes,
            "deleteBeforeReplace": resource.delete_before_replace,
        }
        options = {key: value for key, value in options.items() if value}
        if options:
            row["options"] = options
        rows.append(row)
    return rows


def redacted_outputs(result: RunResult) -> dict[str, Any]:
    """Return the stack outputs with every secret output replaced by "[secret]"."""
    return {
        key: SECRET_MARK if key in result.secret_outputs else value
        for key, value in sorted(result.outputs.items())
    }


def manifest(resource: Resource) -> dict[str, Any] | None:
    """Return the Kubernetes object a resource renders, or None for other resources.

    Secret values are replaced by "[secret]" whether or not Pulumi marked them.
    """
    if not resource.type.startswith("kubernetes:") or resource.type.startswith("kubernetes:helm"):
        return None
    document = _whole_numbers(redact(resource.outputs))
    document = {key: value for key, value in document.items() if key != "status"}
    document.setdefault("metadata", {})
    document["metadata"] = {
        key: value for key, value in document["metadata"].items() if key not in ("uid",)
    }
    if document.get("kind") == "Secret":
        for key in ("data", "stringData"):
            if key in document:
                document[key] = {name: SECRET_MARK for name in document[key]}
    return document


def _whole_numbers(value: Any) -> Any:
    """Return a copy with whole floats as ints, as the API server stores integer fields.

    The mock engine hands every number over as a float (replicas 2.0), which
    manifest readers such as checkov compare as written.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def manifest_files(result: RunResult) -> list[tuple[str, dict[str, Any]]]:
    """Return (file name, object) for every Kubernetes object of the run, in order."""
    files = []
    for resource in result.resources:
        document = manifest(resource)
        if document is None:
            continue
        metadata = document["metadata"]
        namespace = metadata.get("namespace") or "cluster"
        files.append(
            (f"{namespace}--{document['kind'].lower()}--{metadata['name']}.yaml", document)
        )
    return files


def write_build(result: RunResult, build_dir: Path, context: StackContext | None = None) -> Path:
    """Write manifests/, resources.json and outputs.json for the run; return the folder.

    With a stack context, also write policy-config.json, the `--policy-pack-config`
    that describes this stack to the policy pack.
    """
    target = build_dir / result.stack
    if target.exists():
        shutil.rmtree(target)
    manifests = target / "manifests"
    manifests.mkdir(parents=True)
    for filename, document in manifest_files(result):
        (manifests / filename).write_text(yaml.safe_dump(document, sort_keys=False))
    (target / "resources.json").write_text(json.dumps(resource_rows(result), indent=2) + "\n")
    (target / "outputs.json").write_text(json.dumps(redacted_outputs(result), indent=2) + "\n")
    if context is not None:
        config = policy_pack_config(context)
        (target / "policy-config.json").write_text(json.dumps(config, indent=2) + "\n")
    return target


def failure_lines(report: Report) -> list[str]:
    """Return one line per failed finding: rule, resource, message with its fix."""
    return [
        f"rule {finding.rule.id} failed on {finding.resource}: {finding.message}"
        for finding in report.failed
    ]


def render_tree(result: RunResult) -> str:
    """Return the resources as an indented tree of type and name, with a count."""
    children: dict[str | None, list[Resource]] = defaultdict(list)
    for resource in result.resources:
        children[resource.parent_name].append(resource)
    rows: list[tuple[str, str]] = [("pulumi:pulumi:Stack", f"topfans-{result.stack}")]

    def walk(parent: str | None, depth: int) -> None:
        for resource in children.get(parent, []):
            rows.append(("   " * depth + "├─ " + resource.type, resource.name))
            walk(resource.name, depth + 1)

    walk(None, 1)
    # The type column is as wide as its longest entry, so names never run into types.
    width = max(len(type_column) for type_column, _ in rows) + 2
    lines = [f"     {'Type':<{width}}Name"]
    lines += [f" +   {type_column:<{width}}{name}" for type_column, name in rows]
    lines.append("")
    lines.append(f"Resources:\n    + {len(result.resources) + 1} to create")
    return "\n".join(lines)


def stack_arguments(description: str) -> argparse.ArgumentParser:
    """Return a parser of the options the offline commands share: stack and folders."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)"
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=PROJECT_DIR / "build",
        help="folder for the output (default: build)",
    )
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=PROJECT_DIR,
        help="directory that contains Pulumi.<stack>.yaml (default: the project directory)",
    )
    parser.add_argument(
        "--seed",
        type=Path,
        help="YAML file of the existing VPC, subnets, EKS clusters and hosted zones that "
        "the config adopts, created in moto before the run (default: none)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the offline preview; return the process exit code."""
    parser = stack_arguments(__doc__.splitlines()[0])
    options = parser.parse_args(argv)

    try:
        seed = read_seed(options.seed) if options.seed is not None else None
        result = run_program(options.stack, config_dir=options.config_dir, seed=seed)
        context = stack_context(
            options.stack, load_config(options.stack, config_dir=options.config_dir)
        )
    except (RejectedError, pulumi.RunError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for level, message in result.logs:
        if level in ("info", "warning"):
            print(f"{level}: {message}")
    print(render_tree(result))
    target = write_build(result, options.build_dir, context)
    print(f"\nWrote {target}/manifests, resources.json, outputs.json, policy-config.json")

    report = evaluate(result.views(), context)
    for finding in report.waived:
        print(f"waived by {finding.rule.relaxation}: rule {finding.rule.id} on {finding.resource}")
    failures = failure_lines(report)
    for line in failures:
        print(f"FAILED {line}", file=sys.stderr)
    print(
        f"Rules: {len(report.passed)} passed, {len(failures)} failed, {len(report.waived)} waived"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
