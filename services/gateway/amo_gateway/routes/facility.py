"""Direct billing by approved facilities: `/v1/facility/...`, for a hospital client whose
token names the facility (`FacilityHeader`), relayed to claims as that facility. A facility sees only what it
filed itself (claims answers 404 for anything else)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import JSONResponse

from amo_gateway.auth import FacilityHeader
from amo_gateway.claim_bodies import FacilityClaimIn, PriorApprovalIn
from amo_gateway.upstream import UpstreamDep, relay

router = APIRouter(prefix="/v1/facility", tags=["facility"])

CLAIMS = "claims"
ItemId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
FACILITY = {
    401: {"description": "No valid access token"},
    403: {"description": "Not a billing facility's token, or the facility is not approved today"},
}


@router.post(
    "/claims",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Bill a claim directly (received at once: electronic billing needs no attachments)",
    responses={
        **FACILITY,
        404: {"description": "No such member"},
        422: {"description": "A field is malformed"},
    },
)
async def bill_claim(
    body: FacilityClaimIn, facility: FacilityHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS, "POST", "/facility/claims", json=body.model_dump(mode="json"), headers=facility
    )
    return relay(CLAIMS, response)


@router.get(
    "/claims/{claim_id}",
    summary="A claim this facility billed",
    responses={**FACILITY, 404: {"description": "No such claim of this facility"}},
)
async def read_claim(
    claim_id: ItemId, facility: FacilityHeader, upstream: UpstreamDep
) -> JSONResponse:
    path = f"/facility/claims/{claim_id}"
    return relay(CLAIMS, await upstream.call(CLAIMS, "GET", path, headers=facility))


@router.post(
    "/prior-approvals",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for a prior approval of planned acts (an operator decides)",
    responses={
        **FACILITY,
        404: {"description": "No such member"},
        422: {"description": "A field is malformed"},
    },
)
async def request_approval(
    body: PriorApprovalIn, facility: FacilityHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS,
        "POST",
        "/facility/prior-approvals",
        json=body.model_dump(mode="json"),
        headers=facility,
    )
    return relay(CLAIMS, response)


@router.get(
    "/prior-approvals/{approval_id}",
    summary="A prior approval this facility asked for, and its decision",
    responses={**FACILITY, 404: {"description": "No such approval of this facility"}},
)
async def read_approval(
    approval_id: ItemId, facility: FacilityHeader, upstream: UpstreamDep
) -> JSONResponse:
    path = f"/facility/prior-approvals/{approval_id}"
    return relay(CLAIMS, await upstream.call(CLAIMS, "GET", path, headers=facility))
