"""Error answers: FastAPI's `detail` shape, without echoing what the client sent."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from amo_gateway.upload_pace import UploadTooSlow
from amo_gateway.upstream import UpstreamFailed, UpstreamUnavailable


async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # `input` and `ctx` may carry the CNIE or other personal data: keep the field and the rule.
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


async def upstream_unavailable(_request: Request, exc: UpstreamUnavailable) -> JSONResponse:
    return JSONResponse(
        {"detail": f"the {exc.service} service is unavailable, try again later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def upstream_failed(_request: Request, exc: UpstreamFailed) -> JSONResponse:
    return JSONResponse(
        {"detail": f"the {exc.service} service failed, try again later"}, status_code=502
    )


async def upload_too_slow(_request: Request, _exc: UploadTooSlow) -> JSONResponse:
    # The connection is closed: the rest of a trickled body is not waited for.
    return JSONResponse(
        {"detail": "upload too slow: send the file within the time allowed"},
        status_code=408,
        headers={"Connection": "close"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(UploadTooSlow, upload_too_slow)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(UpstreamUnavailable, upstream_unavailable)
    app.add_exception_handler(UpstreamFailed, upstream_failed)
