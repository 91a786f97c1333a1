"""Registration's routes: downstream steps (documents verified, eligibility decided, card issued,
the card's changes) applied to applications.

Each handler is idempotent on its own: a step whose event id is already recorded changes
nothing, so a redelivery after a crash is harmless even before the dedup record exists.
"""

from __future__ import annotations

from collections.abc import Callable

from amo_registration.adapters.repository import ApplicationRepository
from amo_registration.domain import (
    Application,
    record_card_change,
    record_card_issued,
    record_documents_verified,
    record_eligibility_decided,
)
from amo_shared.consumer import Handler
from amo_shared.envelope import IncomingEvent
from amo_shared.events import (
    CardExpired,
    CardIssued,
    CardReinstated,
    CardRenewed,
    CardRevoked,
    CardSuspended,
    Contract,
    DocumentsVerified,
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
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
)

DomainStep = Callable[[Application, Contract, str], bool]

STEPS: dict[str, tuple[type[Contract], DomainStep]] = {
    DOCUMENTS_VERIFIED: (DocumentsVerified, record_documents_verified),
    ELIGIBILITY_DECIDED: (EligibilityDecided, record_eligibility_decided),
    CARD_ISSUED: (CardIssued, record_card_issued),
    # The card's life (keyed by member number; the payload names the application).
    CARD_SUSPENDED: (CardSuspended, record_card_change),
    CARD_REINSTATED: (CardReinstated, record_card_change),
    CARD_REVOKED: (CardRevoked, record_card_change),
    CARD_RENEWED: (CardRenewed, record_card_change),
    CARD_EXPIRED: (CardExpired, record_card_change),
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


def routes(applications: ApplicationRepository) -> list[Route]:
    """Each downstream topic to the domain step it records on the application."""
    return [
        Route(topic, model, step_handler(applications, record))
        for topic, (model, record) in STEPS.items()
    ]
