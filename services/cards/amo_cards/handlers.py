"""The cards service's route: an approved eligibility decision becomes one card."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from amo_cards.adapters.repository import CardRepository
from amo_cards.domain import Card, CardTermsBook, issue_card, new_member_number, to_card_issued
from amo_shared.envelope import IncomingEvent, OutgoingEvent, new_event
from amo_shared.events import EligibilityDecided
from amo_shared.subscriptions import Route
from amo_shared.topics import CARD_ISSUED, ELIGIBILITY_DECIDED

log = structlog.get_logger(__name__)

SOURCE = "cards"


def routes(
    cards: CardRepository,
    terms: CardTermsBook,
    *,
    randbelow: Callable[[int], int] = secrets.randbelow,
) -> list[Route]:
    """eligibility.decided -> a card and its card.issued; `randbelow` draws member numbers
    (injected for tests)."""

    async def issue_for_decision(event: IncomingEvent) -> None:
        decision: EligibilityDecided = event.payload
        if decision.outcome != "approved":
            return  # a rejected application gets no card; registration tells the applicant

        def draft() -> tuple[Card, OutgoingEvent]:
            card = issue_card(decision, new_member_number(randbelow), terms, datetime.now(UTC))
            # Keyed by application so it stays in order with the application's events.
            issued = new_event(
                CARD_ISSUED,
                to_card_issued(card),
                source=SOURCE,
                key=card.application_id,
                subject=card.member_number,
                caused_by=event,
            )
            return card, issued

        card = await cards.issue(decision.application_id, draft)
        if card is None:
            log.info("card already issued", application_id=decision.application_id)
        else:
            log.info(
                "card issued",
                application_id=card.application_id,
                member_number=card.member_number,
                beneficiaries=len(card.beneficiaries),
            )

    return [Route(ELIGIBILITY_DECIDED, EligibilityDecided, issue_for_decision)]
