"""`make trace ID=<trace id>`: one application's trace as a tree, from the local Jaeger's query API.

The Jaeger binary built from the Go module proxy carries no web UI (its UI is a separate
JavaScript build no registry here serves), so operators read traces here instead: every span
with its service, operation, start offset and duration, children under their parents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console
from rich.tree import Tree

from .config import StackConfig
from .jaeger import trace_url


@dataclass
class Span:
    span_id: str
    service: str
    operation: str
    start_us: int
    duration_us: int
    error: bool
    children: list[Span] = field(default_factory=list)


def fetch_trace(cfg: StackConfig, trace_id: str) -> dict[str, Any]:
    response = httpx.get(trace_url(cfg, trace_id), timeout=10)
    if response.status_code == 404:
        raise LookupError(f"no trace {trace_id} in the trace viewer (yet)")
    response.raise_for_status()
    data = response.json().get("data") or []
    if not data:
        raise LookupError(f"no trace {trace_id} in the trace viewer (yet)")
    return dict(data[0])


def span_tree(trace: dict[str, Any]) -> list[Span]:
    """The trace's root spans, each with its descendants, in start order."""
    services = {pid: p["serviceName"] for pid, p in trace.get("processes", {}).items()}
    spans: dict[str, Span] = {}
    parents: dict[str, str | None] = {}
    for raw in trace.get("spans", []):
        spans[raw["spanID"]] = Span(
            span_id=raw["spanID"],
            service=services.get(raw["processID"], "?"),
            operation=raw["operationName"],
            start_us=raw["startTime"],
            duration_us=raw["duration"],
            error=any(
                t.get("key") == "error" and t.get("value") in (True, "true")
                for t in raw.get("tags", [])
            ),
        )
        refs = [r for r in raw.get("references", []) if r.get("refType") == "CHILD_OF"]
        parents[raw["spanID"]] = refs[0]["spanID"] if refs else None
    roots = []
    for span_id, span in spans.items():
        parent = parents[span_id]
        if parent in spans:
            spans[parent].children.append(span)
        else:
            roots.append(span)  # a root, or a child of a span outside the platform (the caller)
    for span in spans.values():
        span.children.sort(key=lambda s: s.start_us)
    return sorted(roots, key=lambda s: s.start_us)


def render(trace_id: str, roots: list[Span]) -> Tree:
    start = min((r.start_us for r in roots), default=0)
    tree = Tree(f"[bold]trace {trace_id}[/bold]")

    def add(node: Tree, span: Span) -> None:
        mark = "[red]✗[/red] " if span.error else ""
        label = (
            f"{mark}[cyan]{span.service}[/cyan] {span.operation} "
            f"[dim]+{(span.start_us - start) / 1000:.1f} ms, {span.duration_us / 1000:.1f} ms[/dim]"
        )
        child = node.add(label)
        for c in span.children:
            add(child, c)

    for root in roots:
        add(tree, root)
    return tree


def show_trace(cfg: StackConfig, trace_id: str, console: Console | None = None) -> int:
    """Print the trace; returns how many spans it has."""
    roots = span_tree(fetch_trace(cfg, trace_id))
    (console or Console()).print(render(trace_id, roots))
    return _count(roots)


def _count(spans: list[Span]) -> int:
    return sum(1 + _count(s.children) for s in spans)
