"""Run the real program under the Pulumi SDK's mock engine, with moto standing in for AWS.

`run_program` registers every resource of `__main__.py` through a monitor that
records what the real engine would see: type, name, parent, provider, options and
inputs. The engine completes each resource the way its provider would. AWS
resources are created in moto through boto3, Kubernetes objects get the provider's
auto-names, and random values are generated from their inputs.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import runpy
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from offline import aws_moto, kubernetes, random_values
from offline.errors import RejectedError
from offline.seed import Seed, create_seeded, rewrite_ids
from rules import ResourceView

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROJECT = "topfans"
SECRET_MARK = "[secret]"
# libyaml's loader when PyYAML was built with it: it reads the benchmark's 200-service
# stack file in a fifth of the pure-Python loader's 0.3 s.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# At exit CPython runs several full collections while it tears modules down, and with
# moto's and the provider SDKs' objects and a run's garbage (the collector is paused
# during runs) they took 1 to 2 of a preview's CPU seconds. The collections skip
# frozen objects, and the OS reclaims the memory of the process anyway.
atexit.register(gc.freeze)


@dataclass
class Resource:
    """One registered resource as the engine saw it."""

    urn: str
    type: str
    name: str
    parent_urn: str | None
    provider_urn: str | None
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str | None
    protect: bool
    ignore_changes: list[str]
    additional_secret_outputs: list[str]
    dependencies: list[str]
    delete_before_replace: bool

    @property
    def parent_name(self) -> str | None:
        """The logical name of the parent, or None under the stack root."""
        if self.parent_urn is None or self.parent_urn.split("::")[2] == "pulumi:pulumi:Stack":
            return None
        return self.parent_urn.split("::")[-1]

    @property
    def provider_name(self) -> str | None:
        """The logical name of the explicit provider, or None for the default one."""
        return self.provider_urn.split("::")[-1] if self.provider_urn else None


@dataclass
class RunResult:
    """The result of one offline run: the resources in order and the stack outputs."""

    stack: str
    resources: list[Resource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    logs: list[tuple[str, str]] = field(default_factory=list)
    # Each id a seed file declared, mapped to the id moto gave the seeded object.
    seeded_ids: dict[str, str] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Resource]:
        """Return the resources of one type token, in registration order."""
        return [resource for resource in self.resources if resource.type == type_]

    def views(self) -> list[ResourceView]:
        """Return the resources as the rules see them, secrets replaced by "[secret]"."""
        return [ResourceView(r.type, r.name, redact(r.inputs)) for r in self.resources]

    def named(self, name: str) -> Resource:
        """Return the resource with this logical name; raise KeyError if there is none."""
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)


def is_secret(value: Any) -> bool:
    """Return whether a value is the SDK's secret envelope."""
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def reveal(value: Any) -> Any:
    """Return a copy of an input value with every secret envelope opened."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item) for item in value]
    return value


def redact(value: Any) -> Any:
    """Return a copy of an input value with every secret replaced by "[secret]"."""
    if is_secret(value):
        return SECRET_MARK
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def _wrap_secret(value: Any) -> dict:
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


class OfflineEngine(mocks.Mocks):
    """Complete each resource as its provider would, AWS ones in moto."""

    def __init__(self, region: str) -> None:
        self.aws = aws_moto.AwsBackend(region)
        self._lock = threading.Lock()

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = reveal(args.inputs)
        if not args.custom:
            # A ComponentResource has no provider; its outputs are what it registers.
            return "", {}
        with self._lock:
            if args.typ.startswith("pulumi:providers:"):
                return f"{args.name}-id", dict(inputs)
            if args.typ.startswith("aws:"):
                return self.aws.create(args.typ, args.name, inputs, args.resource_id)
            if args.typ.startswith("kubernetes:"):
                return kubernetes.complete(args.typ, args.name, inputs, self.aws.region)
            if args.typ.startswith("random:"):
                return random_values.complete(args.typ, args.name, inputs)
        raise RejectedError(
            f"{args.typ} {args.name}: the offline engine does not know this resource type"
        )

    def call(self, args: mocks.MockCallArgs) -> dict:
        with self._lock:
            if args.token.startswith("aws:"):
                return self.aws.invoke(args.token, reveal(args.args))
        raise RejectedError(f"{args.token}: the offline engine does not know this function")


class RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that records every registration with its options.

    It also applies `additionalSecretOutputs`, as the real engine does, so outputs a
    provider's schema marks secret stay secret under the mocks.
    """

    def __init__(self, engine: OfflineEngine, result: RunResult) -> None:
        super().__init__(engine)
        self.result = result
        self._order_lock = threading.Lock()

    def RegisterResource(self, request):  # noqa: N802 - the gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)

        _ensure_event_loop()
        inputs = rpc.deserialize_properties(request.object)
        resource_id, state = self.mocks.new_resource(
            mocks.MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=inputs,
                provider=request.provider,
                resource_id=request.importId,
                custom=request.custom or False,
            )
        )
        for key in request.additionalSecretOutputs:
            if key in state and not is_secret(state[key]):
                state[key] = _wrap_secret(state[key])

        provider = request.provider.rsplit("::", 1)[0] if request.provider else None
        record = Resource(
            urn=urn,
            type=request.type,
            name=request.name,
            parent_urn=request.parent or None,
            provider_urn=provider,
            custom=bool(request.custom),
            inputs=inputs,
            outputs=state,
            id=resource_id,
            protect=bool(request.protect),
            ignore_changes=list(request.ignoreChanges),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            dependencies=list(request.dependencies),
            delete_before_replace=bool(request.deleteBeforeReplace),
        )
        with self._order_lock:
            self.result.resources.append(record)
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, resource_id, state)
        properties = _sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=properties)


