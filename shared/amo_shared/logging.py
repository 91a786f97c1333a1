"""JSON log lines for every logger of a process, with personal data kept out by allow-list.

Our structlog loggers and every stdlib logger (uvicorn, aiokafka, faststream, pymongo, httpx,
minio...) end in one handler on the root logger, formatted by structlog's `ProcessorFormatter`:
- only keys named in `SAFE_KEYS` keep their value, at any depth; any other value is "[redacted]";
- free text (messages, safe string values, exception messages) is scrubbed of what looks like a
  CNIE, an email, a phone number, a bank account or a member number;
- exceptions are rendered as their type, a scrubbed message and where they were raised, never
  with the values a traceback or a validation error would repeat;
- uvicorn's access lines keep the method, the route template and the status, nothing else.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any

import structlog
from opentelemetry import trace
from pydantic import ValidationError
from structlog.typing import EventDict

REDACTED = "[redacted]"

# Keys whose values are safe to write. Anything else (a name, a CNIE, an address, a reason that
# quotes a payload...) is redacted, so a new field stays out of the logs until someone says so.
SAFE_KEYS = frozenset(
    """
    event level timestamp logger service trace_id span_id
    topic partition offset group group_id message_id event_id event_type
    application_id submission kind dependant size content_type bucket collection upload_id
    outcome rules_version beneficiaries already replaced listed removed referenced recent
    error error_type code what attempt attempts transient trimmed status missing
    method route duration_ms service_name upstream count replayed parked skipped
    exception type message frames
""".split()  # noqa: SIM905 - grouped by theme, which a 60-line literal would lose
)
# Identifiers we make ourselves: written as they are (digits in them are not phone numbers).
_VERBATIM = frozenset(
    """
    timestamp logger level service trace_id span_id message_id event_id application_id
    upload_id topic group group_id
""".split()  # noqa: SIM905 - as above
)
# Extras libraries put on records that only repeat the message in another form.
_DROPPED = frozenset({"color_message", "positional_args", "stack_info"})

# Free-text patterns, most specific first (a RIB's 24 digits would otherwise read as phones).
_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"\bM\d{12}\b"), "[member-number]"),
    (re.compile(r"\b(?:\d[ -]?){23}\d\b"), "[bank-account]"),
    (re.compile(r"(?<![\w-])(?:\+|00)?\d(?:[ .-]?\d){8,14}(?![\w-])"), "[phone]"),
    (re.compile(r"\b[A-Z]{1,2}\d{5,6}\b", re.IGNORECASE), "[cnie]"),
)

# The route template of the request being answered, for uvicorn's access line (set by the
# HTTP middleware of `amo_shared.telemetry` when the response starts).
http_route: ContextVar[str | None] = ContextVar("http_route", default=None)

_state: dict[str, Any] = {"service": None}
_HANDLER_NAME = "amo-json"


class _Stdout:
    """Whatever `sys.stdout` is at write time (a test's capture may replace it)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def scrub(text: str) -> str:
    """`text` with anything shaped like personal data replaced by its kind."""
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(key: str, value: Any) -> Any:
    if key not in SAFE_KEYS:
        return REDACTED
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(key, v) for v in value]
    if isinstance(value, str):
        return value if key in _VERBATIM else scrub(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def redact(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    """The allow-list: every key not in `SAFE_KEYS` keeps its name, loses its value."""
    return {k: _redact_value(k, v) for k, v in event_dict.items() if k not in _DROPPED}


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """Type, scrubbed message and frames (file:line function) of `exc`, without any values."""
    if isinstance(exc, ValidationError):
        # Its str() repeats every offending input: keep locations and rules only.
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False, include_context=False)
        ]
        message = f"{exc.error_count()} validation error(s) for {exc.title}: " + "; ".join(parts)
    else:
        message = str(exc)
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(f"{code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno} {code.co_name}")
        tb = tb.tb_next
    described: dict[str, Any] = {
        "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": scrub(message[:2000]),
        "frames": frames[-15:],
    }
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and cause is not exc:
        described["error"] = describe_exception(cause)
    return described


def render_exception(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    exc_info = event_dict.pop("exc_info", None)
    event_dict.pop("stack", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = (
        exc_info
        if isinstance(exc_info, BaseException)
        else (exc_info[1] if isinstance(exc_info, tuple) else None)
    )
    if exc is not None:
        event_dict["exception"] = describe_exception(exc)
    return event_dict


def stdlib_message(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    """A library record's text, scrubbed; uvicorn's access line reduced to method, route, status."""
    record: logging.LogRecord | None = event_dict.get("_record")
    if not event_dict.get("_from_structlog"):
        # Another formatter may have stored the formatted text on the record: `event` has it.
        event_dict.pop("message", None)
    args = event_dict.get("positional_args")
    if (
        record is not None
        and record.name == "uvicorn.access"
        and isinstance(args, tuple)
        and len(args) == 5
    ):
        _client, method, path, _version, status = args
        route = http_route.get() or str(path).split("?", 1)[0]
        event_dict.update(
            event=f"{method} {route} {status}", method=method, route=route, status=status
        )
        return event_dict
    event = event_dict.get("event")
    if isinstance(event, str):
        event_dict["event"] = scrub(event)
    return event_dict


_PROBES = frozenset({"/livez", "/readyz", "/metrics"})


class _QuietProbes(logging.Filter):
    """Drops uvicorn's access lines of answered probes and scrapes (one every few seconds)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name != "uvicorn.access" or not isinstance(args, tuple) or len(args) != 5:
            return True
        path, status = str(args[2]).split("?", 1)[0], args[4]
        return not (path in _PROBES and isinstance(status, int) and status < 400)


def add_context(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    if _state["service"]:
        event_dict.setdefault("service", _state["service"])
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event_dict.setdefault("trace_id", format(span.trace_id, "032x"))
        event_dict.setdefault("span_id", format(span.span_id, "016x"))
    return event_dict


def _pre_chain() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        add_context,
    ]


def json_formatter(json: bool = True) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the root handler: records of structlog and of the stdlib alike."""
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_pre_chain(), structlog.stdlib.ExtraAdder()],
        processors=[
            stdlib_message,
            render_exception,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            redact,
            renderer,
        ],
        pass_foreign_args=True,  # uvicorn's access line is rebuilt from its arguments
    )


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    """One JSON handler on the root logger for everything this process logs (idempotent)."""
    _state["service"] = service
    root = logging.getLogger()
    for handler in list(root.handlers):
        # Ours from an earlier call, or a plain console handler (basicConfig) that would print
        # unredacted lines; test harness handlers are subclasses and stay.
        if handler.get_name() == _HANDLER_NAME or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    handler = logging.StreamHandler(_Stdout())
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(_QuietProbes())
    handler.setLevel(level.upper())  # also for loggers that set a lower level of their own
    handler.setFormatter(json_formatter(json))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Libraries that add their own handlers would print around the redaction: route them here.
    for name in ("faststream", "faststream.broker", "uvicorn", "uvicorn.error", "uvicorn.access"):
        lib = logging.getLogger(name)
        lib.handlers.clear()
        lib.propagate = True
        lib.setLevel(logging.NOTSET)
    for noisy in ("aiokafka", "pymongo", "urllib3", "httpx", "httpcore", "minio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*_pre_chain(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )


def broker_logger() -> logging.Logger:
    """The logger our brokers give FastStream for its message lines (topic, group, message id).
    Not FastStream's own `faststream.access.kafka`: a broker made with FastStream's default
    logger (a test's, a tool's) re-creates that one with a console handler of its own."""
    return logging.getLogger("faststream.broker")
