"""Applications: create (returns the applicant's token once), read, submit, the card; all
relayed to registration, which owns them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from amo_gateway.auth import BearerHeader
from amo_gateway.rate_limits import LimiterDep, spend_creation
from amo_gateway.schemas import ApplicationCreated, NewApplication
from amo_gateway.upstream import UpstreamDep, relay

router = APIRouter(prefix="/v1/applications", tags=["applications"])

REGISTRATION = "registration"
ERRORS = {
    401: {"description": "No bearer token"},
    404: {"description": "No such application for this token"},
    503: {"description": "Registration unavailable"},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationCreated,
    responses={
        422: {"description": "A field is malformed or missing"},
        429: {"description": "Too many applications from this address: see Retry-After"},
    },
)
async def create_application(
    body: NewApplication, request: Request, counters: LimiterDep, upstream: UpstreamDep
) -> JSONResponse:
    await spend_creation(request, counters)
    response = await upstream.call(
        REGISTRATION, "POST", "/applications", json=body.to_registration()
    )
    return relay(REGISTRATION, response)


@router.get("/{application_id}", responses=ERRORS)
async def read_application(
    application_id: UUID, auth: BearerHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        REGISTRATION, "GET", f"/applications/{application_id}", headers=auth
    )
    return relay(REGISTRATION, response)


@router.post("/{application_id}/submit", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def submit_application(
    application_id: UUID, auth: BearerHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        REGISTRATION, "POST", f"/applications/{application_id}/submit", headers=auth
    )
    return relay(REGISTRATION, response)


@router.get(
    "/{application_id}/card",
    responses={**ERRORS, 404: {"description": "No such application, or no card yet"}},
)
async def read_card(
    application_id: UUID, auth: BearerHeader, upstream: UpstreamDep
) -> JSONResponse:
    """The card as it stands: each beneficiary's period and status, the payer, its history."""
    response = await upstream.call(
        REGISTRATION, "GET", f"/applications/{application_id}/card", headers=auth
    )
    return relay(REGISTRATION, response)