class _LogCollector:
    """A logger for the mock engine that keeps what the program logged."""

    def __init__(self, result: RunResult) -> None:
        self.result = result

    def _keep(self, level: str, message: str) -> None:
        self.result.logs.append((level, message))

    def debug(self, message: str) -> None:
        self._keep("debug", message)

    def info(self, message: str) -> None:
        self._keep("info", message)

    def warning(self, message: str) -> None:
        self._keep("warning", message)

    def error(self, message: str) -> None:
        self._keep("error", message)


def read_stack_file(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """Return the `config:` map of `Pulumi.<stack>.yaml`, with its raw values."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        raise RejectedError(f"no stack file {path.name}; create it or pick dev or prod")
    document = yaml.load(path.read_text(), Loader=_YAML_LOADER) or {}
    return dict(document.get("config") or {})


def _as_config_value(value: Any) -> str:
    """Encode a config value as the Pulumi CLI passes it to a program."""
    if isinstance(value, dict) and "secure" in value:
        raise RejectedError(
            "an encrypted (secure) config value cannot be read offline; the program needs none"
        )
    return value if isinstance(value, str) else json.dumps(value)


def run_program(
    stack: str,
    config: dict[str, Any] | None = None,
    program: Path = PROJECT_DIR / "__main__.py",
    result: RunResult | None = None,
    config_dir: Path = PROJECT_DIR,
    seed: Seed | None = None,
) -> RunResult:
    """Run the program for `stack` under the offline engine and return what it registered.

    The config map comes from `config_dir/Pulumi.<stack>.yaml`, unless `config`
    replaces it (tests pass edited copies). Raises `RejectedError` when the engine
    or moto rejects a resource, and the program's own `pulumi.RunError` (such as a
    `ConfigError`) unchanged; pass `result` to see what was registered before the
    error. A `seed` (see `offline.seed`) is created in moto before the program runs,
    and config values equal to a seeded id are rewritten to the id moto chose.
    """
    values = read_stack_file(stack, config_dir) if config is None else config
    region = str(values.get("aws:region", "us-east-1"))
    result = result if result is not None else RunResult(stack=stack)
    engine = OfflineEngine(region)
    monitor = RecordingMonitor(engine, result)

    # A fresh root stack resource per run; set_mocks creates it when there is none.
    settings.ROOT.set(None)
    mocks.set_mocks(
        engine, PROJECT, stack, preview=False, logger=_LogCollector(result), monitor=monitor
    )
    program_dir = str(program.parent)
    added_path = program_dir not in sys.path
    if added_path:
        sys.path.insert(0, program_dir)
    previous_dir = os.getcwd()
    os.chdir(program_dir)
    # A run imports the provider modules and moto's models and allocates the whole
    # graph, and each automatic full collection walks all of it again: pausing the
    # collector for the run saves about a third of its CPU time (docs/benchmarks.md).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with engine.aws.active():
            if seed is not None:
                result.seeded_ids = create_seeded(engine.aws, seed)
                values = rewrite_ids(values, result.seeded_ids)
                for declared, created in result.seeded_ids.items():
                    result.logs.append(("info", f"offline seed: {declared} is {created} in moto"))
            pulumi.runtime.set_all_config(
                {key: _as_config_value(value) for key, value in values.items()}
            )
            _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__")))
            _collect_outputs(result)
    finally:
        if collecting:
            gc.enable()
        os.chdir(previous_dir)
        if added_path:
            sys.path.remove(program_dir)
    return result


def _collect_outputs(result: RunResult) -> None:
    root = settings.get_root_resource()
    for key, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        result.outputs[key] = _sync_await(output.future(with_unknowns=True))
        if _sync_await(output.is_secret()):
            result.secret_outputs.add(key)
