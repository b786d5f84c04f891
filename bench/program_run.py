"""Run the real program once through the offline engine and report what it cost.

The benchmark starts this module in a fresh process per run, so that imports and
moto's start-up are paid the way a user pays them. It times the import of the
offline engine and `run_program` separately and writes them, with the resource
count per type, to the report. With `--plan` it also writes the plan the floor
replays (`bench.floor`).

Usage: python -m bench.program_run --stack STACK --config-dir DIR
       [--report REPORT.json] [--plan PLAN.json]
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402 - after the clock starts, so imports are timed
import collections  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from offline.engine import RunResult, redact, run_program  # noqa: E402

IMPORTED = time.perf_counter()


def plan_of(result: RunResult) -> dict[str, Any]:
    """Return the plan of an offline run: its resources in order, ready for JSON.

    Parents and providers become indexes into the list. Inputs are redacted, so
    the plan contains no secret.
    """
    index = {resource.urn: position for position, resource in enumerate(result.resources)}
    entries = [
        {
            "type": resource.type,
            "name": resource.name,
            "custom": resource.custom,
            "parent": index.get(resource.parent_urn),
            "provider": index.get(resource.provider_urn),
            "inputs": redact(resource.inputs) if resource.custom else {},
        }
        for resource in result.resources
    ]
    return {"stack": result.stack, "resources": entries}


def main(argv: list[str] | None = None) -> int:
    """Run the program for one stack; write the counts and timings to the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument(
        "--config-dir", type=Path, required=True, help="folder that contains Pulumi.<stack>.yaml"
    )
    parser.add_argument("--report", type=Path, help="JSON file for the counts and timings")
    parser.add_argument("--plan", type=Path, help="JSON file for the plan the floor replays")
    options = parser.parse_args(argv)

    run_started = time.perf_counter()
    result = run_program(options.stack, config_dir=options.config_dir)
    finished = time.perf_counter()

    report = {
        "resources": len(result.resources),
        "types": dict(collections.Counter(resource.type for resource in result.resources)),
        "import_seconds": IMPORTED - STARTED,
        "run_seconds": finished - run_started,
    }
    if options.report is not None:
        options.report.write_text(json.dumps(report))
    if options.plan is not None:
        options.plan.write_text(json.dumps(plan_of(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
