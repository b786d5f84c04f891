"""Two Workloads instances in one stack, one per namespace, never share a name."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from offline.engine import run_program
from offline.kubernetes import CLUSTER_SCOPED_KINDS

# A program that builds only the workloads, twice, on fixed endpoints.
PROGRAM = """
import pulumi

from components.cache import CacheRefs
from components.database import DatabaseRefs
from components.workloads import Workloads
from components.workloads.endpoints import SharedEndpoints
from stack_config import load_stack_config

config = load_stack_config(pulumi.get_stack())
endpoints = SharedEndpoints(
    database=DatabaseRefs(
        address=pulumi.Output.from_input("db.example"),
        port=3306,
        schema="topfans",
        username="topfans_admin",
        password=pulumi.Output.secret("p4ss"),
    ),
    cache=CacheRefs(
        address=pulumi.Output.from_input("redis.example"),
        reader_address=pulumi.Output.from_input("redis-ro.example"),
        port=6379,
        tls=True,
        auth_token=pulumi.Output.secret("t0k"),
    ),
    vpc_cidr="10.20.0.0/16",
)
for namespace in ("topfans-a", "topfans-b"):
    Workloads(
        namespace,
        namespace=namespace,
        services=config.services,
        endpoints=endpoints,
        registry=config.registry,
        gateway=config.gateway,
    )
"""


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """Run the program that builds the workloads in two namespaces."""
    program = tmp_path_factory.mktemp("program") / "__main__.py"
    program.write_text(PROGRAM)
    project = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(project))
    try:
        return run_program("dev", program=program)
    finally:
        sys.path.remove(str(project))


def _objects(run):
    return [r for r in run.resources if r.type.startswith("kubernetes:")]


def test_logical_names_unique(twice):
    counts = Counter((r.type, r.name) for r in twice.resources)
    assert [key for key, count in counts.items() if count > 1] == []


def test_cluster_scoped_names_unique(twice):
    names = [
        (r.inputs["kind"], r.outputs["metadata"]["name"])
        for r in _objects(twice)
        if r.inputs["kind"] in CLUSTER_SCOPED_KINDS
    ]
    assert len(names) == len(set(names))
    assert ("Namespace", "topfans-a") in names
    assert ("StorageClass", "topfans-b-zookeeper") in names


def test_namespaced_names_unique(twice):
    keys = [
        (r.inputs["kind"], r.outputs["metadata"].get("namespace"), r.outputs["metadata"]["name"])
        for r in _objects(twice)
        if r.inputs["kind"] not in CLUSTER_SCOPED_KINDS
    ]
    assert len(keys) == len(set(keys))
    assert {key[1] for key in keys} == {"topfans-a", "topfans-b"}


def test_each_instance_has_its_gateway(twice):
    ingresses = [r for r in _objects(twice) if r.inputs["kind"] == "Ingress"]
    classes = sorted(r.inputs["spec"]["ingressClassName"] for r in ingresses)
    assert classes == ["topfans-a-alb", "topfans-b-alb"]
