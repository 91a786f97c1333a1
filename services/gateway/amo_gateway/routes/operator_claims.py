"""Operators on claims: prior approvals to decide, the medical review queue, payment runs and their
ISO 20022 file. Relayed to claims with the operator the credential names (`OperatorHeader`)."""

from __future__ import annotations

from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse, Response

from amo_gateway.auth import OperatorHeader, SupervisorHeader
from amo_gateway.claim_bodies import ApprovalDecisionIn, ClaimDecisionIn
from amo_gateway.upstream import UpstreamDep, UpstreamFailed, relay

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/v1/operator", tags=["operator claims"])

CLAIMS = "claims"
ItemId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
ApprovalStatus = Literal["pending", "approved", "refused"]
ClaimStatus = Literal["received", "incomplete", "in_review", "accepted", "rejected", "paid"]
OPERATOR = {
    401: {"description": "No operator credential"},
    403: {"description": "Not an operator credential"},
}
XML_TYPES = ("application/xml", "text/xml")


def _status_param(value: str | None) -> dict[str, str] | None:
    return {"status": value} if value is not None else None


@router.get(
    "/prior-approvals",
    summary="Prior approvals, by status (the pending ones wait for a decision)",
    responses=OPERATOR,
)
async def list_approvals(
    operator: OperatorHeader,
    upstream: UpstreamDep,
    approval_status: Annotated[ApprovalStatus | None, Query(alias="status")] = None,
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS,
        "GET",
        "/operator/prior-approvals",
        params=_status_param(approval_status),
        headers=operator,
    )
    return relay(CLAIMS, response)


@router.post(
    "/prior-approvals/{approval_id}/decision",
    summary="Approve or refuse a prior approval (the same decision again changes nothing)",
    responses={
        **OPERATOR,
        404: {"description": "No such approval"},
        409: {"description": "Decided already with another outcome"},
        422: {"description": "A field is malformed"},
    },
)
async def decide_approval(
    approval_id: ItemId, body: ApprovalDecisionIn, operator: OperatorHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS,
        "POST",
        f"/operator/prior-approvals/{approval_id}/decision",
        json=body.model_dump(mode="json"),
        headers=operator,
    )
    return relay(CLAIMS, response)


@router.get(
    "/claims",
    summary="Claims by status (in_review: the medical review queue)",
    responses=OPERATOR,
)
async def list_claims(
    operator: OperatorHeader,
    upstream: UpstreamDep,
    claim_status: Annotated[ClaimStatus | None, Query(alias="status")] = None,
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS, "GET", "/operator/claims", params=_status_param(claim_status), headers=operator
    )
    return relay(CLAIMS, response)


@router.post(
    "/claims/{claim_id}/decision",
    summary="Accept or reject a claim in medical review",
    responses={
        **OPERATOR,
        404: {"description": "No such claim"},
        409: {"description": "The claim is not in review"},
        422: {"description": "A field is malformed"},
    },
)
async def decide_claim(
    claim_id: ItemId, body: ClaimDecisionIn, operator: OperatorHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS,
        "POST",
        f"/operator/claims/{claim_id}/decision",
        json=body.model_dump(mode="json"),
        headers=operator,
    )
    return relay(CLAIMS, response)


@router.post(
    "/payment-runs",
    status_code=status.HTTP_201_CREATED,
    summary="Pay every accepted claim (an interrupted run is finished first and returned)",
    responses={**OPERATOR, 200: {"description": "Nothing payable: no run, no file"}},
)
async def start_payment_run(operator: SupervisorHeader, upstream: UpstreamDep) -> JSONResponse:
    response = await upstream.call(CLAIMS, "POST", "/operator/payment-runs", headers=operator)
    return relay(CLAIMS, response)


@router.get(
    "/payment-runs/{run_id}",
    summary="A payment run and its transfers (accounts masked)",
    responses={**OPERATOR, 404: {"description": "No such run"}},
)
async def read_payment_run(
    run_id: ItemId, operator: SupervisorHeader, upstream: UpstreamDep
) -> JSONResponse:
    path = f"/operator/payment-runs/{run_id}"
    return relay(CLAIMS, await upstream.call(CLAIMS, "GET", path, headers=operator))


@router.get(
    "/payment-runs/{run_id}/pain.001",
    summary="The run's ISO 20022 pain.001.001.03 credit transfer file",
    response_class=Response,
    responses={
        **OPERATOR,
        200: {"content": {"application/xml": {}}, "description": "The payment file"},
        404: {"description": "No such run, or a run without a file"},
    },
)
async def payment_file(
    run_id: ItemId, operator: SupervisorHeader, upstream: UpstreamDep
) -> Response:
    path = f"/operator/payment-runs/{run_id}/pain.001"
    response = await upstream.call(CLAIMS, "GET", path, headers=operator)
    if response.status_code != status.HTTP_200_OK:
        return relay(CLAIMS, response)
    content_type = response.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in XML_TYPES:
        log.warning("payment file is not XML", service=CLAIMS)
        raise UpstreamFailed(CLAIMS)
    return Response(
        response.content,
        media_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{run_id}.pain.001.xml"'},
    )
