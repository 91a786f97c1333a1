"""Composition root of the registration service: runtime, subscribers and the internal API."""

from __future__ import annotations

from amo_shared.runtime import create_runtime, service_app
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from amo_registration.adapters.repository import COLLECTION
from amo_registration.api import router
from amo_registration.handlers import register
from amo_registration.settings import Settings


async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # Field and rule only: the input may hold a CNIE or a residence permit number.
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = create_runtime("registration", settings)
    app = service_app(runtime, register, title="AMO registration (internal)", aggregates=[COLLECTION])
    app.include_router(router)
    app.add_exception_handler(RequestValidationError, validation_error)
    return app
