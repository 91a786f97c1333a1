"""The `Application` aggregate: what the applicant declared, its status and its timeline.

Statuses move forward only. A resubmission (after an `incomplete` notice) starts a new
`submission`; steps of an older submission are kept in the timeline but move nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from amo_registration.domain.identity import lookalike_key, person_key
from amo_registration.domain.validation import check_cnie_in_force, validate_facts
from amo_shared.events import ApplicantFacts, CardState, ChangeReason, DocumentKind
from amo_shared.limits import EMAIL_MAX, PHONE_MAX
from amo_shared.text import plain


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    INCOMPLETE = "incomplete"
    DOCUMENTS_VERIFIED = "documents_verified"
    INELIGIBLE = "ineligible"
    ELIGIBLE = "eligible"
    CARD_ISSUED = "card_issued"


# Stored before the rename; read as today's name.
_RENAMED = {"documents_incomplete": Status.INCOMPLETE.value}

# How far a status is within one submission; eligible and ineligible are alternatives. An
# `in_review` verdict is followed by a final one for the same submission, so it comes before.
PROGRESS: dict[Status, int] = {
    Status.DRAFT: 0,
    Status.SUBMITTED: 1,
    Status.IN_REVIEW: 2,
    Status.INCOMPLETE: 3,
    Status.DOCUMENTS_VERIFIED: 4,
    Status.INELIGIBLE: 5,
    Status.ELIGIBLE: 5,
    Status.CARD_ISSUED: 6,
}
SUBMITTABLE = frozenset({Status.DRAFT, Status.INCOMPLETE})
# The applicant may (re)upload documents only while the file is in their hands.
UPLOADS_OPEN = SUBMITTABLE
REFUSALS = frozenset({Status.INCOMPLETE, Status.INELIGIBLE})
# A card in one of these states still covers: renewal proofs may be uploaded for it.
CARD_IN_FORCE = frozenset({"active", "suspended"})


def _current_name(value: Any) -> Any:
    return _RENAMED.get(value, value) if isinstance(value, str) else value


class Contact(BaseModel):
    email: Annotated[str, Field(max_length=EMAIL_MAX), AfterValidator(plain)]
    phone: Annotated[str, Field(max_length=PHONE_MAX), AfterValidator(plain)]
    language: Literal["fr", "ar"] = "fr"


class DocumentIssue(BaseModel):
    """One thing to fix, in both languages."""

    kind: DocumentKind
    status: Literal["missing", "refused"]
    dependant: int | None = None
    code: str
    message_fr: str
    message_ar: str


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

    _status = field_validator("status", mode="before")(_current_name)


class CardEvent(BaseModel):
    """One step of the card's life as the applicant sees it."""

    change: Literal["suspended", "reinstated", "revoked", "renewed", "expired"]
    beneficiary_rank: int | None = None
    reason: ChangeReason
    effective_on: date
    at: datetime
    sequence: int
    event_id: str


class Application(BaseModel):
    id: str
    status: Status = Status.DRAFT
    # 0 while a draft; 1 for the first filing, +1 for each resubmission.
    submission: int = 0
    applicant: ApplicantFacts
    contact: Contact
    # The citizen's account that filed it (the identity provider's `sub`): only they open it.
    # Files from before accounts have none, and nobody opens them through the API.
    owner: str = ""
    created_at: datetime
    submitted_at: datetime | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    # The reasons of the current refusal (None when the status is not a refusal).
    refusal: Reasons | None = None
    # Digests for lookups (identity.py): one membership per person, likely duplicates.
    person_key: str = ""
    lookalike_key: str = ""
    # A survivor's application: the deceased member's own application.
    deceased_application_id: str | None = None
    # The card as it stands (highest `sequence` seen), its number top level for lookups.
    card: CardState | None = None
    member_number: str | None = None
    card_events: list[CardEvent] = Field(default_factory=list)

    _status = field_validator("status", mode="before")(_current_name)

    @model_validator(mode="after")
    def _keys(self) -> Application:
        # Files stored before the lookup digests existed get theirs on first read.
        self.person_key = self.person_key or person_key(self.applicant)
        self.lookalike_key = self.lookalike_key or lookalike_key(self.applicant)
        return self

    def has_dependant(self, index: int) -> bool:
        """Whether the applicant declared a dependant at `index` (their documents' slot)."""
        return 0 <= index < len(self.applicant.dependants)

    @property
    def uploads_open(self) -> bool:
        return self.status in UPLOADS_OPEN

    @property
    def revalidation_open(self) -> bool:
        """Renewal proofs are taken while a card covers (suspended included: they reinstate)."""
        return self.card is not None and self.card.status in CARD_IN_FORCE

    @property
    def holds_person(self) -> bool:
        """An open application or a membership: nobody else may apply for this person."""
        if self.status == Status.INELIGIBLE:
            return False
        return self.card is None or self.card.status in CARD_IN_FORCE


def create(
    facts: ApplicantFacts,
    contact: Contact,
    now: datetime,
    *,
    owner: str,
    application_id: str | None = None,
    deceased_application_id: str | None = None,
) -> Application:
    """A new draft; raises InvalidApplication when a fact the rules need is missing."""
    validate_facts(facts, now.date())
    return Application(
        id=application_id or str(uuid.uuid4()),
        applicant=facts,
        contact=contact,
        owner=owner,
        created_at=now,
        timeline=[TimelineEntry(status=Status.DRAFT, at=now, submission=0)],
        deceased_application_id=deceased_application_id,
    )


def submit(app: Application, now: datetime) -> bool:
    """File (or refile) the application. True when an ApplicationSubmitted is due.

    From any status but draft or incomplete this is a no-op, so a repeated submit returns the
    current state and emits nothing. The CNIE must still be valid on the filing date
    (InvalidApplication otherwise).
    """
    if app.status not in SUBMITTABLE:
        return False
    check_cnie_in_force(app.applicant, now.date())
    app.submission += 1
    app.status = Status.SUBMITTED
    app.submitted_at = now
    app.refusal = None
    app.timeline.append(TimelineEntry(status=Status.SUBMITTED, at=now, submission=app.submission))
    return True
