"""Calls to the internal services over one shared HTTP client, and relaying their answers.

An unreachable service is a 503 with a plain message, a failing one a 502: the client never sees
an internal stack trace or an internal address.
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import structlog
from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from amo_gateway.settings import Settings

log = structlog.get_logger(__name__)


class UpstreamUnavailable(Exception):
    def __init__(self, service: str):
        super().__init__(service)
        self.service = service


class UpstreamFailed(Exception):
    def __init__(self, service: str):
        super().__init__(service)
        self.service = service


class Upstream:
    def __init__(self, client: httpx.AsyncClient, settings: Settings):
        self.client = client
        self.urls = {
            "registration": settings.registration_url.rstrip("/"),
            "documents": settings.documents_url.rstrip("/"),
            "cards": settings.cards_url.rstrip("/"),
            "claims": settings.claims_url.rstrip("/"),
        }

    def url(self, service: str, path: str) -> str:
        return self.urls[service] + path

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.send(
            service, self.client.build_request(method, self.url(service, path), **kwargs)
        )

    async def send(self, service: str, request: httpx.Request) -> httpx.Response:
        # The client's instrumentation adds the request span's `traceparent`: one trace from the
        # applicant's call through the services and onto Kafka.
        try:
            return await self.client.send(request)
        except httpx.TransportError as exc:
            log.warning("upstream unreachable", service=service, error=type(exc).__name__)
            raise UpstreamUnavailable(service) from None


def answer(service: str, response: httpx.Response) -> Any:
    """The upstream's JSON body; a server error or a body that is not JSON is a plain 502."""
    if response.status_code >= 500:
        log.warning("upstream failed", service=service, status=response.status_code)
        raise UpstreamFailed(service)
    try:
        return response.json()
    except ValueError:
        log.warning("upstream answered without JSON", service=service, status=response.status_code)
        raise UpstreamFailed(service) from None


def relay(service: str, response: httpx.Response) -> JSONResponse:
    """The upstream's status and JSON body, as they are."""
    return JSONResponse(answer(service, response), status_code=response.status_code)


def upstream(request: Request) -> Upstream:
    return request.app.state.upstream


UpstreamDep = Annotated[Upstream, Depends(upstream)]
