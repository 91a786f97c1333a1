"""The card: its printable PDF (the citizen's own, authorised by registration), the public keys
and statement verification (public), and operators' actions on a card."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, StringConstraints

from amo_gateway.auth import CitizenHeader, SupervisorHeader
from amo_gateway.upstream import UpstreamDep, UpstreamFailed, answer, relay

router = APIRouter(tags=["cards"])

CARDS = "cards"
TOKEN_MAX = 4096
# A code of the cards' reason catalogue: lower-case words joined by `_` or `.`.
REASON_CODE = r"^[a-z0-9][a-z0-9_.-]*$"


@router.get("/v1/applications/{application_id}/card.pdf", response_model=None)
async def card_pdf(
    application_id: UUID,
    citizen: CitizenHeader,
    upstream: UpstreamDep,
    lang: Literal["fr", "ar"] = "fr",
) -> Response:
    found = await upstream.call(
        "registration", "GET", f"/applications/{application_id}/card", headers=citizen
    )
    if found.status_code != 200:
        return relay("registration", found)
    card = answer("registration", found)
    number = card.get("member_number") if isinstance(card, dict) else None
    if not isinstance(number, str):
        raise UpstreamFailed("registration")
    pdf = await upstream.call(CARDS, "GET", f"/cards/{number}/card.pdf", params={"lang": lang})
    if pdf.status_code != 200:
        return relay(CARDS, pdf)
    return Response(pdf.content, media_type="application/pdf")


@router.get("/.well-known/jwks.json")
async def jwks(upstream: UpstreamDep) -> JSONResponse:
    return relay(CARDS, await upstream.call(CARDS, "GET", "/.well-known/jwks.json"))


@router.get("/v1/cards/verify")
async def verify(
    upstream: UpstreamDep,
    token: Annotated[str, Query(min_length=1, max_length=TOKEN_MAX)],
) -> JSONResponse:
    """Whether a card's statement is genuine, its claims, and the card's status now."""
    return relay(CARDS, await upstream.call(CARDS, "GET", "/cards/verify", params={"token": token}))


class CardAction(BaseModel):
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=64, pattern=REASON_CODE),
        Field(description="A reason code"),
    ]
    beneficiary_rank: int | None = Field(None, ge=0, le=99)


@router.post("/v1/operator/cards/{member_number}/{action}")
async def act_on_card(
    member_number: Annotated[str, Path(max_length=16)],
    action: Literal["suspend", "reinstate", "revoke"],
    body: CardAction,
    operator: SupervisorHeader,
    upstream: UpstreamDep,
) -> JSONResponse:
    response = await upstream.call(
        CARDS,
        "POST",
        f"/operator/cards/{member_number}/{action}",
        json=body.model_dump(),
        headers=operator,
    )
    return relay(CARDS, response)
