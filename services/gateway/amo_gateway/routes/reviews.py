"""The operators' review queue: `/v1/operator/reviews...`, relayed to documents with the operator
the credential names (`OperatorHeader`); the queue's rules are documents' own."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from amo_gateway.auth import OperatorHeader
from amo_gateway.upstream import UpstreamDep, relay
from amo_shared.text import Note

router = APIRouter(prefix="/v1/operator/reviews", tags=["operator reviews"])

ItemId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,160}$")]
Status = Literal["waiting", "claimed", "refusal_pending", "approved", "refused"]


class Reasoned(BaseModel):
    """An approval or a refusal: the operator's words, which the applicant may read."""

    reason: Annotated[Note, Field(min_length=1, examples=["attestation sans cachet"])]


class Remark(BaseModel):
    reason: Note = ""


Reason = Annotated[Reasoned, Body()]
RESPONSES = {
    401: {"description": "No operator credential"},
    403: {"description": "Not an operator credential"},
    404: {"description": "No such review item"},
    409: {"description": "The step does not fit the item (another operator was first, four-eyes)"},
}


@router.get("", responses=RESPONSES)
async def list_reviews(
    operator: OperatorHeader,
    upstream: UpstreamDep,
    status: Annotated[Status | None, Query()] = None,
) -> JSONResponse:
    params = {"status": status} if status else None
    return relay(
        "documents",
        await upstream.call(
            "documents", "GET", "/operator/reviews", params=params, headers=operator
        ),
    )


@router.get("/{item_id}", responses=RESPONSES)
async def get_review(
    item_id: ItemId, operator: OperatorHeader, upstream: UpstreamDep
) -> JSONResponse:
    path = f"/operator/reviews/{item_id}"
    return relay("documents", await upstream.call("documents", "GET", path, headers=operator))


async def _step(
    upstream: UpstreamDep,
    item_id: str,
    step: str,
    operator: dict[str, str],
    body: BaseModel | None,
) -> JSONResponse:
    path = f"/operator/reviews/{item_id}/{step}"
    sent = body.model_dump() if body is not None else {}
    response = await upstream.call("documents", "POST", path, headers=operator, json=sent)
    return relay("documents", response)


@router.post("/{item_id}/claim", responses=RESPONSES)
async def claim(item_id: ItemId, operator: OperatorHeader, upstream: UpstreamDep) -> JSONResponse:
    return await _step(upstream, item_id, "claim", operator, None)


@router.post("/{item_id}/approve", responses=RESPONSES)
async def approve(
    item_id: ItemId, body: Reason, operator: OperatorHeader, upstream: UpstreamDep
) -> JSONResponse:
    return await _step(upstream, item_id, "approve", operator, body)


@router.post("/{item_id}/refuse", responses=RESPONSES)
async def refuse(
    item_id: ItemId, body: Reason, operator: OperatorHeader, upstream: UpstreamDep
) -> JSONResponse:
    """A refusal waits for a second, different operator to confirm it."""
    return await _step(upstream, item_id, "refuse", operator, body)


@router.post("/{item_id}/confirm", responses=RESPONSES)
async def confirm(
    item_id: ItemId,
    operator: OperatorHeader,
    upstream: UpstreamDep,
    body: Annotated[Remark | None, Body()] = None,
) -> JSONResponse:
    return await _step(upstream, item_id, "confirm", operator, body)


@router.post("/{item_id}/overrule", responses=RESPONSES)
async def overrule(
    item_id: ItemId,
    operator: OperatorHeader,
    upstream: UpstreamDep,
    body: Annotated[Remark | None, Body()] = None,
) -> JSONResponse:
    return await _step(upstream, item_id, "overrule", operator, body)
