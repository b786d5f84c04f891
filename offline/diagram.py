"""Draw the stack's components and what they depend on as a Mermaid flowchart.

Nodes are the ComponentResources under the stack and their child components; each
resource belongs to the nearest of them above it. An edge A --> B means a resource
of B depends on a resource of A (an input taken from A's outputs, an explicit
dependsOn, or A's provider). Edges between a component and its own children are
left out, and so is an edge already implied by one into the child's parent.
"""

from __future__ import annotations

import re

from offline.engine import Resource, RunResult

# The depth of the drawn components: the stack's components and their children.
MAX_DEPTH = 2


def _node_id(urn: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", urn.split("::")[-1])


def _label(resource: Resource) -> str:
    return f"{resource.name}<br/>{resource.type.rsplit(':', 1)[-1]}"


def component_edges(result: RunResult) -> tuple[dict[str, Resource], set[tuple[str, str]]]:
    """Return the drawn components by URN and the (from, to) URN pairs between them."""
    by_urn = {resource.urn: resource for resource in result.resources}

    def depth(resource: Resource) -> int:
        level = 1
        parent = by_urn.get(resource.parent_urn or "")
        while parent is not None:
            level += 1
            parent = by_urn.get(parent.parent_urn or "")
        return level

    components = {
        urn: resource
        for urn, resource in by_urn.items()
        if not resource.custom and depth(resource) <= MAX_DEPTH
    }

    def owner(urn: str) -> str | None:
        resource = by_urn.get(urn)
        while resource is not None and resource.urn not in components:
            resource = by_urn.get(resource.parent_urn or "")
        return resource.urn if resource is not None else None

    edges: set[tuple[str, str]] = set()
    for resource in result.resources:
        target = owner(resource.urn)
        if target is None:
            continue
        sources = list(resource.dependencies)
        if resource.provider_urn:
            sources.append(resource.provider_urn)
        for dependency in sources:
            source = owner(dependency)
            if source is None or source == target:
                continue
            edges.add((source, target))

    def parent_of(urn: str) -> str | None:
        parent = components[urn].parent_urn
        return parent if parent in components else None

    drawn = set()
    for source, target in edges:
        if parent_of(target) == source or parent_of(source) == target:
            continue
        if parent_of(target) is not None and (source, parent_of(target)) in edges:
            continue
        drawn.add((source, target))
    return components, drawn


def mermaid(result: RunResult) -> str:
    """Return a Mermaid flowchart of the stack's components and their dependencies."""
    components, edges = component_edges(result)
    children: dict[str | None, list[Resource]] = {}
    for resource in components.values():
        parent = resource.parent_urn if resource.parent_urn in components else None
        children.setdefault(parent, []).append(resource)

    lines = ["flowchart LR"]
    for resource in children.get(None, []):
        inner = children.get(resource.urn, [])
        if inner:
            lines.append(f'  subgraph {_node_id(resource.urn)}["{_label(resource)}"]')
            for child in inner:
                lines.append(f'    {_node_id(child.urn)}["{_label(child)}"]')
            lines.append("  end")
        else:
            lines.append(f'  {_node_id(resource.urn)}["{_label(resource)}"]')
    for source, target in sorted(edges, key=lambda edge: (_node_id(edge[0]), _node_id(edge[1]))):
        lines.append(f"  {_node_id(source)} --> {_node_id(target)}")
    return "\n".join(lines)
