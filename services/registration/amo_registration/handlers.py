"""Downstream steps (documents verified, eligibility decided, card issued) applied to applications.

Each handler is idempotent on its own: a step whose event id is already in the timeline changes
nothing, so a redelivery after a crash is harmless even before the dedup record exists.
"""

from __future__ import annotations

from collections.abc import Callable

from amo_shared.consumer import Handler, subscribe
from amo_shared.envelope import IncomingEvent
from amo_shared.events import CardIssued, Contract, DocumentsVerified, EligibilityDecided
from amo_shared.runtime import Runtime
from amo_shared.topics import CARD_ISSUED, DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED
from faststream.kafka import KafkaBroker

from amo_registration.adapters.repository import COLLECTION, ApplicationRepository
from amo_registration.domain import (
    Application,
    record_card_issued,
    record_documents_verified,
    record_eligibility_decided,
)

GROUP = "registration"

DomainStep = Callable[[Application, Contract, str], bool]

STEPS: dict[str, tuple[type[Contract], DomainStep]] = {
    DOCUMENTS_VERIFIED: (DocumentsVerified, record_documents_verified),
    ELIGIBILITY_DECIDED: (EligibilityDecided, record_eligibility_decided),
    CARD_ISSUED: (CardIssued, record_card_issued),
}


class UnknownApplication(LookupError):
    """A step for an application registration never created: dead-lettered, not retried forever."""


def step_handler(repo: ApplicationRepository, record: DomainStep) -> Handler:
    async def handle(event: IncomingEvent) -> None:
        payload = event.payload

        def step(app: Application):
            return [] if record(app, payload, event.id) else None

        if await repo.apply(payload.application_id, step) is None:
            raise UnknownApplication(f"no application {payload.application_id}")

    return handle


def subscribe_steps(broker: KafkaBroker, db, repo: ApplicationRepository, attempts: int = 3) -> None:
    for topic, (model, record) in STEPS.items():
        subscribe(broker, topic=topic, group=GROUP, model=model, db=db,
                  handle=step_handler(repo, record), attempts=attempts)


async def register(runtime: Runtime) -> None:
    repo = ApplicationRepository(runtime.store(COLLECTION))
    subscribe_steps(runtime.broker, runtime.db, repo, runtime.settings.message_attempts)
