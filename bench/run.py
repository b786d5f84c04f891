"""Benchmark the offline preview against the floor, for catalogs of several sizes.

Usage: python -m bench.run [--sizes 10 50 200] [--repeat 5] [--out build/bench]

For each size it writes a stack file whose catalog clones the prod services
(`bench.catalog`), validates it, and runs the real program once to write the plan
the floor replays. It then runs the program (`bench.program_run`) and the floor
(`bench.floor`) `--repeat` times each, in turns, each in a fresh process. Per size
it reports the medians of wall time and peak memory (ru_maxrss of the child), the
in-process times, and the ratio of the program's wall time to the floor's. The
table goes to stdout and to `<out>/results.md`; every sample goes to
`<out>/results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.catalog import generate_config, topfans_part, write_stack_file
from offline.engine import PROJECT_DIR
from stack_config import validate_stack_config

DEFAULT_SIZES = (10, 50, 200)
DEFAULT_REPEAT = 5


@dataclass
class Sample:
    """One child process: its wall time, CPU time, peak memory and its own report."""

    wall_seconds: float
    cpu_seconds: float
    peak_mib: float
    report: dict[str, Any]


def machine() -> dict[str, Any]:
    """Return the cores, memory, CPU model, Python and load of this machine."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 2**20, 1)
                break
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gib": memory_gib,
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def run_child(arguments: list[str], report: Path) -> Sample:
    """Run `python -m <arguments>` in a fresh process and measure it.

    Raises RuntimeError when the child fails.
    """
    report.unlink(missing_ok=True)
    # Let the child write bytecode for the project's modules, as Python does unless
    # PYTHONDONTWRITEBYTECODE is set, so that measured runs load it instead of compiling.
    environment = {
        key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", *arguments, "--report", str(report)],
        cwd=PROJECT_DIR,
        env=environment,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    # The child is already reaped; tell Popen so that it does not wait again.
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(arguments)} failed with exit code {process.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    # On Linux ru_maxrss is in KiB.
    return Sample(wall, cpu, usage.ru_maxrss / 1024, json.loads(report.read_text()))


def measure_size(size: int, repeat: int, out: Path) -> dict[str, Any]:
    """Benchmark one catalog size; return its samples and medians."""
    stack = f"bench-{size}"
    config = generate_config(size)
    validate_stack_config(topfans_part(config), stack)
    stacks = out / "stacks"
    write_stack_file(config, stack, stacks)
    plan = out / f"plan-{size}.json"
    report = out / "report.json"
    program = ["bench.program_run", "--stack", stack, "--config-dir", str(stacks)]

    # The first run writes the plan and warms the file cache; it is not counted.
    first = run_child([*program, "--plan", str(plan)], report)
    programs: list[Sample] = []
    floors: list[Sample] = []
    bare_floors: list[Sample] = []
    # Take turns, so that a change in the machine's load hits all three alike.
    for _ in range(repeat):
        programs.append(run_child(program, report))
        floors.append(run_child(["bench.floor", str(plan)], report))
        bare_floors.append(run_child(["bench.floor", str(plan), "--bare"], report))

    for sample in floors + bare_floors:
        if sample.report["types"] != first.report["types"]:
            raise RuntimeError(f"size {size}: the floor registered other types than the program")

    program_wall = statistics.median(sample.wall_seconds for sample in programs)
    floor_wall = statistics.median(sample.wall_seconds for sample in floors)
    program_cpu = statistics.median(sample.cpu_seconds for sample in programs)
    floor_cpu = statistics.median(sample.cpu_seconds for sample in floors)
    return {
        "services": size,
        "resources": first.report["resources"],
        "types": first.report["types"],
        "median": {
            "program_wall_seconds": program_wall,
            "floor_wall_seconds": floor_wall,
            "ratio": program_wall / floor_wall,
            "program_cpu_seconds": program_cpu,
            "floor_cpu_seconds": floor_cpu,
            "cpu_ratio": program_cpu / floor_cpu,
            "program_import_seconds": statistics.median(
                sample.report["import_seconds"] for sample in programs
            ),
            "program_run_seconds": statistics.median(
                sample.report["run_seconds"] for sample in programs
            ),
            "floor_run_seconds": statistics.median(
                sample.report["run_seconds"] for sample in floors
            ),
            "program_peak_mib": statistics.median(sample.peak_mib for sample in programs),
            "floor_peak_mib": statistics.median(sample.peak_mib for sample in floors),
            "bare_floor_wall_seconds": statistics.median(
                sample.wall_seconds for sample in bare_floors
            ),
        },
        "program_samples": [asdict(sample) for sample in programs],
        "floor_samples": [asdict(sample) for sample in floors],
        "bare_floor_samples": [asdict(sample) for sample in bare_floors],
    }


def render_table(results: dict[str, Any]) -> str:
    """Return the results as a Markdown table, with the machine and the command."""
    lines = [
        f"Command: `{results['command']}`",
        "",
        f"Machine: {_describe_machine(results['machine'])}",
        "",
        f"Medians of {results['repeat']} runs each; every run is a fresh process.",
        "",
        "| services | resources | preview s | floor s | ratio | preview CPU s | floor CPU s "
        "| CPU ratio | preview CPU ms per added resource | floor CPU ms per added resource "
        "| preview import s | preview run s | floor run s | bare floor s | preview peak MiB "
        "| floor peak MiB |",
        "|" + " ---: |" * 16,
    ]
    previous = None
    for size in results["sizes"]:
        median = size["median"]
        marginal = {"program": "-", "floor": "-"}
        added = size["resources"] - previous["resources"] if previous is not None else 0
        for key in marginal:
            if added > 0:
                seconds = median[f"{key}_cpu_seconds"] - previous["median"][f"{key}_cpu_seconds"]
                marginal[key] = f"{1000 * seconds / added:.1f}"
        lines.append(
            f"| {size['services']} | {size['resources']} "
            f"| {median['program_wall_seconds']:.2f} | {median['floor_wall_seconds']:.2f} "
            f"| {median['ratio']:.2f} "
            f"| {median['program_cpu_seconds']:.2f} | {median['floor_cpu_seconds']:.2f} "
            f"| {median['cpu_ratio']:.2f} | {marginal['program']} | {marginal['floor']} "
            f"| {median['program_import_seconds']:.2f} | {median['program_run_seconds']:.2f} "
            f"| {median['floor_run_seconds']:.2f} | {median['bare_floor_wall_seconds']:.2f} "
            f"| {median['program_peak_mib']:.0f} "
            f"| {median['floor_peak_mib']:.0f} |"
        )
        previous = size
    load = results["machine"].get("load_average_at_end")
    if load is not None:
        lines += ["", f"Load average (1, 5, 15 min) at the end: {load}."]
    return "\n".join(lines) + "\n"


def _describe_machine(info: dict[str, Any]) -> str:
    return (
        f"{info['usable_cores']} of {info['cores']} cores usable, {info['memory_gib']} GiB, "
        f"{info['cpu']}, Python {info['python']}, {info['system']}, "
        f"load average at start {info['load_average_at_start']}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and write results.md and results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        help=f"catalog sizes in services (default: {' '.join(map(str, DEFAULT_SIZES))})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help=f"measured runs of the program and of the floor per size (default: {DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=PROJECT_DIR / "build" / "bench",
        help="folder for the stack files, plans and results (default: build/bench)",
    )
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error(f"--repeat {options.repeat} is invalid; run at least 1 time")
    options.out.mkdir(parents=True, exist_ok=True)

    results: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "bench.run", *(argv or sys.argv[1:])]),
        "repeat": options.repeat,
        "machine": machine(),
        "sizes": [],
    }
    for size in options.sizes:
        print(f"benchmarking {size} services ...", file=sys.stderr)
        results["sizes"].append(measure_size(size, options.repeat, options.out))
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]

    table = render_table(results)
    print(table, end="")
    (options.out / "results.md").write_text(table)
    (options.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
