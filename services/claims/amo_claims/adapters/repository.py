"""The claims service's own register of covered members, built from card events.

One document per member (`_id` = member number), written through AggregateStore. Card events may
arrive twice, late or out of order (card.issued is keyed by application, the card's changes by
member number): an entry changes only for an event with a higher `sequence` than the one it holds.
ALD exemptions granted by operators live on the same document and survive every card event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from amo_claims.domain import AldExemption, AldList, ClaimRules
from amo_claims.domain.member import Member, grant_exemption, member_after
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.events import CardChange, CardState

COLLECTION = "members"

RulesFor = Callable[[CardState], Awaitable[ClaimRules]]


def _member(doc: dict[str, Any]) -> Member:
    return Member.model_validate({k: v for k, v in doc.items() if k in Member.model_fields})


class MemberRegister:
    def __init__(self, store: AggregateStore, rules_for: RulesFor) -> None:
        self.store = store
        self.rules_for = rules_for  # the claim rules (scheme by category) for a card

    async def record_card(self, card: CardState, change: CardChange | None = None) -> str:
        """Follow the card; 'created', 'updated' or 'unchanged' (an event no newer than held)."""
        rules = await self.rules_for(card)
        first = member_after(None, card, change, rules)
        assert first is not None  # nothing held: always an entry
        if await self.store.create({"_id": card.member_number, **first.model_dump(mode="json")}):
            return "created"
        outcome = "unchanged"

        def decide(doc: dict[str, Any]) -> Change | None:
            nonlocal outcome
            held = _held(doc)
            after = member_after(held, card, change, rules)
            outcome = "unchanged" if after is None else "updated"
            return None if after is None else Change(set=after.model_dump(mode="json"))

        if await self.store.mutate(card.member_number, decide) is None:
            raise LookupError("member vanished between insert and update")
        return outcome

    async def grant(
        self, member_number: str, exemption: AldExemption, ald: AldList, operator: str
    ) -> tuple[Member, bool] | None:
        """(the member after, whether it changed); None for an unknown member. Raises
        ExemptionRefused."""
        result: dict[str, Any] = {}

        def decide(doc: dict[str, Any]) -> Change | None:
            held = _member(doc)
            after = grant_exemption(held, exemption, ald, operator, datetime.now(UTC))
            result["member"], result["changed"] = after or held, after is not None
            if after is None:
                return None
            return Change(set={"exemptions": after.model_dump(mode="json")["exemptions"]})

        if await self.store.mutate(member_number, decide) is None:
            return None
        return result["member"], result["changed"]

    async def get(self, member_number: str) -> Member | None:
        doc = await self.store.get(member_number)
        return None if doc is None else _held(doc)


def _held(doc: dict[str, Any]) -> Member:
    # Entries written before card sequences existed held the issue only: sequence 1.
    return _member({"sequence": 1, "exemptions": [], **doc})
