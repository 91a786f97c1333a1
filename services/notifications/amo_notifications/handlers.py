"""The notifications service's routes: every status and card event becomes one notice, sent
once by email and once by SMS to the application's contact.

`application.submitted` brings the contact (kept per application) and releases any notice that
arrived before it; the others wait in the recipient's document until it does (never dropped,
never dead-lettered for being early; docs/notifications.md#out-of-order).
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from prometheus_client import Counter

from amo_notifications.adapters.ledger import Ledger
from amo_notifications.adapters.mailer import Mailer
from amo_notifications.adapters.recipients import Recipients
from amo_notifications.adapters.sms import SmsSink
from amo_notifications.domain import (
    CHANNELS,
    Channel,
    Notice,
    Step,
    message_id,
    next_step,
    notice_for,
)
from amo_notifications.messages import Composer, Recipient
from amo_shared.envelope import IncomingEvent
from amo_shared.events import (
    ApplicationSubmitted,
    CardExpired,
    CardIssued,
    CardReinstated,
    CardRenewed,
    CardRevoked,
    CardSuspended,
    Contract,
    DocumentsVerified,
    EligibilityDecided,
    RevalidationDue,
)
from amo_shared.subscriptions import Route
from amo_shared.topics import (
    APPLICATION_SUBMITTED,
    CARD_EXPIRED,
    CARD_ISSUED,
    CARD_REINSTATED,
    CARD_RENEWED,
    CARD_REVALIDATION_DUE,
    CARD_REVOKED,
    CARD_SUSPENDED,
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
)

log = structlog.get_logger(__name__)

SENT = Counter("amo_notifications_sent", "Notices sent, by channel and kind.", ["channel", "kind"])

# Every topic whose events the member hears of, with its payload model.
TOLD: tuple[tuple[str, type[Contract]], ...] = (
    (DOCUMENTS_VERIFIED, DocumentsVerified),
    (ELIGIBILITY_DECIDED, EligibilityDecided),
    (CARD_ISSUED, CardIssued),
    (CARD_SUSPENDED, CardSuspended),
    (CARD_REINSTATED, CardReinstated),
    (CARD_REVOKED, CardRevoked),
    (CARD_RENEWED, CardRenewed),
    (CARD_EXPIRED, CardExpired),
    (CARD_REVALIDATION_DUE, RevalidationDue),
)


class Notifier:
    """Sends a notice on every channel, each at most once as far as the ledger knows."""

    def __init__(
        self,
        recipients: Recipients,
        ledger: Ledger,
        composer: Composer,
        mailer: Mailer,
        sms: SmsSink,
        domain: str,
    ) -> None:
        self.recipients, self.ledger, self.composer = recipients, ledger, composer
        self.mailer, self.sms, self.domain = mailer, sms, domain

    async def send(self, notice: Notice, recipient: Recipient) -> None:
        wording = self.composer.compose(notice, recipient)
        for channel in CHANNELS:
            record_id, before = await self.ledger.record(notice, channel)
            if next_step(before) is Step.SKIP:
                continue
            mid = message_id(notice.event, channel, self.domain)
            if channel is Channel.EMAIL:
                await self.mailer.send(self.mailer.message(wording, recipient, mid))
            else:
                await self.sms.send(mid, recipient.phone, wording.sms, wording.language)
            await self.ledger.mark_sent(record_id)
            SENT.labels(channel.value, notice.kind.value).inc()
            log.info(
                "notice sent",
                application_id=notice.application_id,
                kind=notice.kind.value,
                what=channel.value,
            )

    async def tell(self, notice: Notice) -> None:
        recipient = await self.recipients.recipient_or_wait(notice)
        if recipient is None:
            log.info(
                "notice waits for the contact",
                application_id=notice.application_id,
                kind=notice.kind.value,
            )
            return
        await self.send(notice, recipient)

    async def release(self, application_id: str, notices: Iterable[Notice]) -> None:
        """Send the notices that waited for this application's contact, in the order told."""
        waiting = sorted(notices, key=lambda n: n.told_at.isoformat() if n.told_at else "")
        if not waiting:
            return
        recipient = await self.recipients.get(application_id)
        if recipient is None:
            return  # the submission carried no contact: they keep waiting (docs say why)
        for notice in waiting:
            await self.send(notice, recipient)
        await self.recipients.released(application_id, {n.event for n in waiting})


def routes(notifier: Notifier) -> list[Route]:
    async def acknowledge(event: IncomingEvent) -> None:
        submitted: ApplicationSubmitted = event.payload
        contact = submitted.contact
        recipient = Recipient(contact.email, contact.phone, contact.language) if contact else None
        names = [submitted.applicant.first_name] + [
            d.first_name for d in submitted.applicant.dependants
        ]
        waiting = await notifier.recipients.remember(submitted.application_id, recipient, names)
        notice = notice_for(f"{event.source}:{event.id}", submitted)
        if recipient is not None and notice is not None:
            await notifier.send(notice, _named(recipient, names))
        await notifier.release(submitted.application_id, waiting)

    async def tell(event: IncomingEvent) -> None:
        notice = notice_for(f"{event.source}:{event.id}", event.payload)
        if notice is not None:
            await notifier.tell(notice)

    return [
        Route(APPLICATION_SUBMITTED, ApplicationSubmitted, acknowledge),
        *(Route(topic, model, tell) for topic, model in TOLD),
    ]


def _named(recipient: Recipient, names: list[str]) -> Recipient:
    return Recipient(recipient.email, recipient.phone, recipient.language, tuple(names))
