"""The claims service's route: its register of covered members follows card events."""

from __future__ import annotations

import structlog

from amo_claims.adapters.repository import MemberRegister
from amo_shared.envelope import IncomingEvent
from amo_shared.events import CardIssued
from amo_shared.subscriptions import Route
from amo_shared.topics import CARD_ISSUED

log = structlog.get_logger(__name__)


def routes(members: MemberRegister) -> list[Route]:
    """card.issued -> the member's entry in the register (created, or updated if newer)."""

    async def register_member(event: IncomingEvent) -> None:
        card: CardIssued = event.payload
        outcome = await members.record_card(card)
        log.info("member register", outcome=outcome, member_number=card.member_number)

    return [Route(CARD_ISSUED, CardIssued, register_member)]
