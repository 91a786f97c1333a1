"""structlog set-up: JSON lines, and personal data redacted before anything is written."""

from __future__ import annotations

import logging
import sys

import structlog

# Keys whose values never reach a log line, wherever they appear.
SENSITIVE_KEYS = frozenset({
    "cnie", "residence_permit", "rib", "iban", "bank_account", "token", "authorization",
    "password", "secret", "secret_key", "access_key", "pension_number",
})


def redact(_logger, _method, event_dict: dict) -> dict:
    return {k: ("[redacted]" if k.lower() in SENSITIVE_KEYS else v) for k, v in event_dict.items()}


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper())
    for noisy in ("aiokafka", "pymongo", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(),
    )
    structlog.contextvars.bind_contextvars(service=service)
