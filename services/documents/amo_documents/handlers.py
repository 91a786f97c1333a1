"""Kafka subscribers: on `application.submitted`, verify the documents and emit `documents.verified`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase

from amo_shared.aggregates import Change
from amo_shared.checklist import checklist_version, required_documents
from amo_shared.consumer import MESSAGE_ATTEMPTS, Handler, subscribe
from amo_shared.envelope import IncomingEvent, new_event
from amo_shared.events import ApplicationSubmitted, DocumentsVerified
from amo_shared.runtime import Runtime
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED

from amo_documents.adapters.repository import COLLECTION, ApplicationDocuments, stored_files
from amo_documents.domain.verification import outcome, verify

SERVICE = "documents"

log = structlog.get_logger(__name__)


def verify_submission(repository: ApplicationDocuments) -> Handler:
    async def handle(event: IncomingEvent) -> None:
        submitted: ApplicationSubmitted = event.payload  # type: ignore[assignment]
        as_of = submitted.submitted_at.date()
        required = required_documents(submitted.applicant, as_of=as_of)
        submission = str(submitted.submission)

        def decide(doc: dict[str, Any]) -> Change | None:
            verifications = doc.get("verifications", {})
            if submission in verifications:
                return None  # already verified: a redelivery or a rewound group emits nothing
            verdicts = verify(required, stored_files(doc))
            verified = DocumentsVerified(
                application_id=submitted.application_id, submission=submitted.submission,
                verified_at=datetime.now(UTC), outcome=outcome(verdicts), verdicts=verdicts,
                applicant=submitted.applicant, submitted_at=submitted.submitted_at,
            )
            out = new_event(DOCUMENTS_VERIFIED, verified, source=SERVICE,
                            key=submitted.application_id, caused_by=event)
            record = {
                "outcome": verified.outcome, "verified_at": verified.verified_at,
                "verdicts": [v.model_dump(mode="json") for v in verdicts],
                "checklist_version": checklist_version(as_of), "event_id": out.id,
                "caused_by": event.id,
            }
            return Change(set={"verifications": {**verifications, submission: record}}, events=[out])

        before = await repository.write(submitted.application_id, decide)
        log.info("documents verified", application_id=submitted.application_id,
                 submission=submitted.submission,
                 already=submission in before.get("verifications", {}))

    return handle


def subscribe_handlers(broker: KafkaBroker, db: AsyncDatabase, repository: ApplicationDocuments,
                       attempts: int = MESSAGE_ATTEMPTS) -> None:
    subscribe(broker, topic=APPLICATION_SUBMITTED, group=SERVICE, model=ApplicationSubmitted,
              db=db, handle=verify_submission(repository), attempts=attempts)


async def register(runtime: Runtime) -> None:
    repository = ApplicationDocuments(runtime.store(COLLECTION))
    subscribe_handlers(runtime.broker, runtime.db, repository, runtime.settings.message_attempts)
