"""The pull-request gate for one stack: `make check STACK=<stack>`.

Usage: python -m offline.gate [--stack dev] [--build-dir build] [--config-dir .]

Runs the program offline and writes build/<stack>/ as the preview does. Then it runs
the rules (with the stack's relaxations) and validates every Kubernetes object
against the schemas of the cluster's Kubernetes version. It runs checkov over the
manifests (tools/checkov/scan.py), in checkov's own virtualenv. It adds the capacity
budgets, a cost estimate and a diagram of the components, writes
build/<stack>/report.md, and exits 1 when a rule, a schema or checkov fails.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pulumi

from offline import cost, diagram, preview, report, schema
from offline.context import load_config, region, stack_context
from offline.engine import RunResult, read_stack_file, run_program
from offline.errors import RejectedError
from offline.report import CheckovResult, GateResult
from offline.seed import read_seed
from rules import evaluate
from rules.capacity import compute_budget, connection_budgets
from stack_config import StackConfig
from tools.checkov import scan

CheckovRunner = Callable[[str, Path], CheckovResult]

# The file under build/<stack>/ that keeps checkov's JSON output.
CHECKOV_RESULTS = Path("checkov.json")


def read_checkov(results: Path, exit_code: int) -> CheckovResult:
    """Return the counts and failed checks of a checkov JSON result file."""
    if not results.exists():
        return CheckovResult(exit_code, error=f"no checkov result at {results}")
    data = json.loads(results.read_text())
    # checkov writes one object per framework, or a list when several ran.
    documents = data if isinstance(data, list) else [data]
    found = CheckovResult(exit_code)
    for document in documents:
        summary = document.get("summary") or {}
        found.passed += int(summary.get("passed", 0))
        found.failed += int(summary.get("failed", 0))
        found.skipped += int(summary.get("skipped", 0))
        for check in (document.get("results") or {}).get("failed_checks") or []:
            found.failures.append(
                (
                    check.get("check_id", "?"),
                    check.get("resource", "?"),
                    check.get("file_path", "?"),
                )
            )
    if exit_code != 0 and not found.failed:
        found.error = f"checkov exited {exit_code} without a failed check"
    return found


def run_checkov(stack: str, build_dir: Path) -> CheckovResult:
    """Run checkov offline over the stack's manifests, keep its JSON and read it."""
    results = build_dir / stack / CHECKOV_RESULTS
    try:
        completed = scan.run([build_dir / stack / "manifests"])
    except FileNotFoundError as error:
        return CheckovResult(2, error=str(error))
    if not completed.stdout.strip():
        output = completed.stderr.strip().splitlines()
        return CheckovResult(
            completed.returncode,
            error=f"checkov failed: {output[-1] if output else 'no output'}",
        )
    results.write_text(completed.stdout)
    return read_checkov(results, completed.returncode)


def check(
    result: RunResult,
    config: StackConfig,
    stack_region: str,
    build_dir: Path,
    checkov: CheckovRunner = run_checkov,
) -> GateResult:
    """Write the build folder of a run, check it, and write build/<stack>/report.md."""
    context = stack_context(result.stack, config)
    target = preview.write_build(result, build_dir, context)
    views = result.views()

    documents = [document for _, document in preview.manifest_files(result)]
    prices = cost.load_prices()
    gate = GateResult(
        stack=result.stack,
        rules=evaluate(views, context),
        schema=schema.validate_objects(documents, config.cluster.kubernetes_version),
        checkov=checkov(result.stack, build_dir),
        connections=connection_budgets(views),
        compute=compute_budget(views, context),
        cost=cost.estimate(views, stack_region, prices),
        cost_sources=cost.price_sources(prices, stack_region),
        diagram=diagram.mermaid(result),
    )
    (target / "report.md").write_text(report.render(gate))
    return gate


def main(argv: list[str] | None = None, checkov: CheckovRunner = run_checkov) -> int:
    """Run the gate for a stack; return the process exit code."""
    parser = preview.stack_arguments(__doc__.splitlines()[0])
    options = parser.parse_args(argv)

    try:
        values = read_stack_file(options.stack, options.config_dir)
        seed = read_seed(options.seed) if options.seed is not None else None
        result = run_program(options.stack, config_dir=options.config_dir, seed=seed)
        config = load_config(options.stack, values)
    except (RejectedError, pulumi.RunError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    gate = check(result, config, region(values), options.build_dir.resolve(), checkov)
    report_path = options.build_dir / options.stack / "report.md"
    for line in gate.failure_lines():
        print(f"FAILED {line}", file=sys.stderr)
    verdict = "passed" if gate.ok else "failed"
    print(
        f"gate {verdict} for {options.stack}: {len(gate.rules.passed)} rules passed, "
        f"{len(gate.rules.failed)} failed, {len(gate.rules.waived)} waived; "
        f"schema {gate.schema.count('valid')} valid, {gate.schema.count(schema.INVALID)} "
        f"invalid, {gate.schema.count(schema.NOT_VALIDATED)} not validated; checkov "
        f"{gate.checkov.passed} passed, {gate.checkov.failed} failed; report {report_path}"
    )
    return 0 if gate.ok else 1


if __name__ == "__main__":
    sys.exit(main())
