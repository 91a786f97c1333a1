"""Composition root of the claims service: settings, runtime, its route and the API."""

from __future__ import annotations

from fastapi import FastAPI

from amo_claims import api, handlers
from amo_claims.adapters.repository import COLLECTION, MemberRegister
from amo_claims.settings import Settings
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "claims"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = create_runtime(SERVICE, settings)
    members = MemberRegister(runtime.store(COLLECTION))

    async def setup(rt: Runtime) -> None:
        rt.subscribe(handlers.routes(members))

    app = service_app(runtime, setup, title="AMO claims", aggregates=[COLLECTION])
    app.state.members = members
    app.include_router(api.router)
    return app
