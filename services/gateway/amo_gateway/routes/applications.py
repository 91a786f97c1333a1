"""A citizen's applications: create, list, read, submit, the card; all relayed to registration,
which owns them and opens each only for the account that filed it."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from amo_gateway.auth import CITIZEN_HEADER, CitizenCaller, CitizenHeader
from amo_gateway.rate_limits import LimiterDep, spend_creation
from amo_gateway.schemas import ApplicationCreated, NewApplication
from amo_gateway.upstream import UpstreamDep, relay

router = APIRouter(prefix="/v1/applications", tags=["applications"])

REGISTRATION = "registration"
ERRORS = {
    401: {"description": "No valid citizen's access token"},
    403: {"description": "Not a citizen's account"},
    404: {"description": "No such application for this account"},
    503: {"description": "Registration unavailable"},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationCreated,
    responses={
        401: ERRORS[401],
        403: ERRORS[403],
        409: {"description": "This person already has an open application or a membership"},
        422: {"description": "A field is malformed or missing"},
        429: {"description": "Too many applications from this address or account: see Retry-After"},
    },
)
async def create_application(
    body: NewApplication,
    request: Request,
    caller: CitizenCaller,
    counters: LimiterDep,
    upstream: UpstreamDep,
) -> JSONResponse:
    await spend_creation(request, counters, caller.subject)
    response = await upstream.call(
        REGISTRATION,
        "POST",
        "/applications",
        json=body.to_registration(),
        headers={CITIZEN_HEADER: caller.subject},
    )
    return relay(REGISTRATION, response)


@router.get("", responses={401: ERRORS[401], 403: ERRORS[403], 503: ERRORS[503]})
async def list_applications(citizen: CitizenHeader, upstream: UpstreamDep) -> JSONResponse:
    """This account's applications, oldest first (a guardian may have filed several)."""
    return relay(
        REGISTRATION, await upstream.call(REGISTRATION, "GET", "/applications", headers=citizen)
    )


@router.get("/{application_id}", responses=ERRORS)
async def read_application(
    application_id: UUID, citizen: CitizenHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        REGISTRATION, "GET", f"/applications/{application_id}", headers=citizen
    )
    return relay(REGISTRATION, response)


@router.post("/{application_id}/submit", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def submit_application(
    application_id: UUID, citizen: CitizenHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        REGISTRATION, "POST", f"/applications/{application_id}/submit", headers=citizen
    )
    return relay(REGISTRATION, response)


@router.get(
    "/{application_id}/card",
    responses={**ERRORS, 404: {"description": "No such application, or no card yet"}},
)
async def read_card(
    application_id: UUID, citizen: CitizenHeader, upstream: UpstreamDep
) -> JSONResponse:
    """The card as it stands: each beneficiary's period and status, the payer, its history."""
    response = await upstream.call(
        REGISTRATION, "GET", f"/applications/{application_id}/card", headers=citizen
    )
    return relay(REGISTRATION, response)
