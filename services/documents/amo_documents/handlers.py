"""Kafka routes: on `application.submitted`, verify the documents and emit `documents.verified`."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from amo_documents.adapters.repository import DocumentsRepository
from amo_documents.domain import AlreadyVerified, ApplicationDocuments, Submission
from amo_shared.checklist import checklist_version, required_documents
from amo_shared.consumer import Handler
from amo_shared.envelope import IncomingEvent, OutgoingEvent, new_event
from amo_shared.events import ApplicationSubmitted
from amo_shared.subscriptions import Route
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED

SERVICE = "documents"

log = structlog.get_logger(__name__)


def routes(repository: DocumentsRepository) -> list[Route]:
    return [Route(APPLICATION_SUBMITTED, ApplicationSubmitted, verify_submission(repository))]


def verify_submission(repository: DocumentsRepository) -> Handler:
    async def handle(event: IncomingEvent) -> None:
        submission = Submission.of(event.payload)  # type: ignore[arg-type]
        required = required_documents(submission.applicant, as_of=submission.as_of)
        version = checklist_version(submission.as_of)
        already = False

        def decide(documents: ApplicationDocuments) -> list[OutgoingEvent] | None:
            nonlocal already
            verdict = documents.verify(
                submission, required, checklist_version=version, at=datetime.now(UTC)
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

        await repository.update(submission.application_id, decide)
        log.info(
            "documents verified",
            application_id=submission.application_id,
            submission=submission.submission,
            already=already,
        )

    return handle
