"""The claims service's own register of covered members, built from card events.

One document per member (`_id` = member number), written through AggregateStore. Card events may
arrive twice or late: a stored member changes only for an event newer than the one it holds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from amo_claims.domain import Coverage, CoverageStatus
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.events import CardBeneficiary, CardIssued, Category

COLLECTION = "members"


class Member(BaseModel):
    """What the fund knows of a covered member, as the register holds it."""

    model_config = ConfigDict(frozen=True)

    member_number: str
    application_id: str
    status: CoverageStatus
    status_since: date | None = None
    category: Category
    valid_from: date
    valid_until: date
    beneficiaries: list[CardBeneficiary]
    payer: str
    # The time of the card event the register holds: the order of the member's changes.
    as_of: datetime

    def coverage(self) -> Coverage:
        return Coverage(
            member_number=self.member_number,
            status=self.status,
            status_since=self.status_since,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            beneficiary_ranks=frozenset(b.rank for b in self.beneficiaries),
        )


def member_from_card(card: CardIssued) -> Member:
    return Member(
        member_number=card.member_number,
        application_id=card.application_id,
        status=CoverageStatus(card.status),
        category=card.category,
        valid_from=card.valid_from,
        valid_until=card.valid_until,
        beneficiaries=card.beneficiaries,
        payer=card.payer,
        as_of=card.issued_at,
    )


class MemberRegister:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def record_card(self, card: CardIssued) -> str:
        """Register the card's member; 'created', 'updated' or 'unchanged' (already as new)."""
        incoming = member_from_card(card)
        fields = incoming.model_dump(mode="json")
        if await self.store.create({"_id": card.member_number, **fields}):
            return "created"

        def decide(doc: dict[str, Any]) -> Change | None:
            held = datetime.fromisoformat(doc["as_of"])
            return Change(set=fields) if incoming.as_of > held else None

        before = await self.store.mutate(card.member_number, decide)
        if before is None:
            raise LookupError("member vanished between insert and update")
        return (
            "updated" if incoming.as_of > datetime.fromisoformat(before["as_of"]) else "unchanged"
        )

    async def get(self, member_number: str) -> Member | None:
        doc = await self.store.get(member_number)
        if doc is None:
            return None
        return Member.model_validate({k: v for k, v in doc.items() if k in Member.model_fields})
