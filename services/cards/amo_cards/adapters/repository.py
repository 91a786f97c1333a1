"""Cards in Mongo: one document per application (`_id` = application id), through AggregateStore.

The `_id` makes issuing idempotent (a redelivered or replayed decision finds its card) and the
unique index on `member_number` makes a drawn number that is already taken fail, so it is drawn
again: two members never share a number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from amo_cards.domain import Card
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent

log = structlog.get_logger(__name__)

COLLECTION = "cards"
# A collision among 10^11 numbers is rare; several in a row means something else is wrong.
NUMBER_ATTEMPTS = 8

Draft = Callable[[], tuple[Card, OutgoingEvent]]


class MemberNumberExhausted(RuntimeError):
    """Every drawn member number was taken: the draw is broken, not the luck."""


class CardRepository:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def ensure_indexes(self) -> None:
        await self.store.ensure_index("member_number", unique=True)

    async def issue(self, application_id: str, draft: Draft) -> Card | None:
        """Store the card `draft()` makes, with its event, in one insert.

        None when the application already has its card (a redelivery): nothing is written.
        """
        for _ in range(NUMBER_ATTEMPTS):
            card, event = draft()
            if card.application_id != application_id:
                raise ValueError("the drafted card belongs to another application")
            if await self.store.create(to_document(card), events=[event]):
                return card
            # create() says False for any duplicate key: the application's card, or the number.
            if await self.store.get(application_id) is not None:
                return None
            log.info("member number already taken, drawing another")
        raise MemberNumberExhausted(f"{NUMBER_ATTEMPTS} member numbers drawn, all taken")

    async def by_application(self, application_id: str) -> Card | None:
        doc = await self.store.get(application_id)
        return from_document(doc) if doc else None

    async def by_member_number(self, member_number: str) -> Card | None:
        doc = await self.store.find_one({"member_number": member_number})
        return from_document(doc) if doc else None


def to_document(card: Card) -> dict[str, Any]:
    # JSON mode: dates as ISO strings (BSON has no date type), read back by the same model.
    return {"_id": card.application_id, **card.model_dump(mode="json")}


def from_document(doc: dict[str, Any]) -> Card:
    return Card.model_validate({k: v for k, v in doc.items() if k in Card.model_fields})


Decide = Callable[[Card], tuple[Card, list[OutgoingEvent]] | None]


async def change(repo: CardRepository, application_id: str, decide: Decide) -> Card | None:
    """Read, decide, compare-and-set the card of `application_id` with its events (bumps `_v`).

    `decide` returns None for nothing to do; the card as it stands afterwards (None: unknown).
    """
    result: dict[str, Card] = {}

    def step(doc: dict[str, Any]) -> Change | None:
        card = from_document(doc)
        result["card"] = card
        decided = decide(card)
        if decided is None:
            return None
        after, events = decided
        result["card"] = after
        return Change(set=_fields(after), events=events)

    if await repo.store.mutate(application_id, step) is None:
        return None
    return result["card"]


async def in_force(repo: CardRepository) -> list[Card]:
    """Every card the revalidation job looks at (active or suspended)."""
    docs = [
        *await repo.store.find({"status": "active"}),
        *await repo.store.find({"status": "suspended"}),
    ]
    return [from_document(d) for d in docs]


def _fields(card: Card) -> dict[str, Any]:
    return card.model_dump(mode="json")
