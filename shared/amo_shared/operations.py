"""The operations endpoints every service and the gateway serve, for supervisors and operators.

- `GET /livez`: the process is up and its event loop answers (200, nothing else is checked);
- `GET /readyz`: 200 only when every dependency check passes, else 503 naming what is missing;
- `GET /health`: the same checks as a human summary; "ok" only when nothing is missing;
- `GET /metrics`: prometheus-client's default registry in the text exposition format (FastStream's
  message metrics, the HTTP metrics and the delivery metrics of `amo_shared.metrics`).

A check is an async callable that raises (or returns False) when its dependency does not answer;
each runs under a timeout, all at once, so a hung dependency makes `/readyz` slow by one timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

import amo_shared.metrics  # noqa: F401 - the delivery metrics register in REGISTRY on import

Check = Callable[[], Awaitable[Any]]
Checks = Callable[[], Mapping[str, Check]]

CHECK_TIMEOUT_SECONDS = 2.0


def mongo_check(db: Any) -> Check:
    async def ping() -> None:
        await db.command("ping")

    return ping


def kafka_check(broker: Any, timeout: float = CHECK_TIMEOUT_SECONDS * 0.75) -> Check:
    async def ping() -> bool:
        # FastStream's ping asks the cluster for its description: a real round trip.
        return bool(await broker.ping(timeout=timeout))

    return ping


def http_ready_check(client: httpx.AsyncClient, base_url: str) -> Check:
    """An upstream is ready when its own `/readyz` answers 200."""

    async def probe() -> bool:
        # A probe every few seconds must not start a trace each time.
        with suppress_instrumentation():
            response = await client.get(
                base_url.rstrip("/") + "/readyz", timeout=CHECK_TIMEOUT_SECONDS
            )
        return response.status_code == 200

    return probe


async def _outcome(check: Check, timeout: float) -> str:
    try:
        result = await asyncio.wait_for(check(), timeout)
    except TimeoutError:
        return "timeout"
    except Exception as exc:
        # The type only: messages of drivers may carry addresses and credentials.
        return f"failed ({type(exc).__name__})"
    return "failed" if result is False else "ok"


async def run_checks(
    checks: Mapping[str, Check], timeout: float = CHECK_TIMEOUT_SECONDS
) -> dict[str, str]:
    names = list(checks)
    outcomes = await asyncio.gather(*(_outcome(checks[n], timeout) for n in names))
    return dict(zip(names, outcomes, strict=True))


def operations_router(
    service: str, checks: Checks, *, timeout: float = CHECK_TIMEOUT_SECONDS
) -> APIRouter:
    """`/livez`, `/readyz`, `/health` and `/metrics`; `checks()` is called on each probe, so
    dependencies registered after the router was made are checked too."""
    router = APIRouter(tags=["operations"])

    async def readiness() -> tuple[bool, dict[str, Any]]:
        outcomes = await run_checks(checks(), timeout)
        missing = [name for name, outcome in outcomes.items() if outcome != "ok"]
        return not missing, {"service": service, "checks": outcomes, "missing": missing}

    @router.get("/livez")
    async def livez() -> dict[str, str]:
        """The process is up."""
        return {"service": service, "status": "alive"}

    @router.get("/readyz", responses={503: {"description": "A dependency does not answer"}})
    async def readyz() -> JSONResponse:
        """200 only when every dependency answers; otherwise 503 naming what is missing."""
        ready, body = await readiness()
        return JSONResponse(
            {"status": "ready" if ready else "not ready", **body}, status_code=200 if ready else 503
        )

    @router.get("/health", responses={503: {"description": "Something is missing"}})
    async def health() -> JSONResponse:
        """A human summary: each dependency's state, "ok" only when nothing is missing."""
        ready, body = await readiness()
        summary = {"service": service, "status": "ok" if ready else "degraded", **body["checks"]}
        if not ready:
            summary["missing"] = body["missing"]
        return JSONResponse(summary, status_code=200 if ready else 503)

    @router.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        """Prometheus text exposition of this process's metrics."""
        # The classic text format (0.0.4): every Prometheus version and scraper reads it.
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return router
