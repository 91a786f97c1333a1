"""The claims service's subscribers: its register of covered members follows card events."""

from __future__ import annotations

import structlog
from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase

from amo_shared.consumer import MESSAGE_ATTEMPTS, subscribe
from amo_shared.envelope import IncomingEvent
from amo_shared.events import CardIssued
from amo_shared.runtime import Runtime
from amo_shared.topics import CARD_ISSUED

from amo_claims.adapters.repository import MemberRegister

log = structlog.get_logger(__name__)

GROUP = "claims"


def register(runtime: Runtime, members: MemberRegister) -> None:
    wire(runtime.broker, runtime.db, members, attempts=runtime.settings.message_attempts)


def wire(broker: KafkaBroker, db: AsyncDatabase, members: MemberRegister, *,
         attempts: int = MESSAGE_ATTEMPTS) -> None:

    async def register_member(event: IncomingEvent) -> None:
        card: CardIssued = event.payload
        outcome = await members.record_card(card)
        log.info("member register", outcome=outcome, member_number=card.member_number)

    subscribe(broker, topic=CARD_ISSUED, group=GROUP, model=CardIssued, db=db,
              handle=register_member, attempts=attempts)
