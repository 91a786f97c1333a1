"""CloudEvents 1.0 binary mode on Kafka: payload JSON as the value, metadata in `ce_*` headers."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import BaseModel, ConfigDict, ValidationError

from amo_shared.events import EVENT_TYPES, Contract

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"


class EnvelopeError(ValueError):
    """The message's headers are not a valid CloudEvents binary envelope for this topic."""


class OutgoingEvent(BaseModel):
    """An event ready to publish; stored as is in an aggregate's outbox."""

    model_config = ConfigDict(frozen=True)

    id: str
    topic: str
    key: str
    type: str
    source: str
    subject: str
    time: str
    traceparent: str
    payload: str  # the JSON value, serialised once so a republish is byte-identical

    def headers(self) -> dict[str, str]:
        return {
            "ce_specversion": SPECVERSION,
            "ce_id": self.id,
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time,
            "ce_subject": self.subject,
            "traceparent": self.traceparent,
            "content-type": CONTENT_TYPE,
        }


class IncomingEvent(BaseModel):
    """The envelope of a consumed event, with its validated payload."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    source: str
    type: str
    subject: str
    time: str
    traceparent: str | None
    payload: Contract


_TRACE_CONTEXT = TraceContextTextMapPropagator()


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, or None when no valid span is active."""
    carrier: dict[str, str] = {}
    _TRACE_CONTEXT.inject(carrier)
    return carrier.get("traceparent")


def _trace_id(traceparent: str | None) -> str | None:
    parts = (traceparent or "").split("-")
    if len(parts) != 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    try:
        int(parts[1], 16), int(parts[2], 16)
    except ValueError:
        return None
    return parts[1] if parts[1].strip("0") else None


def new_traceparent(parent: str | None = None) -> str:
    """The W3C traceparent an event should carry, i.e. the context it was caused in:
    - the active span's (the request or the consumed record being handled), unless it belongs
      to another trace than `parent` (a replay run from an operator's request: the event stays
      in its application's trace);
    - else `parent` itself, so what is published later hangs off a span that exists;
    - else a new trace."""
    active, parent_trace = current_traceparent(), _trace_id(parent)
    if active and (parent_trace is None or _trace_id(active) == parent_trace):
        return active
    if parent and parent_trace:
        return parent
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def new_event(
    topic: str,
    payload: Contract,
    *,
    source: str,
    key: str,
    subject: str | None = None,
    caused_by: IncomingEvent | None = None,
    traceparent: str | None = None,
) -> OutgoingEvent:
    """An event caused by `caused_by` (or by the request that carried `traceparent`); its stored
    traceparent is the context the outbox relay later publishes it under."""
    return OutgoingEvent(
        id=str(uuid.uuid4()),
        topic=topic,
        key=key,
        type=EVENT_TYPES[type(payload)],
        source=source,
        subject=subject or key,
        time=datetime.now(UTC).isoformat(),
        traceparent=new_traceparent(traceparent or (caused_by.traceparent if caused_by else None)),
        payload=payload.model_dump_json(),
    )


REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject")


def read_event(
    headers: dict[str, str], value: bytes | None, model: type[Contract]
) -> IncomingEvent:
    """Validate a consumed record against the envelope rules and the expected payload model.

    Error messages name fields and rules only, never values: events carry personal data.
    """
    missing = [h for h in REQUIRED_HEADERS if not headers.get(h)]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
    if headers["ce_specversion"] != SPECVERSION:
        raise EnvelopeError(f"unsupported ce_specversion {headers['ce_specversion']!r}")
    expected = EVENT_TYPES[model]
    if headers["ce_type"] != expected:
        raise EnvelopeError(
            f"unexpected ce_type {headers['ce_type']!r}, this consumer reads {expected!r}"
        )
    try:
        payload = model.model_validate_json(value or b"")
    except ValidationError as exc:
        raise EnvelopeError(describe_validation_error(exc)) from None
    return IncomingEvent(
        id=headers["ce_id"],
        source=headers["ce_source"],
        type=headers["ce_type"],
        subject=headers["ce_subject"],
        time=headers["ce_time"],
        traceparent=headers.get("traceparent"),
        payload=payload,
    )


def describe_validation_error(exc: ValidationError) -> str:
    """Field paths and messages of a validation error, without the offending input values."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = ".".join(str(p) for p in err["loc"]) or "<body>"
        parts.append(f"{loc}: {err['msg']}")
    return "invalid payload: " + "; ".join(parts)
