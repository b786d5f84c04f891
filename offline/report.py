"""Render the gate's findings as build/<stack>/report.md (GitHub-flavoured Markdown)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from offline.cost import CostEstimate
from offline.schema import INVALID, NOT_VALIDATED, SchemaReport
from rules import Report
from rules.capacity import (
    ComputeBudget,
    ConnectionBudget,
    format_cpu,
    format_memory,
)


@dataclass
class CheckovResult:
    """The counts and failed checks of a `make checkov` run over the stack's manifests."""

    exit_code: int
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether checkov ran and found nothing."""
        return self.exit_code == 0 and not self.error


@dataclass
class GateResult:
    """Everything the gate found for one stack."""

    stack: str
    rules: Report
    schema: SchemaReport
    checkov: CheckovResult
    connections: list[ConnectionBudget]
    compute: ComputeBudget
    cost: CostEstimate
    cost_sources: list[tuple[str, str, str]]
    diagram: str

    @property
    def ok(self) -> bool:
        """Whether every part of the gate passed."""
        return self.rules.ok and self.schema.ok and self.checkov.ok

    def failure_lines(self) -> list[str]:
        """Return one line per failure: rule findings, invalid objects, checkov."""
        lines = [f"rule {f.rule.id} failed on {f.resource}: {f.message}" for f in self.rules.failed]
        for result in self.schema.objects:
            if result.status == INVALID:
                lines.append(
                    f"schema: {result.kind} {result.name} is invalid for Kubernetes "
                    f"{self.schema.schema_version}: {'; '.join(result.errors)}"
                )
        if self.checkov.error:
            lines.append(f"checkov: {self.checkov.error}")
        elif not self.checkov.ok:
            lines.append(
                f"checkov: {self.checkov.failed} failed checks over build/{self.stack}/manifests; "
                "see the report's checkov section"
            )
        return lines


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _usd(value: Decimal | None) -> str:
    return "unknown" if value is None else f"${value:,.2f}"


def _percent(part: Decimal, whole: Decimal | None) -> str:
    if not whole:
        return "n/a"
    return f"{(1 - part / whole) * 100:.0f}%"


def _rules_section(report: Report) -> list[str]:
    lines = ["## Rules", ""]
    lines.append(
        f"{len(report.passed)} passed, {len(report.failed)} failed, "
        f"{len(report.waived)} waived by a relaxation."
    )
    lines += ["", "| rule | result | resource | detail |", "| --- | --- | --- | --- |"]
    for finding in report.failed:
        lines.append(
            f"| {finding.rule.id} | **failed** | {_cell(finding.resource)} | "
            f"{_cell(finding.message)} |"
        )
    for finding in report.waived:
        lines.append(
            f"| {finding.rule.id} | waived by `{finding.rule.relaxation}` | "
            f"{_cell(finding.resource)} | {_cell(finding.message)} |"
        )
    for rule in report.passed:
        lines.append(f"| {rule.id} | passed | | {_cell(rule.description)} |")
    return lines


def _schema_section(schema: SchemaReport) -> list[str]:
    lines = ["## Schema validation", ""]
    lines.append(
        f"kubernetes-validate, strict mode, schemas of Kubernetes {schema.schema_version} "
        f"(cluster version {schema.kubernetes_version}): {schema.count('valid')} valid, "
        f"{schema.count(INVALID)} invalid, {schema.count(NOT_VALIDATED)} not validated."
    )
    lines += ["", "| object | result | errors or reason |", "| --- | --- | --- |"]
    for result in schema.objects:
        detail = "<br/>".join(_cell(error) for error in result.errors) or _cell(result.reason)
        status = f"**{result.status}**" if result.status == INVALID else result.status
        lines.append(f"| {result.kind} {_cell(result.name)} | {status} | {detail} |")
    return lines


def _checkov_section(stack: str, checkov: CheckovResult) -> list[str]:
    lines = ["## checkov", ""]
    if checkov.error:
        lines.append(f"checkov did not run: {_cell(checkov.error)}")
        return lines
    lines.append(
        f"`make checkov STACK={stack}` over `build/{stack}/manifests` (offline, in "
        f"`.venv-checkov`): {checkov.passed} passed, {checkov.failed} failed, "
        f"{checkov.skipped} skipped, exit code {checkov.exit_code}."
    )
    if checkov.failures:
        lines += ["", "| check | resource | file |", "| --- | --- | --- |"]
        for check_id, resource, path in checkov.failures:
            lines.append(f"| {check_id} | {_cell(resource)} | {_cell(path)} |")
    return lines


def _connections_section(budgets: list[ConnectionBudget]) -> list[str]:
    lines = ["### Database connections", ""]
    if not budgets:
        return lines + ["The stack registers no RDS instance."]
    for budget in budgets:
        lines.append(
            f"`{budget.instance}`: max_connections {budget.max_connections} "
            f"({_cell(budget.source)}); the services may use 80%, {budget.limit}."
        )
        lines += [
            "",
            "| service | scaling | surge | max pods | pool size | connections |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for client in budget.clients:
            connections = client.max_pods * (client.pool_size or 0)
            lines.append(
                f"| {client.name} | {client.scaling} | {client.surge} | {client.max_pods} | "
                f"{client.pool_size_text} | {connections} |"
            )
        limit = Decimal(budget.limit) if budget.limit is not None else None
        lines += [
            "",
            f"Total {budget.used} of {budget.limit}: headroom "
            f"{(budget.limit or 0) - budget.used} connections "
            f"({_percent(Decimal(budget.used), limit)} of the limit).",
            "",
        ]
    return lines


def _compute_section(budget: ComputeBudget) -> list[str]:
    lines = ["### Compute", "", f"Limit: {_cell(budget.source)}.", ""]
    lines += [
        "| workload | kind | min pods | max pods | CPU per pod | memory per pod | CPU at max "
        "| memory at max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for workload in budget.workloads:
        lines.append(
            f"| {workload.name} | {workload.kind} | {workload.min_replicas} | "
            f"{workload.max_pods} | {format_cpu(workload.cpu)} | "
            f"{format_memory(workload.memory)} | {format_cpu(workload.cpu * workload.max_pods)} "
            f"| {format_memory(workload.memory * workload.max_pods)} |"
        )
    cpu_limit = format_cpu(budget.cpu_limit) if budget.cpu_limit is not None else "none"
    memory_limit = format_memory(budget.memory_limit) if budget.memory_limit is not None else "none"
    lines += [
        "",
        f"CPU {format_cpu(budget.cpu_requested)} of {cpu_limit} "
        f"(headroom {_percent(budget.cpu_requested, budget.cpu_limit)}); memory "
        f"{format_memory(budget.memory_requested)} of {memory_limit} "
        f"(headroom {_percent(budget.memory_requested, budget.memory_limit)}).",
    ]
    return lines


def _cost_section(cost: CostEstimate, sources: list[tuple[str, str, str]]) -> list[str]:
    lines = [
        "## Cost estimate",
        "",
        f"**Estimate**, monthly, USD, on-demand list prices in {cost.region} from "
        "`offline/prices.yaml`; data transfer, NAT data processing and backups are not "
        "included.",
        "",
        "| component | detail | at minimum | at maximum | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for line in cost.lines:
        lines.append(
            f"| {line.component} | {_cell(line.detail)} | {_usd(line.minimum)} | "
            f"{_usd(line.maximum)} | {_cell(line.note)} |"
        )
    prefix = "at least " if cost.unknown else ""
    lines.append(
        f"| **total** | {len(cost.unknown)} unknown lines excluded | "
        f"**{prefix}{_usd(cost.minimum)}** | **{prefix}{_usd(cost.maximum)}** | |"
    )
    if cost.assumptions:
        lines += ["", "Assumptions:", ""] + [f"- {_cell(text)}" for text in cost.assumptions]
    if sources:
        lines += ["", "Prices used:", ""]
        for name, source, date in sources:
            lines.append(f"- {name}: {source} ({date})")
    return lines


def render(result: GateResult) -> str:
    """Return the report of one stack as Markdown."""
    verdict = "passed" if result.ok else "FAILED"
    lines = [f"# Offline gate: stack {result.stack}", "", f"The gate **{verdict}**."]
    failures = result.failure_lines()
    if failures:
        lines += [""] + [f"- {_cell(line)}" for line in failures]
    lines += [""] + _rules_section(result.rules)
    lines += [""] + _schema_section(result.schema)
    lines += [""] + _checkov_section(result.stack, result.checkov)
    lines += ["", "## Capacity", ""] + _connections_section(result.connections)
    lines += [""] + _compute_section(result.compute)
    lines += [""] + _cost_section(result.cost, result.cost_sources)
    lines += ["", "## Stack graph", "", "```mermaid", result.diagram, "```", ""]
    return "\n".join(lines)
