"""The cards service's routes: an approved decision becomes one card (and a survivor's card
revokes the deceased's); a renewal proof moves its due and reinstates what it suspended."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog

from amo_cards.adapters.repository import CardRepository, change
from amo_cards.domain import (
    Card,
    CardTermsBook,
    ImpossibleChange,
    ReasonBook,
    accept_proof,
    issue_card,
    new_member_number,
    revoke,
    to_card_issued,
)
from amo_cards.lifecycle import change_event
from amo_shared.envelope import IncomingEvent, OutgoingEvent, new_event
from amo_shared.events import DocumentRevalidated, EligibilityDecided
from amo_shared.subscriptions import Route
from amo_shared.topics import CARD_ISSUED, DOCUMENTS_REVALIDATED, ELIGIBILITY_DECIDED

log = structlog.get_logger(__name__)

SOURCE = "cards"


def routes(
    cards: CardRepository,
    terms: CardTermsBook,
    reasons: ReasonBook,
    *,
    randbelow: Callable[[int], int] = secrets.randbelow,
) -> list[Route]:
    """`randbelow` draws member numbers (injected for tests)."""

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
        # Also on a redelivery: a crash between the two writes is finished here.
        await revoke_deceased(decision, event)

    async def revoke_deceased(decision: EligibilityDecided, event: IncomingEvent) -> None:
        facts = decision.applicant
        if not facts.deceased_member_number or facts.member_death_date is None:
            return
        deceased = await cards.by_member_number(facts.deceased_member_number)
        if deceased is None:
            log.warning("deceased member's card not found", application_id=decision.application_id)
            return
        on = facts.member_death_date + timedelta(days=1)
        reason = reasons.in_force(on).reason("member.deceased")

        def decide(card: Card) -> tuple[Card, list[OutgoingEvent]] | None:
            if card.status in ("revoked", "expired"):
                return None  # no longer in force: nothing to revoke (or done already)
            after, payload = revoke(card, None, reason, on=on, now=datetime.now(UTC))
            return after, [change_event(payload, caused_by=event)]

        await change(cards, deceased.application_id, decide)

    async def take_proof(event: IncomingEvent) -> None:
        proof: DocumentRevalidated = event.payload
        day = proof.accepted_at.date()
        term, why = terms.in_force(day), reasons.in_force(day)

        def decide(card: Card) -> tuple[Card, list[OutgoingEvent]] | None:
            try:
                out = accept_proof(
                    card,
                    proof.kind,
                    proof.dependant,
                    proof.sha256,
                    day,
                    term,
                    why,
                    datetime.now(UTC),
                )
            except (LookupError, ImpossibleChange):
                log.info("renewal proof for nobody on the card", application_id=card.application_id)
                return None
            if out.card == card:
                return None
            return out.card, [change_event(c, caused_by=event) for c in out.changes]

        if await change(cards, proof.application_id, decide) is None:
            # Documents opens renewal uploads only once a card exists: this is a broken order.
            raise ValueError("no card for this application")

    return [
        Route(ELIGIBILITY_DECIDED, EligibilityDecided, issue_for_decision),
        Route(DOCUMENTS_REVALIDATED, DocumentRevalidated, take_proof),
    ]
