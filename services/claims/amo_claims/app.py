"""Composition root of the claims service: settings, runtime, subscribers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from amo_shared.runtime import Runtime, create_runtime, service_app

from amo_claims import api, handlers
from amo_claims.adapters.repository import COLLECTION, MemberRegister
from amo_claims.settings import Settings

SERVICE = "claims"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = create_runtime(SERVICE, settings)

    async def setup(rt: Runtime) -> None:
        handlers.register(rt, MemberRegister(rt.store(COLLECTION)))

    app = service_app(runtime, setup, title="AMO claims", aggregates=[COLLECTION])
    app.include_router(api.router)
    return app
