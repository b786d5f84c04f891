"""Validate the rendered Kubernetes objects against the cluster version's OpenAPI schemas.

kubernetes-validate ships JSON schemas per Kubernetes version; strict mode rejects
fields the schema does not know. Its `validate` stops at the first error, so this
module builds the same validator from the same schema files and lists every error
of every object. Custom
resources (IngressClassParams, NodePool, ...) have no schema there and are listed as
not validated.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from kubernetes_validate import utils as kv
from kubernetes_validate import version as kv_version
from packaging.version import Version
from referencing import Registry, Resource

VALID = "valid"
INVALID = "invalid"
NOT_VALIDATED = "not validated"


@dataclass(frozen=True)
class ObjectResult:
    """The schema verdict on one Kubernetes object, with every error found."""

    kind: str
    name: str
    api_version: str
    status: str
    errors: tuple[str, ...] = ()
    reason: str = ""


@dataclass
class SchemaReport:
    """The verdicts on all objects of a stack, and the schema version used."""

    kubernetes_version: str
    schema_version: str
    objects: list[ObjectResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no object failed its schema (objects not validated do not count)."""
        return all(result.status != INVALID for result in self.objects)

    def count(self, status: str) -> int:
        """Return how many objects have this status."""
        return sum(1 for result in self.objects if result.status == status)


def schema_version(kubernetes_version: str) -> str:
    """Return the schema version kubernetes-validate uses for a cluster version.

    That is the newest schema not newer than the version. Raises ValueError when the
    installed kubernetes-validate ships no schema that old, or only older ones.
    """
    wanted = Version(kv.major_minor(kubernetes_version))
    candidates = [v for v in kv.all_versions() if Version(kv.major_minor(v)) <= wanted]
    if not candidates or wanted > Version(kv.major_minor(kv.latest_version())):
        raise ValueError(
            f"kubernetes-validate {kv_version.__version__} has no schema for Kubernetes "
            f"{kubernetes_version}; upgrade kubernetes-validate in requirements-dev.in"
        )
    return candidates[-1]


def _schema_path(kind: str, api_version: str, version: str) -> str:
    # The same file naming kubernetes-validate uses: rbac.authorization.k8s.io/v1
    # becomes rbac-v1, and the kind is lowercased.
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"kubernetes-json-schema/v{version}-local-strict/{kind.lower()}-{group_version}.json"


@functools.lru_cache(maxsize=8)
def _definitions(version: str) -> Resource:
    return Resource.from_contents(
        kv.schema_contents(
            f"kubernetes-json-schema/v{version}-local-strict/_definitions.json", version
        )
    )


@functools.lru_cache(maxsize=128)
def _validator(kind: str, api_version: str, version: str) -> jsonschema.Validator | None:
    """Return the strict validator of one kind, or None when the schemas lack it."""
    try:
        schema = kv.schema_contents(_schema_path(kind, api_version, version), version)
    except FileNotFoundError:
        return None
    registry = _definitions(version) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def validate_object(document: dict[str, Any], kubernetes_version: str) -> ObjectResult:
    """Validate one object in strict mode against the cluster version's schema.

    Builds the validator kubernetes-validate's `validate` builds, but collects every
    error instead of stopping at the first.
    """
    kind = str(document.get("kind", "?"))
    name = str((document.get("metadata") or {}).get("name", "?"))
    api_version = str(document.get("apiVersion", "?"))
    version = schema_version(kubernetes_version)
    validator = _validator(kind, api_version, version)
    if validator is None:
        return ObjectResult(
            kind,
            name,
            api_version,
            NOT_VALIDATED,
            reason=f"no schema for {api_version} {kind} in Kubernetes {version} "
            "(a custom resource)",
        )
    errors = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        path = ".".join(str(part) for part in error.path) or "(root)"
        errors.append(f"{path}: {error.message}")
    if errors:
        return ObjectResult(kind, name, api_version, INVALID, tuple(errors))
    return ObjectResult(kind, name, api_version, VALID)


def validate_objects(documents: list[dict[str, Any]], kubernetes_version: str) -> SchemaReport:
    """Validate every object and return the report, errors and all."""
    report = SchemaReport(kubernetes_version, schema_version(kubernetes_version))
    for document in documents:
        report.objects.append(validate_object(document, kubernetes_version))
    return report
