"""The `Application` aggregate: what the applicant declared, its status and its timeline.

Statuses move forward only. A resubmission (after a documents_incomplete notice) starts a new
`submission`; steps of an older submission are kept in the timeline but move nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from amo_registration.domain.validation import validate_facts
from amo_shared.events import ApplicantFacts, DocumentKind


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    DOCUMENTS_INCOMPLETE = "documents_incomplete"
    DOCUMENTS_VERIFIED = "documents_verified"
    INELIGIBLE = "ineligible"
    ELIGIBLE = "eligible"
    CARD_ISSUED = "card_issued"


# How far a status is within one submission; eligible and ineligible are alternatives.
PROGRESS: dict[Status, int] = {
    Status.DRAFT: 0,
    Status.SUBMITTED: 1,
    Status.DOCUMENTS_INCOMPLETE: 2,
    Status.DOCUMENTS_VERIFIED: 3,
    Status.INELIGIBLE: 4,
    Status.ELIGIBLE: 4,
    Status.CARD_ISSUED: 5,
}
SUBMITTABLE = frozenset({Status.DRAFT, Status.DOCUMENTS_INCOMPLETE})
# The applicant may (re)upload documents only while the file is in their hands.
UPLOADS_OPEN = SUBMITTABLE
REFUSALS = frozenset({Status.DOCUMENTS_INCOMPLETE, Status.INELIGIBLE})


class Contact(BaseModel):
    email: str
    phone: str


class DocumentIssue(BaseModel):
    kind: DocumentKind
    status: Literal["missing", "refused"]
    dependant: int | None = None
    reason: str | None = None


class EligibilityIssue(BaseModel):
    code: str
    message_fr: str
    message_ar: str


class Reasons(BaseModel):
    """Why a step refused: every missing or refused document at once, every failed rule."""

    documents: list[DocumentIssue] = Field(default_factory=list)
    eligibility: list[EligibilityIssue] = Field(default_factory=list)


class TimelineEntry(BaseModel):
    status: Status
    at: datetime
    # The downstream event that caused the step (None for the applicant's own steps).
    event_id: str | None = None
    submission: int
    reasons: Reasons | None = None


class Card(BaseModel):
    member_number: str
    valid_from: date
    valid_until: date
    status: Literal["active", "suspended", "expired", "revoked"]


class Application(BaseModel):
    id: str
    status: Status = Status.DRAFT
    # 0 while a draft; 1 for the first filing, +1 for each resubmission.
    submission: int = 0
    applicant: ApplicantFacts
    contact: Contact
    token_sha256: str
    created_at: datetime
    submitted_at: datetime | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    # The reasons of the current refusal (None when the status is not a refusal).
    refusal: Reasons | None = None
    card: Card | None = None

    @property
    def uploads_open(self) -> bool:
        return self.status in UPLOADS_OPEN


def create(
    facts: ApplicantFacts,
    contact: Contact,
    now: datetime,
    *,
    token_sha256: str,
    application_id: str | None = None,
) -> Application:
    """A new draft; raises InvalidApplication when a fact the rules need is missing."""
    validate_facts(facts)
    return Application(
        id=application_id or str(uuid.uuid4()),
        applicant=facts,
        contact=contact,
        token_sha256=token_sha256,
        created_at=now,
        timeline=[TimelineEntry(status=Status.DRAFT, at=now, submission=0)],
    )


def submit(app: Application, now: datetime) -> bool:
    """File (or refile) the application. True when an ApplicationSubmitted is due.

    From any status but draft or documents_incomplete this is a no-op, so a repeated submit
    returns the current state and emits nothing.
    """
    if app.status not in SUBMITTABLE:
        return False
    app.submission += 1
    app.status = Status.SUBMITTED
    app.submitted_at = now
    app.refusal = None
    app.timeline.append(TimelineEntry(status=Status.SUBMITTED, at=now, submission=app.submission))
    return True
