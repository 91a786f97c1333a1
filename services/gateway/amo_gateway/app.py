"""Composition root of the gateway: one shared HTTP client, the public routes and `/health`.

No Kafka and no database here: every resource belongs to the service that owns it.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx
from amo_shared.envelope import new_traceparent
from amo_shared.logging import configure_logging
from fastapi import FastAPI, Request

from amo_gateway import errors
from amo_gateway.routes import applications, checklist, documents
from amo_gateway.settings import Settings
from amo_gateway.upstream import Upstream, current_traceparent


def create_app(settings: Settings | None = None,
               transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """`transport` replaces the network in tests (e.g. an ASGI app standing for the services)."""
    settings = settings or Settings()
    configure_logging("gateway", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        timeout = httpx.Timeout(settings.upstream_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            app.state.upstream = Upstream(client, settings)
            yield

    app = FastAPI(title="AMO applicant API", version="1", lifespan=lifespan)
    errors.install(app)
    # JSON bodies are capped (413 past it); uploads are not: documents enforces its own limit
    # while streaming, and the gateway never holds an upload.
    app.include_router(applications.router, max_body_size=settings.max_json_body_bytes)
    app.include_router(documents.router)
    app.include_router(checklist.router)

    @app.middleware("http")
    async def trace_context(request: Request, call_next):
        # Continue the caller's trace when it sends one, else start one, for every upstream call.
        token = current_traceparent.set(new_traceparent(request.headers.get("traceparent")))
        try:
            return await call_next(request)
        finally:
            current_traceparent.reset(token)

    @app.get("/health", tags=["operations"])
    async def health(request: Request) -> dict[str, str]:
        upstream: Upstream = request.app.state.upstream
        names = list(upstream.urls)
        checks = await asyncio.gather(*(reachable(upstream, n, settings.health_timeout_seconds)
                                        for n in names))
        return {"service": "gateway", "status": "ok"} | dict(zip(names, checks, strict=True))

    return app


async def reachable(upstream: Upstream, service: str, timeout: float) -> str:
    try:
        response = await upstream.client.get(upstream.url(service, "/health"), timeout=timeout)
    except httpx.HTTPError:
        return "unreachable"
    return "ok" if response.status_code == 200 else "unavailable"
