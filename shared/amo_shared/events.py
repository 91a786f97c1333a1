"""Payloads of the registration pipeline's events (the Kafka value, CloudEvents binary mode).

Each model is versioned by its `ce_type` (see `EVENT_TYPES`); a breaking change is a new type.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from amo_shared.limits import CNIE_MAX, DEPENDANTS_MAX, NAME_MAX, TEXT_MAX


class Contract(BaseModel):
    """Base of every event payload: strict about unknown shapes, lenient about added fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Category(StrEnum):
    PUBLIC_EMPLOYEE = "public_employee"
    INDEPENDENT_WORKER = "independent_worker"
    LIBERAL_PROFESSION = "liberal_profession"
    RETIREE = "retiree"
    WIDOW = "widow"
    ORPHAN = "orphan"


class DocumentKind(StrEnum):
    CNIE = "cnie"
    RESIDENCE_CARD = "residence_card"
    WORK_CERTIFICATE = "work_certificate"
    RETIREMENT_CERTIFICATE = "retirement_certificate"
    DEATH_CERTIFICATE = "death_certificate"
    SURVIVOR_PENSION = "survivor_pension"
    PROFESSIONAL_REGISTRATION = "professional_registration"
    # Dependants' documents (checklist items; the applicant API accepts the kinds above today).
    MARRIAGE_CERTIFICATE = "marriage_certificate"
    BIRTH_CERTIFICATE = "birth_certificate"
    SCHOOL_CERTIFICATE = "school_certificate"
    DISABILITY_PROOF = "disability_proof"


class Relationship(StrEnum):
    SPOUSE = "spouse"
    CHILD = "child"


# Bounds only: the entry points decide what a valid name is; an event must just stay small.
Name = Annotated[str, Field(max_length=NAME_MAX)]
Text = Annotated[str, Field(max_length=TEXT_MAX)]


class Dependant(Contract):
    relationship: Relationship
    first_name: Name
    last_name: Name
    birth_date: date
    student: bool = False
    disabled: bool = False


class ApplicantFacts(Contract):
    """What the applicant declared: the facts every downstream rule needs."""

    cnie: str | None = Field(None, max_length=CNIE_MAX)
    first_name: Name
    last_name: Name
    birth_date: date
    nationality: str = Field(min_length=2, max_length=2)
    residence_permit: Text | None = None
    residence_permit_expiry: date | None = None
    category: Category
    employer: Text | None = None
    recruitment_date: date | None = None
    previous_scheme: Text | None = None
    pension_fund: Text | None = None
    pension_number: Text | None = None
    member_death_date: date | None = None
    survivor_pension: bool | None = None
    # Bounded like every entry point's: an event must stay far below Kafka's request limit.
    dependants: list[Dependant] = Field(default_factory=list, max_length=DEPENDANTS_MAX)


class StoredDocument(Contract):
    """A document the applicant uploaded, as the documents service stored it."""

    kind: DocumentKind
    size: int
    sha256: str
    content_type: str


class ApplicationSubmitted(Contract):
    application_id: str
    # 1 for the first filing; an applicant told documents are missing uploads them and resubmits.
    submission: int = 1
    submitted_at: datetime
    applicant: ApplicantFacts


class DocumentVerdict(Contract):
    kind: DocumentKind
    status: Literal["accepted", "missing", "refused"]
    # For dependants' documents: which dependant (index in `applicant.dependants`).
    dependant: int | None = None
    reason: str | None = None


class DocumentsVerified(Contract):
    """The full verdict: a negative outcome lists every missing or refused document at once."""

    application_id: str
    submission: int = 1
    verified_at: datetime
    outcome: Literal["complete", "incomplete"]
    verdicts: list[DocumentVerdict]
    applicant: ApplicantFacts
    submitted_at: datetime


class DecisionReason(Contract):
    code: str
    passed: bool
    message_fr: str
    message_ar: str


class EligibilityDecided(Contract):
    application_id: str
    submission: int = 1
    decided_at: datetime
    outcome: Literal["approved", "rejected"]
    reasons: list[DecisionReason]
    rules_version: str
    coverage_start: date | None = None
    # Set when rights end by rule (a widow(er) without a survivor's pension: death + 24 months).
    coverage_until: date | None = None
    # Indexes into `applicant.dependants` of the dependants the decision covers.
    covered_dependants: list[int] = Field(default_factory=list)
    applicant: ApplicantFacts


class CardBeneficiary(Contract):
    """A person covered by a card. Never carries a CNIE: card events go to hospitals."""

    rank: int  # 0 = the member, then dependants in order
    relationship: Literal["self", "spouse", "child"]
    first_name: str
    last_name: str
    birth_date: date


class CardIssued(Contract):
    member_number: str
    application_id: str
    category: Category
    status: Literal["active", "suspended", "expired", "revoked"]
    valid_from: date
    valid_until: date
    beneficiaries: list[CardBeneficiary]
    payer: str
    issued_at: datetime


# The ce_type of each payload: versioned, a breaking change is a new type.
TYPE_PREFIX = "ma.amo."
EVENT_TYPES: dict[type[Contract], str] = {
    ApplicationSubmitted: TYPE_PREFIX + "application.submitted.v1",
    DocumentsVerified: TYPE_PREFIX + "documents.verified.v1",
    EligibilityDecided: TYPE_PREFIX + "eligibility.decided.v1",
    CardIssued: TYPE_PREFIX + "card.issued.v1",
}
MODEL_BY_TYPE: dict[str, type[Contract]] = {v: k for k, v in EVENT_TYPES.items()}
