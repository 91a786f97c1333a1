"""Composition root of the gateway: one shared HTTP client, the public routes behind their abuse
limits and security headers, the operations endpoints (`/livez`, `/readyz` ready only when
every upstream is, `/health`, `/metrics`), traces and JSON logs.

No Kafka and no database here: every resource belongs to the service that owns it.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI

from amo_gateway import errors
from amo_gateway.audit import AuditLog
from amo_gateway.rate_limits import Limiter, RateLimits, within_rate_limits
from amo_gateway.routes import applications, checklist, documents, operator_claims
from amo_gateway.routes import cards as card_routes
from amo_gateway.routes import claims as claim_routes
from amo_gateway.routes import facility as facility_routes
from amo_gateway.routes import reference as reference_routes
from amo_gateway.routes import reviews as review_routes
from amo_gateway.security_headers import DOCS_PAGES, SecurityHeaders
from amo_gateway.settings import Settings
from amo_gateway.upload_pace import Pace
from amo_gateway.upstream import Upstream
from amo_shared.apidocs import api_docs
from amo_shared.identity import TokenVerifier, http_key_fetcher
from amo_shared.logging import configure_logging
from amo_shared.operations import http_ready_check, operations_router
from amo_shared.telemetry import flush, instrument_app, instrument_client

SERVICE = "gateway"


def create_app(
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    tokens: TokenVerifier | None = None,
) -> FastAPI:
    """`transport` replaces the network in tests (e.g. an ASGI app standing for the services),
    `tokens` the identity provider's verifier (e.g. one trusting a key made by the test)."""
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        timeout = httpx.Timeout(settings.upstream_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            # A client span per upstream call, carrying the request's trace to the services.
            instrument_client(client)
            app.state.upstream = Upstream(client, settings)
            app.state.tokens = tokens or TokenVerifier(
                issuer=settings.identity_issuer,
                audience=settings.identity_audience,
                fetch_keys=http_key_fetcher(client, settings.jwks_url),
            )
            try:
                yield
            finally:
                flush()

    docs = api_docs(settings.environment)
    app = FastAPI(title="AMO applicant API", version="1", lifespan=lifespan, **docs)
    app.state.settings = settings
    app.state.audit = AuditLog(settings.audit_log)
    app.state.limiter = Limiter(RateLimits.of(settings))
    app.state.pace = Pace.of(settings)
    errors.install(app)
    app.add_middleware(
        SecurityHeaders,
        behind_tls=settings.behind_tls,
        docs_pages=DOCS_PAGES if docs["docs_url"] else (),
    )
    # Every public route counts against its caller's rate limits.
    limited = [Depends(within_rate_limits)]
    json_bodies = {"max_body_size": settings.max_json_body_bytes, "dependencies": limited}
    # JSON bodies are capped (413 past it); uploads are not: documents enforces its own limit
    # while streaming, and the gateway never holds an upload (its pace is kept, though).
    app.include_router(applications.router, **json_bodies)
    app.include_router(documents.router, dependencies=limited)
    app.include_router(checklist.router, **json_bodies)
    app.include_router(card_routes.router, **json_bodies)
    app.include_router(review_routes.router, **json_bodies)
    app.include_router(reference_routes.router, **json_bodies)
    # Claims: JSON bodies capped; their attachments stream to documents like applications'.
    app.include_router(claim_routes.router, **json_bodies)
    app.include_router(claim_routes.uploads, dependencies=limited)
    app.include_router(facility_routes.router, **json_bodies)
    app.include_router(operator_claims.router, **json_bodies)

    def upstreams_ready():
        upstream: Upstream | None = getattr(app.state, "upstream", None)
        if upstream is None:
            return {"started": _not_started}
        return {name: http_ready_check(upstream.client, url) for name, url in upstream.urls.items()}

    app.include_router(
        operations_router(SERVICE, upstreams_ready, timeout=settings.health_timeout_seconds)
    )
    instrument_app(app, SERVICE)
    return app


async def _not_started() -> bool:
    return False
