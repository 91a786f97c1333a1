"""The review queue's service layer: opening the items a verdict waits for, operators' steps on
them, and settling the application's verdict once an item has its final word.

An item's final word and the verdict it settles live in two aggregates; the item is marked
`settled` only after the verdict took it, and a reconciler settles whatever a crash left in
between, so a final verdict is never lost (settling twice emits nothing twice).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from amo_documents.adapters.repository import DocumentsRepository
from amo_documents.adapters.reviews import ReviewRepository
from amo_documents.domain import ApplicationDocuments, ReviewDecision, Verification
from amo_documents.domain.reviews import Action, ReviewItem
from amo_documents.domain.rules import DocumentRulesBook
from amo_shared.checklist import required_documents
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.topics import DOCUMENTS_VERIFIED

log = structlog.get_logger(__name__)

SERVICE = "documents"


class NoSuchItem(LookupError):
    pass


@dataclass
class Reviewing:
    documents: DocumentsRepository
    items: ReviewRepository
    rules: DocumentRulesBook

    async def open_for(self, application_id: str, verification: Verification) -> None:
        """Every item `verification` waits for, created once whatever the redeliveries."""
        facts = verification.submission.applicant
        cnie = facts.guardian.cnie if facts.guardian else facts.cnie
        for concern in verification.concerns:
            item = ReviewItem.opened(
                application_id,
                verification.submission.submission,
                concern,
                cnie,
                verification.verified_at,
            )
            await self.items.open(item)

    async def act(
        self, item_id: str, action: Action, operator: str, reason: str = ""
    ) -> ReviewItem:
        """One operator's step (a `ReviewConflict` when it does not fit); settles a final word."""
        now = datetime.now(UTC).replace(microsecond=0)
        item = await self.items.update(item_id, lambda it: it.act(action, operator, now, reason))
        if item is None:
            raise NoSuchItem(item_id)
        log.info(
            "review step", item_id=item_id, action=action, operator=operator, status=item.status
        )
        if item.final and not item.settled:
            item = await self.settle(item)
        return item

    async def settle(self, item: ReviewItem) -> ReviewItem:
        """Give the application's verdict this item's final word; then mark the item settled."""
        decision = ReviewDecision(
            approved=item.status == "approved",
            at=item.history[-1].at,
            by=item.deciders(),
            reason=item.refusal_reason,
        )

        def act(documents: ApplicationDocuments) -> list[OutgoingEvent] | None:
            verification = documents.verifications.get(item.submission)
            if verification is None or item.id in verification.decided:
                return None
            sub = verification.submission
            required = required_documents(sub.applicant, as_of=sub.as_of)
            verdict = documents.decide(
                item.id, decision, required, self.rules.in_force(sub.as_of), at=datetime.now(UTC)
            )
            if verdict is None:
                return []  # other items still wait: keep the decision, emit nothing yet
            out = new_event(
                DOCUMENTS_VERIFIED, verdict.event, source=SERVICE, key=item.application_id
            )
            documents.record_settled(verdict, event_id=out.id)
            log.info(
                "review settled",
                application_id=item.application_id,
                submission=item.submission,
                outcome=verdict.event.outcome,
            )
            return [out]

        await self.documents.update(item.application_id, act)

        def mark(it: ReviewItem) -> bool:
            if it.settled:
                return False
            it.settled = True
            return True

        return await self.items.update(item.id, mark) or item

    async def reconcile(self) -> int:
        """Settle every item whose final word a crash kept from its verdict; how many."""
        pending = await self.items.unsettled()
        for item in pending:
            await self.settle(item)
        return len(pending)


class Reconciler:
    """Runs `Reviewing.reconcile` every `interval` seconds while the service serves."""

    def __init__(self, reviewing: Reviewing, interval: float):
        self.reviewing, self.interval = reviewing, interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.reviewing.reconcile()
            except Exception as exc:  # an outage: the next round tries again
                log.warning("review reconcile failed", error=type(exc).__name__)
