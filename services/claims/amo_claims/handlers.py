"""The claims service's routes: its register of covered members follows the card's life
(card.issued, then every change: suspended, reinstated, revoked, renewed, expired)."""

from __future__ import annotations

import structlog

from amo_claims.adapters.repository import MemberRegister
from amo_shared.envelope import IncomingEvent
from amo_shared.events import (
    CardChange,
    CardExpired,
    CardIssued,
    CardReinstated,
    CardRenewed,
    CardRevoked,
    CardSuspended,
)
from amo_shared.subscriptions import Route
from amo_shared.topics import (
    CARD_EXPIRED,
    CARD_ISSUED,
    CARD_REINSTATED,
    CARD_RENEWED,
    CARD_REVOKED,
    CARD_SUSPENDED,
)

log = structlog.get_logger(__name__)

CHANGE_MODELS: dict[str, type[CardChange]] = {
    CARD_SUSPENDED: CardSuspended,
    CARD_REINSTATED: CardReinstated,
    CARD_REVOKED: CardRevoked,
    CARD_RENEWED: CardRenewed,
    CARD_EXPIRED: CardExpired,
}


def routes(members: MemberRegister) -> list[Route]:
    """Each card event -> the member's entry (created, or updated if its sequence is higher)."""

    async def card_issued(event: IncomingEvent) -> None:
        card: CardIssued = event.payload
        outcome = await members.record_card(card)
        log.info("member register", outcome=outcome, sequence=card.sequence)

    async def card_changed(event: IncomingEvent) -> None:
        change: CardChange = event.payload
        outcome = await members.record_card(change, change)
        log.info("member register", outcome=outcome, change=change.change, sequence=change.sequence)

    return [
        Route(CARD_ISSUED, CardIssued, card_issued),
        *(Route(topic, model, card_changed) for topic, model in CHANGE_MODELS.items()),
    ]
