"""Internal HTTP of the cards service: a card by member number (coverage look-up).

Reached only through the gateway, which authenticates hospitals and operators.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from amo_cards.adapters.repository import CardRepository
from amo_cards.domain import Card, is_valid_member_number

router = APIRouter(tags=["cards"])


def card_repository(request: Request) -> CardRepository:
    return request.app.state.cards  # built once by the app factory


Cards = Annotated[CardRepository, Depends(card_repository)]


@router.get("/cards/{member_number}", response_model=Card)
async def get_card(member_number: str, cards: Cards) -> Card:
    # A malformed number (bad check digit) cannot exist: answer without a database round trip.
    card = (
        await cards.by_member_number(member_number)
        if is_valid_member_number(member_number)
        else None
    )
    if card is None:
        raise HTTPException(status_code=404, detail="no card with this member number")
    return card
