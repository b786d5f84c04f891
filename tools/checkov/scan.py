"""Run checkov's Kubernetes checks over rendered manifests, with every network call off.

Usage: python -m tools.checkov.scan DIRECTORY [DIRECTORY ...]

checkov runs from its own virtualenv (.venv-checkov, made by `make checkov-setup`),
with the settings and skips of .checkov.yaml. Exits with checkov's code: 1 when a
check failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHECKOV = PROJECT_DIR / ".venv-checkov" / "bin" / "checkov"
CONFIG = PROJECT_DIR / ".checkov.yaml"

# An address where nothing listens: a request checkov still makes through a proxy
# fails at once on this machine instead of leaving it.
CLOSED_PROXY = "http://127.0.0.1:9"


def offline_env(proxy: str = CLOSED_PROXY) -> dict[str, str]:
    """Return the environment that keeps checkov (3.3) from calling out.

    Without an API key checkov scans locally. CKV_SKIP_PACKAGE_UPDATE_CHECK stops the
    PyPI version check its banner module makes on import, BC_SKIP_MAPPING (with
    --skip-download) stops the download of policy metadata, and every proxy
    variable points at `proxy`, so any request left over fails closed.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BC_", "CKV_", "PRISMA_")) and key.lower() != "no_proxy"
    }
    env.update(
        {
            "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
            "BC_SKIP_MAPPING": "TRUE",
            "HTTP_PROXY": proxy,
            "HTTPS_PROXY": proxy,
            "http_proxy": proxy,
            "https_proxy": proxy,
        }
    )
    return env


def command(directories: list[Path], output: str = "cli") -> list[str]:
    """Return the checkov command line for the directories, in one output format."""
    arguments = [str(CHECKOV), "--config-file", str(CONFIG), "--output", output]
    for directory in directories:
        arguments += ["--directory", str(directory)]
    return arguments


def run(directories: list[Path], proxy: str = CLOSED_PROXY) -> subprocess.CompletedProcess:
    """Run checkov over the directories with JSON output and return the finished process."""
    if not CHECKOV.exists():
        raise FileNotFoundError(f"{CHECKOV} is missing; run `make checkov-setup` first")
    return subprocess.run(
        command(directories, output="json"),
        env=offline_env(proxy),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def summaries(stdout: str) -> list[dict]:
    """Return checkov's JSON reports as a list (checkov prints one object per framework)."""
    document = json.loads(stdout)
    return document if isinstance(document, list) else [document]


def main(argv: list[str] | None = None) -> int:
    """Run checkov with CLI output over the directories; return its exit code."""
    directories = [Path(argument) for argument in (argv if argv is not None else sys.argv[1:])]
    if not directories:
        print("usage: python -m tools.checkov.scan DIRECTORY [DIRECTORY ...]", file=sys.stderr)
        return 2
    if not CHECKOV.exists():
        print(f"error: {CHECKOV} is missing; run `make checkov-setup`", file=sys.stderr)
        return 2
    # --quiet lists the failed checks only, after the counts.
    arguments = command(directories) + ["--quiet"]
    return subprocess.run(arguments, env=offline_env(), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
