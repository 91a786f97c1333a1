"""Composition root of the registration service: runtime, its routes and the internal API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from amo_registration import handlers
from amo_registration.adapters.persons import PERSONS, PersonRegister
from amo_registration.adapters.repository import COLLECTION, ApplicationRepository
from amo_registration.api import members, router
from amo_registration.settings import Settings
from amo_shared.runtime import Runtime, create_runtime, ensure_collections, service_app

SERVICE = "registration"


async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # Field and rule only: the input may hold a CNIE, a residence permit number or a RIB.
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = create_runtime(SERVICE, settings)
    applications = ApplicationRepository(runtime.store(COLLECTION))
    # No events from the register: outside the relay's aggregates, a collection of its own.
    persons = PersonRegister(runtime.store(PERSONS), applications.get)

    async def setup(rt: Runtime) -> None:
        await ensure_collections(rt.db, [PERSONS])
        await applications.ensure_indexes()
        rt.subscribe(handlers.routes(applications))

    app = service_app(runtime, setup, title="AMO registration (internal)", aggregates=[COLLECTION])
    app.state.applications = applications
    app.state.persons = persons
    app.state.keyring = settings.keyring()
    app.include_router(router)
    app.include_router(members)
    app.add_exception_handler(RequestValidationError, validation_error)
    return app
