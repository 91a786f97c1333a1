"""Internal HTTP for the operators' review queue (called by the gateway, which has checked the
operator's credential and names the operator in `X-Operator`).

Views carry no document bytes and at most a masked CNIE; every step records who, when and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from amo_documents.domain.reviews import STATUSES, Action, ReviewConflict, ReviewItem
from amo_documents.reviewing import NoSuchItem, Reviewing
from amo_shared.aggregates import ConcurrentWriteError
from amo_shared.events import DocumentKind
from amo_shared.text import Note

router = APIRouter(prefix="/operator/reviews", tags=["reviews"])

ItemId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,160}$")]
StatusFilter = Annotated[Literal[STATUSES] | None, Query(alias="status")]  # type: ignore[valid-type]


def operator_of(x_operator: Annotated[str | None, Header()] = None) -> str:
    if not x_operator or not x_operator.strip():
        raise HTTPException(401, "an operator is required (X-Operator)")
    return x_operator.strip()


class StepView(BaseModel):
    action: str
    operator: str
    at: datetime
    reason: str = ""


class ReviewView(BaseModel):
    id: str
    application_id: str
    submission: int
    subject: Literal["document", "identity"]
    kind: DocumentKind
    dependant: int | None = None
    code: str
    status: str
    created_at: datetime
    sha256: str | None = None
    cnie_masked: str | None = None
    likely_duplicate_of: list[str] = []
    claimed_by: str | None = None
    refused_by: str | None = None
    refusal_reason: str = ""
    history: list[StepView] = []


class Decision(BaseModel):
    reason: Annotated[Note, Field(min_length=1)]


class Second(BaseModel):
    reason: Note = ""


def view(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "application_id": item.application_id,
        "submission": item.submission,
        "subject": item.subject,
        "kind": item.kind,
        "dependant": item.dependant,
        "code": item.code,
        "status": item.status,
        "created_at": item.created_at,
        "sha256": item.sha256,
        "cnie_masked": item.cnie_masked,
        "likely_duplicate_of": list(item.likely_duplicate_of),
        "claimed_by": item.claimed_by,
        "refused_by": item.refused_by,
        "refusal_reason": item.refusal_reason,
        "history": [s.__dict__ for s in item.history],
    }


def _reviewing(request: Request) -> Reviewing:
    return request.app.state.reviewing


@router.get("", response_model=list[ReviewView])
async def list_reviews(
    request: Request,
    x_operator: Annotated[str | None, Header()] = None,
    status: StatusFilter = None,
) -> list[dict[str, Any]]:
    operator_of(x_operator)
    return [view(i) for i in await _reviewing(request).items.listing(status)]


@router.get("/{item_id}", response_model=ReviewView)
async def get_review(
    request: Request, item_id: ItemId, x_operator: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    operator_of(x_operator)
    item = await _reviewing(request).items.get(item_id)
    if item is None:
        raise HTTPException(404, "no such review item")
    return view(item)


async def _step(
    request: Request, item_id: str, action: Action, x_operator: str | None, reason: str = ""
) -> dict[str, Any]:
    operator = operator_of(x_operator)
    try:
        item = await _reviewing(request).act(item_id, action, operator, reason)
    except NoSuchItem:
        raise HTTPException(404, "no such review item") from None
    except ReviewConflict as exc:
        raise HTTPException(409, str(exc)) from None
    except ConcurrentWriteError:
        raise HTTPException(503, "item très sollicité, réessayez") from None
    return view(item)


@router.post("/{item_id}/claim", response_model=ReviewView)
async def claim(
    request: Request, item_id: ItemId, x_operator: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    return await _step(request, item_id, "claim", x_operator)


@router.post("/{item_id}/approve", response_model=ReviewView)
async def approve(
    request: Request,
    item_id: ItemId,
    body: Decision,
    x_operator: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    return await _step(request, item_id, "approve", x_operator, body.reason)


@router.post("/{item_id}/refuse", response_model=ReviewView)
async def refuse(
    request: Request,
    item_id: ItemId,
    body: Decision,
    x_operator: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    return await _step(request, item_id, "refuse", x_operator, body.reason)


@router.post("/{item_id}/confirm", response_model=ReviewView)
async def confirm(
    request: Request,
    item_id: ItemId,
    x_operator: Annotated[str | None, Header()] = None,
    body: Second | None = None,
) -> dict[str, Any]:
    return await _step(request, item_id, "confirm", x_operator, body.reason if body else "")


@router.post("/{item_id}/overrule", response_model=ReviewView)
async def overrule(
    request: Request,
    item_id: ItemId,
    x_operator: Annotated[str | None, Header()] = None,
    body: Second | None = None,
) -> dict[str, Any]:
    return await _step(request, item_id, "overrule", x_operator, body.reason if body else "")
