"""Traces and HTTP metrics of one process: OpenTelemetry set-up, Kafka and ASGI instruments.

- `configure_tracing`: one TracerProvider per process, `service.name` from OTEL_SERVICE_NAME or
  the service; spans go out over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces
  variant) is set, nowhere otherwise: ids are still made and propagated, so one application
  stays one trace in the Kafka headers even without a collector.
- `broker_middlewares`: FastStream's Kafka telemetry (consume and publish spans, W3C
  `traceparent` in and out) and Prometheus (messages consumed, published, failed, latency).
- `continued(traceparent)`: the stored context of an outbox record made current again, so the
  relay publishes it as the child of the request or consumer span that caused it.
- `instrument_app`: a server span per request continuing the caller's `traceparent`, and request
  counts and latency labelled by route template (never the raw path, which holds ids);
  `instrument_client`: a client span per call of an httpx client, `traceparent` on the request.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from opentelemetry import context, trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import REGISTRY, Counter, Histogram

from amo_shared.logging import http_route

_PROPAGATOR = TraceContextTextMapPropagator()
_provider: dict[str, TracerProvider] = {}

HTTP_REQUESTS = Counter(
    "amo_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "amo_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status.",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
UNMATCHED = "<unmatched>"


def exporting() -> bool:
    """Whether spans leave the process (an OTLP endpoint is configured)."""
    if os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


def configure_tracing(service: str) -> TracerProvider:
    """The process's TracerProvider, made once (later calls return it: one service per process)."""
    if "provider" in _provider:
        return _provider["provider"]
    name = os.environ.get("OTEL_SERVICE_NAME") or service
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    if exporting():
        # Imported here: without a collector the exporter's HTTP stack is never needed.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _provider["provider"] = provider
    return provider


def flush(timeout_seconds: float = 5.0) -> None:
    """Send what is buffered (at shutdown: the batch processor would drop the last spans)."""
    provider = _provider.get("provider")
    if provider is not None:
        provider.force_flush(int(timeout_seconds * 1000))


@contextmanager
def continued(traceparent: str | None) -> Iterator[None]:
    """Run the block in the trace context `traceparent` names (nothing changes without one)."""
    if not traceparent:
        yield
        return
    token = context.attach(_PROPAGATOR.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        context.detach(token)


def broker_middlewares(service: str) -> tuple[Any, ...]:
    """Spans and Prometheus metrics for every message consumed and published by a broker."""
    return (
        KafkaTelemetryMiddleware(),
        # FastStream reuses its instruments when the registry already holds them.
        KafkaPrometheusMiddleware(registry=REGISTRY, app_name=service),
    )


def route_template(scope: dict[str, Any]) -> str:
    """`/v1/applications/{application_id}` rather than the path with the id in it."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else UNMATCHED


class HttpMetrics:
    """ASGI middleware: counts and times each request by route template, method and status, and
    names the server span and the access log line after the route template."""

    def __init__(self, app: Any, service: str):
        self.app = app
        self.service = service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        method = scope.get("method", "")

        async def send_with_route(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                # Routing is done, and the server span still open (it ends with the body).
                status["code"] = message["status"]
                route = route_template(scope)
                http_route.set(route)
                span = trace.get_current_span()
                if route != UNMATCHED and span.is_recording():
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
            await send(message)

        try:
            await self.app(scope, receive, send_with_route)
        finally:
            route = route_template(scope)
            HTTP_REQUESTS.labels(self.service, method, route, str(status["code"])).inc()
            HTTP_LATENCY.labels(self.service, method, route, str(status["code"])).observe(
                time.perf_counter() - started
            )


def _method_only(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # The default span name holds the raw path; HttpMetrics renames it once the route is known.
    return scope.get("method", "HTTP") or "HTTP", {}


# Probes and scrapes: counted by HttpMetrics, but no trace per probe.
_UNTRACED = "/livez,/readyz,/metrics,/health"


def instrument_app(app: Any, service: str) -> None:
    """Server spans and HTTP metrics on a FastAPI/Starlette app (outermost middlewares)."""
    configure_tracing(service)
    app.add_middleware(HttpMetrics, service=service)
    app.add_middleware(
        OpenTelemetryMiddleware,
        excluded_urls=_UNTRACED,
        default_span_details=_method_only,
        exclude_spans=["receive", "send"],
    )


def instrument_client(client: Any) -> None:
    """A client span per call of this httpx client, with the W3C `traceparent` on the request."""
    HTTPXClientInstrumentor.instrument_client(client)
