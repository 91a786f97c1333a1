"""Kafka routes: on `application.submitted`, verify the documents and emit `documents.verified`
(then open the review items a verdict `in_review` waits for)."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from amo_documents.adapters.repository import DocumentsRepository
from amo_documents.domain import AlreadyVerified, ApplicationDocuments, Submission
from amo_documents.domain.rules import DocumentRulesBook
from amo_documents.reviewing import Reviewing
from amo_shared.checklist import checklist_version, required_documents
from amo_shared.consumer import Handler
from amo_shared.envelope import IncomingEvent, OutgoingEvent, new_event
from amo_shared.events import ApplicationSubmitted
from amo_shared.subscriptions import Route
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED

SERVICE = "documents"

log = structlog.get_logger(__name__)


def routes(
    repository: DocumentsRepository, reviewing: Reviewing, rules: DocumentRulesBook
) -> list[Route]:
    return [
        Route(
            APPLICATION_SUBMITTED,
            ApplicationSubmitted,
            verify_submission(repository, reviewing, rules),
        )
    ]


def verify_submission(
    repository: DocumentsRepository, reviewing: Reviewing, rules: DocumentRulesBook
) -> Handler:
    async def handle(event: IncomingEvent) -> None:
        submission = Submission.of(event.payload)  # type: ignore[arg-type]
        required = required_documents(submission.applicant, as_of=submission.as_of)
        version = checklist_version(submission.as_of)
        in_force = rules.in_force(submission.as_of)
        already = False

        def decide(documents: ApplicationDocuments) -> list[OutgoingEvent] | None:
            nonlocal already
            verdict = documents.verify(
                submission, required, in_force, checklist_version=version, at=datetime.now(UTC)
            )
            already = isinstance(verdict, AlreadyVerified)
            if isinstance(verdict, AlreadyVerified):
                return None  # a redelivery or a rewound group: the verdict was emitted once
            out = new_event(
                DOCUMENTS_VERIFIED,
                verdict.event,
                source=SERVICE,
                key=submission.application_id,
                caused_by=event,
            )
            documents.record(verdict, event_id=out.id, caused_by=event.id)
            return [out]

        documents = await repository.update(submission.application_id, decide)
        verification = documents.verifications[submission.submission]
        # After the verdict (and again on a redelivery): the items it waits for exist once.
        await reviewing.open_for(submission.application_id, verification)
        log.info(
            "documents verified",
            application_id=submission.application_id,
            submission=submission.submission,
            outcome=verification.outcome,
            reviews=len(verification.concerns),
            already=already,
        )

    return handle
