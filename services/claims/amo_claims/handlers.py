"""The claims service's routes: its register of covered members follows the card's life
(card.issued, then every change: suspended, reinstated, revoked, renewed, expired), and the
claims handed in are decided."""

from __future__ import annotations

import structlog

from amo_claims.adapters.payees import Payees
from amo_claims.adapters.repository import MemberRegister
from amo_claims.adjudicating import Decide
from amo_shared.envelope import IncomingEvent
from amo_shared.events import (
    CardChange,
    CardExpired,
    CardIssued,
    CardReinstated,
    CardRenewed,
    CardRevoked,
    CardSuspended,
    ClaimSubmitted,
    EligibilityDecided,
)
from amo_shared.subscriptions import Route
from amo_shared.topics import (
    CARD_EXPIRED,
    CARD_ISSUED,
    CARD_REINSTATED,
    CARD_RENEWED,
    CARD_REVOKED,
    CARD_SUSPENDED,
    CLAIM_SUBMITTED,
    ELIGIBILITY_DECIDED,
)

log = structlog.get_logger(__name__)

CHANGE_MODELS: dict[str, type[CardChange]] = {
    CARD_SUSPENDED: CardSuspended,
    CARD_REINSTATED: CardReinstated,
    CARD_REVOKED: CardRevoked,
    CARD_RENEWED: CardRenewed,
    CARD_EXPIRED: CardExpired,
}


def routes(members: MemberRegister, decide: Decide, payees: Payees) -> list[Route]:
    """Each card event -> the member's entry (created, or updated if its sequence is higher);
    each claim handed in -> the fund's decision (this service's own topic: the outbox made the
    submission durable, the consumer decides it, in order per member)."""

    async def eligibility_decided(event: IncomingEvent) -> None:
        # Where the member is paid: the bank details registration sealed, kept sealed.
        outcome = await payees.record(event.payload)
        log.info("payee", outcome=outcome)

    async def claim_submitted(event: IncomingEvent) -> None:
        submitted: ClaimSubmitted = event.payload
        outcome = await decide(submitted.claim_id, submitted.submission)
        log.info("claim decided", outcome=outcome, submission=submitted.submission)

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
        Route(CLAIM_SUBMITTED, ClaimSubmitted, claim_submitted),
        Route(ELIGIBILITY_DECIDED, EligibilityDecided, eligibility_decided),
        *(Route(topic, model, card_changed) for topic, model in CHANGE_MODELS.items()),
    ]
