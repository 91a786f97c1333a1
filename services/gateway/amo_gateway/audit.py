"""The operators' audit log: who opened what, when, and why, one JSON line per call an operator
makes past the gateway's check (reads of personal records and decisions alike).

Who is the operator's sign-in name and subject from their token; what is the method, the route
and the resource it names (identifiers only: an application id, a member number, a review item,
never a name or a CNIE); why is the purpose the operator states (`?purpose=` in any script, or
the `X-Access-Purpose` header; a short free text), or the route's own purpose when they state
none. Lines are appended to
`AMO_GATEWAY_AUDIT_LOG` (a file opened 0600, flushed per line so a crash loses none written);
without it they go to the gateway's log under the event `operator access`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import structlog
from fastapi import Request

log = structlog.get_logger("amo_gateway.audit")

PURPOSE_PARAM, PURPOSE_HEADER = "purpose", "X-Access-Purpose"
MAX_PURPOSE = 200
# Control and bidi characters have no place in an audit line someone will read.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")

# What each operator route is for, when the operator says nothing more.
_PURPOSES = (
    ("/v1/operator/reviews", "document review"),
    ("/v1/operator/prior-approvals", "prior approval decision"),
    ("/v1/operator/claims", "medical review of claims"),
    ("/v1/operator/members", "ALD exemptions"),
    ("/v1/operator/cards", "card action"),
    ("/v1/operator/payment-runs", "payment run"),
)


def route_purpose(path: str) -> str:
    return next((why for prefix, why in _PURPOSES if path.startswith(prefix)), "operator call")


def stated_purpose(request: Request) -> str | None:
    raw = request.query_params.get(PURPOSE_PARAM) or request.headers.get(PURPOSE_HEADER)
    if raw is None:
        return None
    cleaned = _UNPRINTABLE.sub(" ", raw).strip()[:MAX_PURPOSE]
    return cleaned or None


class AuditLog:
    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()

    def record(self, *, operator: str, subject: str, request: Request) -> None:
        route = request.scope.get("route")
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "operator": operator,
            "subject": subject,
            "method": request.method,
            "route": getattr(route, "path", request.url.path),
            "resource": dict(request.path_params),
            "why": stated_purpose(request) or route_purpose(request.url.path),
            "stated": stated_purpose(request) is not None,
        }
        if self.path is None:
            log.info("operator access", **entry)
            return
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
