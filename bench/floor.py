"""The floor: the Pulumi SDKs registering a run's resources with none of our logic.

A plan lists what one real offline run registered: per resource its type token,
logical name, parent, explicit provider, and inputs (secrets replaced by
"[secret]"). `run_floor` registers the same resources in the same order under the
SDK's mock engine (`pulumi.runtime.set_mocks`), with a mock that returns each
resource's inputs as its outputs. Each custom resource is built from its provider
package's class (`pulumi_aws.ec2.Vpc` for `aws:ec2/vpc:Vpc`), so the floor imports
the provider modules the run uses, as any program must. A type without such a
class (a Kubernetes custom resource) uses `pulumi.CustomResource`, and components
are `pulumi.ComponentResource`. No moto, config validation or recording monitor runs,
so the time the floor takes is what the Pulumi SDKs cost for that graph.

With `--bare` every custom resource uses `pulumi.CustomResource` instead, and no
provider package is imported: the cost of the core SDK alone.

Usage: python -m bench.floor PLAN.json [--bare] [--report REPORT.json]
"""

from __future__ import annotations

import argparse
import collections
import functools
import importlib
import inspect
import json
import re
import time
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

PROVIDER_PREFIX = "pulumi:providers:"
PROJECT = "topfans"
# The Python package of each provider, by the package name in its type tokens.
PACKAGES = {"aws": "pulumi_aws", "kubernetes": "pulumi_kubernetes", "random": "pulumi_random"}
_CAPITAL = re.compile(r"(?<!^)(?=[A-Z])")


class EchoMocks(mocks.Mocks):
    """A mock engine that returns every resource's inputs as its outputs."""

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", args.inputs

    def call(self, args: mocks.MockCallArgs) -> dict:
        return args.args


def type_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Return how many resources of each type token a plan lists."""
    return dict(collections.Counter(entry["type"] for entry in entries))


@functools.cache
def provider_class(type_: str) -> type[pulumi.CustomResource] | None:
    """Return the provider package's class for a type token, or None if it has none.

    `aws:ec2/vpc:Vpc` is `pulumi_aws.ec2.Vpc`, `kubernetes:apps/v1:Deployment` is
    `pulumi_kubernetes.apps.v1.Deployment`, `random:index/randomPassword:RandomPassword`
    is `pulumi_random.RandomPassword`, and `pulumi:providers:kubernetes` is
    `pulumi_kubernetes.Provider`.
    """
    package, module, name = type_.split(":")
    if type_.startswith(PROVIDER_PREFIX):
        package, module, name = name, "index", "Provider"
    if package not in PACKAGES:
        return None
    if module == "index" or module.startswith("index/"):
        path = PACKAGES[package]
    elif package == "kubernetes":
        # kubernetes:networking.k8s.io/v1:Ingress is pulumi_kubernetes.networking.v1.
        group, _, version = module.partition("/")
        if not version:
            return None
        path = f"{PACKAGES[package]}.{group.split('.')[0]}.{version}"
    else:
        path = f"{PACKAGES[package]}.{module.split('/')[0]}"
    try:
        return getattr(importlib.import_module(path), name, None)
    except ModuleNotFoundError:
        return None


def keyword_arguments(cls: type, inputs: dict[str, Any]) -> dict[str, Any]:
    """Return a resource's camelCase inputs as the class's snake_case keyword arguments.

    Raises ValueError for an input the class takes no argument for, so that the
    floor never registers less than the program did.
    """
    parameters = inspect.signature(cls._internal_init).parameters
    arguments = {}
    for key, value in inputs.items():
        argument = _CAPITAL.sub("_", key).lower()
        if argument not in parameters:
            raise ValueError(f"{cls.__name__} takes no argument {argument} for input {key}")
        arguments[argument] = value
    return arguments


def run_floor(
    plan: dict[str, Any], engine: mocks.Mocks | None = None, bare: bool = False
) -> dict[str, int]:
    """Register the plan's resources under the SDK's mock engine.

    With `bare`, custom resources use `pulumi.CustomResource` whatever their type.
    Returns the number of resources of each type the mock monitor registered.
    """
    engine = engine if engine is not None else EchoMocks()
    monitor = mocks.MockMonitor(engine)
    # A fresh root stack resource per run; set_mocks creates it when there is none.
    settings.ROOT.set(None)
    mocks.set_mocks(engine, PROJECT, plan["stack"], preview=False, monitor=monitor)

    def program() -> None:
        created: list[pulumi.Resource] = []
        for entry in plan["resources"]:
            created.append(_register(entry, created, bare))

    _sync_await(run_pulumi_func(program))
    registered = (urn.split("::")[2].rsplit("$", 1)[-1] for urn in monitor.resources)
    return dict(collections.Counter(registered))


def _register(entry: dict[str, Any], created: list[pulumi.Resource], bare: bool) -> pulumi.Resource:
    parent = created[entry["parent"]] if entry["parent"] is not None else None
    if not entry["custom"]:
        component = pulumi.ComponentResource(
            entry["type"], entry["name"], None, pulumi.ResourceOptions(parent=parent)
        )
        component.register_outputs({})
        return component

    provider = created[entry["provider"]] if entry["provider"] is not None else None
    options = pulumi.ResourceOptions(parent=parent, provider=provider)
    cls = None if bare else provider_class(entry["type"])
    if cls is not None:
        return cls(entry["name"], opts=options, **keyword_arguments(cls, entry["inputs"]))
    if entry["type"].startswith(PROVIDER_PREFIX):
        package = entry["type"].removeprefix(PROVIDER_PREFIX)
        return pulumi.ProviderResource(package, entry["name"], entry["inputs"], options)
    return pulumi.CustomResource(entry["type"], entry["name"], entry["inputs"], options)


def main(argv: list[str] | None = None) -> int:
    """Run the floor for one plan file; write the counts and timings to the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path, help="plan file written by bench.program_run")
    parser.add_argument(
        "--bare", action="store_true", help="use pulumi.CustomResource for every custom resource"
    )
    parser.add_argument("--report", type=Path, help="JSON file for the counts and timings")
    options = parser.parse_args(argv)

    started = time.perf_counter()
    plan = json.loads(options.plan.read_text())
    counts = run_floor(plan, bare=options.bare)
    report = {
        "resources": sum(counts.values()),
        "types": counts,
        "run_seconds": time.perf_counter() - started,
    }
    if options.report is not None:
        options.report.write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
