"""Composition root of the registration service: runtime, its routes and the internal API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from amo_registration import handlers
from amo_registration.adapters.repository import COLLECTION, ApplicationRepository
from amo_registration.api import router
from amo_registration.settings import Settings
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "registration"


async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # Field and rule only: the input may hold a CNIE or a residence permit number.
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = create_runtime(SERVICE, settings)
    applications = ApplicationRepository(runtime.store(COLLECTION))

    async def setup(rt: Runtime) -> None:
        rt.subscribe(handlers.routes(applications))

    app = service_app(runtime, setup, title="AMO registration (internal)", aggregates=[COLLECTION])
    app.state.applications = applications
    app.include_router(router)
    app.add_exception_handler(RequestValidationError, validation_error)
    return app
