"""Traces: events take the active span as their parent, the HTTP server span continues the
caller's `traceparent` under the route template's name, and HTTP metrics never hold raw paths."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from prometheus_client import REGISTRY

from amo_shared.envelope import IncomingEvent, new_event, new_traceparent
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category
from amo_shared.telemetry import configure_tracing, continued, instrument_app
from amo_shared.topics import APPLICATION_SUBMITTED

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


class Recorder(SpanProcessor):
    """Keeps the spans that end while a test holds it (the process's provider is shared)."""

    def __init__(self) -> None:
        self.active = False
        self.spans: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        if self.active:
            self.spans.append(span)


_recorder = Recorder()
configure_tracing("amo-tests").add_span_processor(_recorder)


@pytest.fixture
def spans():
    _recorder.spans.clear()
    _recorder.active = True
    yield _recorder.spans
    _recorder.active = False


def submitted(app_id: str) -> ApplicationSubmitted:
    facts = ApplicantFacts(
        first_name="A",
        last_name="B",
        birth_date=date(1990, 1, 1),
        nationality="MA",
        category=Category.RETIREE,
    )
    return ApplicationSubmitted(
        application_id=app_id, submitted_at=datetime.now(UTC), applicant=facts
    )


def parts(traceparent: str) -> tuple[str, str]:
    version, trace_id, span_id, flags = traceparent.split("-")
    assert version == "00" and int(flags, 16) & 1  # sampled
    return trace_id, span_id


def test_an_event_made_under_a_span_has_that_span_as_its_parent():
    with trace.get_tracer("test").start_as_current_span("handle") as span:
        event = new_event(
            APPLICATION_SUBMITTED, submitted("app-1"), source="registration", key="app-1"
        )
    context = span.get_span_context()
    assert parts(event.traceparent) == (
        format(context.trace_id, "032x"),
        format(context.span_id, "016x"),
    )


def test_an_event_continues_its_cause_when_no_span_is_active():
    cause = IncomingEvent(
        id="e1",
        source="documents",
        type="t",
        subject="s",
        time="now",
        traceparent=f"00-{TRACE}-{CALLER_SPAN}-01",
        payload=submitted("app-2"),
    )
    event = new_event(
        APPLICATION_SUBMITTED, submitted("app-2"), source="x", key="app-2", caused_by=cause
    )
    assert parts(event.traceparent) == (TRACE, CALLER_SPAN)  # hangs off the cause's span
    assert parts(new_traceparent())[0] != TRACE
    assert parts(new_traceparent("00-not-a-trace-01"))[0] != "not"


def test_an_event_stays_in_its_causes_trace_under_another_traces_span():
    # A replay run from an operator's request: the request's trace is not the application's.
    cause = f"00-{TRACE}-{CALLER_SPAN}-01"
    with trace.get_tracer("test").start_as_current_span("replay request"):
        assert parts(new_traceparent(cause)) == (TRACE, CALLER_SPAN)
        with continued(cause), trace.get_tracer("test").start_as_current_span("handle") as span:
            assert parts(new_traceparent(cause))[1] == format(
                span.get_span_context().span_id, "016x"
            )


def test_a_stored_traceparent_is_the_parent_of_what_runs_under_it():
    with (
        continued(f"00-{TRACE}-{CALLER_SPAN}-01"),
        trace.get_tracer("test").start_as_current_span("publish") as span,
    ):
        pass
    assert format(span.get_span_context().trace_id, "032x") == TRACE
    assert format(span.parent.span_id, "016x") == CALLER_SPAN
    assert not trace.get_current_span().get_span_context().is_valid  # detached afterwards


def item_app() -> FastAPI:
    app = FastAPI()
    seen: list[str | None] = []
    app.state.seen = seen

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        seen.append(
            new_event(
                APPLICATION_SUBMITTED, submitted(item_id), source="t", key=item_id
            ).traceparent
        )
        return {"id": item_id}

    instrument_app(app, "items")
    return app


async def test_a_request_continues_the_callers_trace_under_its_route_template(spans):
    app = item_app()
    item = str(uuid.uuid4())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get(
            f"/items/{item}", headers={"traceparent": f"00-{TRACE}-{CALLER_SPAN}-01"}
        )
        assert response.status_code == 200
        assert (await c.get("/livez")).status_code == 404  # not mounted here: unmatched

    (server,) = [s for s in spans if s.kind == trace.SpanKind.SERVER]
    assert server.name == "GET /items/{item_id}" and item not in server.name
    assert format(server.context.trace_id, "032x") == TRACE
    assert format(server.parent.span_id, "016x") == CALLER_SPAN
    assert server.attributes["http.route"] == "/items/{item_id}"
    # The event made while answering is the request span's child: one trace onto Kafka.
    (stored,) = app.state.seen
    assert parts(stored) == (TRACE, format(server.context.span_id, "016x"))


async def test_http_metrics_are_labelled_by_route_template_and_status():
    app = item_app()

    def count(route: str, status: str) -> float:
        return (
            REGISTRY.get_sample_value(
                "amo_http_requests_total",
                {"service": "items", "method": "GET", "route": route, "status": status},
            )
            or 0.0
        )

    before_ok, before_unmatched = count("/items/{item_id}", "200"), count("<unmatched>", "404")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for n in range(3):
            await c.get(f"/items/{n}")
        await c.get("/nowhere/at/all")
    assert count("/items/{item_id}", "200") - before_ok == 3
    assert count("<unmatched>", "404") - before_unmatched == 1
    assert (
        REGISTRY.get_sample_value(
            "amo_http_request_duration_seconds_count",
            {"service": "items", "method": "GET", "route": "/items/{item_id}", "status": "200"},
        )
        >= 3
    )
