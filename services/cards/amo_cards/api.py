"""Internal HTTP of the cards service: a card by member number, its printable PDF and signed
statement, the public keys, verification, operators' actions and the revalidation job.

Reached only through the gateway, which authenticates applicants and operators.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field

from amo_cards.adapters.card_pdf import render
from amo_cards.adapters.repository import CardRepository
from amo_cards.adapters.signing import MAX_TOKEN, BadStatement, Keyring
from amo_cards.domain import (
    Card,
    ImpossibleChange,
    UnknownBeneficiary,
    UnknownReason,
    claims_of,
    is_valid_member_number,
    read_claims,
)
from amo_cards.lifecycle import act, run_job
from amo_shared.envelope import current_traceparent
from amo_shared.text import Code

router = APIRouter(tags=["cards"])


def card_repository(request: Request) -> CardRepository:
    return request.app.state.cards  # built once by the app factory


def keyring(request: Request) -> Keyring:
    return request.app.state.keyring


Cards = Annotated[CardRepository, Depends(card_repository)]
Keys = Annotated[Keyring, Depends(keyring)]


async def known_card(member_number: str, cards: Cards) -> Card:
    # A malformed number (bad check digit) cannot exist: answer without a database round trip.
    card = (
        await cards.by_member_number(member_number)
        if is_valid_member_number(member_number)
        else None
    )
    if card is None:
        raise HTTPException(status_code=404, detail="no card with this member number")
    return card


KnownCard = Annotated[Card, Depends(known_card)]


@router.get("/cards/verify")
async def verify(
    cards: Cards, keys: Keys, token: Annotated[str, Query(min_length=1, max_length=MAX_TOKEN)]
) -> dict[str, Any]:
    """Whether `token` is a statement we signed, its claims, and the card's status now."""
    try:
        statement = read_claims(keys.verify(token))
    except BadStatement as exc:
        return {"genuine": False, "reason": str(exc)}
    except ValueError:
        return {"genuine": False, "reason": "statement.malformed"}
    card = await cards.by_member_number(statement.member_number)
    now: dict[str, Any] | None = None
    if card is not None:
        now = {
            "status": card.status,
            "valid_until": card.valid_until,
            "beneficiaries": [{"rank": b.rank, "status": b.status} for b in card.beneficiaries],
        }
    return {"genuine": True, "claims": statement.model_dump(mode="json"), "card": now}


@router.get("/cards/{member_number}", response_model=Card)
async def get_card(card: KnownCard) -> Card:
    return card


@router.get("/cards/{member_number}/schedule")
async def get_schedule(card: KnownCard) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in card.schedule()]


@router.get("/cards/{member_number}/statement")
async def get_statement(card: KnownCard, keys: Keys) -> dict[str, str]:
    return {"token": keys.sign(claims_of(card, datetime.now(UTC).date()))}


@router.get("/cards/{member_number}/card.pdf")
async def get_pdf(
    request: Request, card: KnownCard, keys: Keys, lang: Literal["fr", "ar"] = "fr"
) -> Response:
    token = keys.sign(claims_of(card, datetime.now(UTC).date()))
    pdf = render(card, token, lang, request.app.state.font_path)
    return Response(pdf, media_type="application/pdf")


@router.get("/.well-known/jwks.json")
async def jwks(keys: Keys) -> dict[str, Any]:
    return keys.jwks()


class OperatorAction(BaseModel):
    reason: Annotated[Code, Field(max_length=64, description="A reason code of the catalogue")]
    beneficiary_rank: int | None = Field(None, ge=0, le=99)


def operator_id(x_operator: Annotated[str | None, Header()] = None) -> str:
    if not x_operator or not x_operator.strip():
        raise HTTPException(401, "an operator is required")
    return x_operator.strip()


@router.post("/operator/cards/{member_number}/{action}", response_model=Card)
async def operator_action(
    request: Request,
    action: Literal["suspend", "reinstate", "revoke"],
    body: OperatorAction,
    card: KnownCard,
    cards: Cards,
    operator: Annotated[str, Depends(operator_id)],
) -> Card:
    reasons = request.app.state.reasons
    try:
        return await act(
            cards,
            card,
            action,
            body.beneficiary_rank,
            body.reason,
            operator,
            reasons,
            current_traceparent(),
        )
    except UnknownReason as exc:
        raise _invalid("reason", str(exc)) from None
    except UnknownBeneficiary as exc:
        raise _invalid("beneficiary_rank", str(exc)) from None
    except ImpossibleChange as exc:
        raise HTTPException(409, str(exc)) from None


@router.post("/operations/revalidate")
async def revalidate_now(
    request: Request, cards: Cards, as_of: Annotated[date, Query()]
) -> dict[str, Any]:
    state = request.app.state
    summary = await run_job(cards, as_of, state.terms, state.reasons)
    return dataclasses.asdict(summary)


def _invalid(name: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", name), "msg": message, "type": "value_error"}])
