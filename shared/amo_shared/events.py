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
    KAFALA_JUDGMENT = "kafala_judgment"
    # An orphan under 16 has no CNIE: the guardian files with these two.
    GUARDIANSHIP_PROOF = "guardianship_proof"
    # The member's photo (JPEG/PNG only) and the bank's RIB certificate (reimbursements).
    PHOTO = "photo"
    RIB = "rib"


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
    # A spouse insured under another scheme is covered there, not here.
    insured_elsewhere: bool = False
    # Children past the child age limit are covered as students only while unmarried.
    married: bool = False
    # A child in the applicant's care by a kafala judgment counts as a child.
    kafala: bool = False


class Guardian(Contract):
    """Who files for an orphan too young to hold a CNIE."""

    cnie: str = Field(max_length=CNIE_MAX)
    first_name: Name
    last_name: Name
    relationship: Text


class SealedValue(Contract):
    """A secret sealed by `amo_shared.sealed` (AES-GCM): opaque to every service without the key.

    Bank details travel and rest only like this; `hint` is the masked form people may see.
    """

    key_id: str = Field(max_length=32)
    nonce: str = Field(max_length=64)
    ciphertext: str = Field(max_length=512)
    hint: str = Field(max_length=32)


class ContactDetails(Contract):
    """Where notifications go; never sent to third parties."""

    email: str = Field(max_length=254)
    phone: str = Field(max_length=32)
    language: Literal["fr", "ar"] = "fr"


class ApplicantFacts(Contract):
    """What the applicant declared: the facts every downstream rule needs."""

    cnie: str | None = Field(None, max_length=CNIE_MAX)
    cnie_expiry: date | None = None
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
    # Widow(er)s and orphans: the deceased's membership, which registration links.
    deceased_member_number: str | None = Field(None, max_length=16)
    # Retirees: the day active coverage ended (on the retirement certificate).
    retirement_date: date | None = None
    # An orphan under 16 (no CNIE of their own) is filed by a guardian.
    guardian: Guardian | None = None
    # The RIB, sealed by registration; only claims (payments) opens it.
    bank_account: SealedValue | None = None
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
    contact: ContactDetails | None = None
    # Other applications (ids only) with the same names and birth date under another CNIE:
    # an operator must look before this file goes on.
    likely_duplicate_of: list[str] = Field(default_factory=list, max_length=20)


class DocumentVerdict(Contract):
    kind: DocumentKind
    status: Literal["accepted", "missing", "refused", "in_review"]
    # For dependants' documents: which dependant (index in `applicant.dependants`).
    dependant: int | None = None
    # A stable code (`document.missing`, `pdf.javascript`, `image.truncated`, ...), then its
    # wording; None when accepted.
    code: str | None = None
    reason: str | None = None
    reason_ar: str | None = None
    # The SHA-256 of the bytes judged (None when missing).
    sha256: str | None = None


class DocumentsVerified(Contract):
    """The full verdict: a negative outcome lists every missing or refused document at once."""

    application_id: str
    submission: int = 1
    verified_at: datetime
    # in_review: an operator must decide first; a final verdict on the same submission follows.
    outcome: Literal["complete", "incomplete", "in_review"]
    verdicts: list[DocumentVerdict]
    applicant: ApplicantFacts
    submitted_at: datetime


class DecisionReason(Contract):
    code: str
    passed: bool
    message_fr: str
    message_ar: str


class DependantCoverage(Contract):
    dependant: int  # index in `applicant.dependants`
    coverage_from: date
    coverage_until: date | None = None  # None: as long as the member's


class Revalidation(Contract):
    """A proof due by `due_on`; `dependant` None is the member's own."""

    what: DocumentKind
    dependant: int | None = None
    due_on: date


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
    # Each covered dependant's own period (a child's ends the day before the age limit).
    dependant_coverage: list[DependantCoverage] = Field(default_factory=list)
    # The scheme's manager, who pays and whom hospitals bill (dated rule data).
    payer: str | None = None
    # When each proof must be renewed, or rights are suspended.
    revalidations: list[Revalidation] = Field(default_factory=list)
    applicant: ApplicantFacts


BeneficiaryStatus = Literal["active", "suspended", "ended"]
CardStatus = Literal["active", "suspended", "expired", "revoked"]


class CardBeneficiary(Contract):
    """A person covered by a card. Never carries a CNIE: card events go to hospitals."""

    rank: int  # 0 = the member, then dependants in order
    relationship: Literal["self", "spouse", "child"]
    first_name: str
    last_name: str
    birth_date: date
    coverage_from: date | None = None
    coverage_until: date | None = None
    status: BeneficiaryStatus = "active"


class CardState(Contract):
    """A card as it stands: issued, and after every change of its life."""

    member_number: str
    application_id: str
    category: Category
    status: CardStatus
    valid_from: date
    valid_until: date
    beneficiaries: list[CardBeneficiary]
    payer: str
    issued_at: datetime
    # Grows by one with every event about this card: a consumer sees any gap.
    sequence: int = 1
    # A survivor's card names the deceased member's.
    deceased_member_number: str | None = None


class CardIssued(CardState):
    """A new card (keyed by application id, in order with the application's events)."""


class ChangeReason(Contract):
    code: str
    message_fr: str
    message_ar: str


class CardChange(CardState):
    """One step of a card's life, keyed by member number; the fields are the card after it."""

    change: Literal["suspended", "reinstated", "revoked", "renewed", "expired"]
    # The beneficiary the change concerns; None: the whole card.
    beneficiary_rank: int | None = None
    reason: ChangeReason
    effective_on: date
    changed_at: datetime
    # The operator who acted, when one did (an operator id, never a name).
    operator: str | None = None


class CardSuspended(CardChange):
    pass


class CardReinstated(CardChange):
    pass


class CardRevoked(CardChange):
    pass


class CardRenewed(CardChange):
    pass


class CardExpired(CardChange):
    pass


class RevalidationDue(Contract):
    """A reminder: a proof is due soon, or rights are suspended on `due_on`."""

    member_number: str
    application_id: str
    beneficiary_rank: int | None = None
    what: DocumentKind
    due_on: date
    reminded_at: datetime


class DocumentRevalidated(Contract):
    """A renewal proof (school certificate, residence card, pension) uploaded and accepted."""

    application_id: str
    kind: DocumentKind
    dependant: int | None = None
    sha256: str
    accepted_at: datetime


# Claims: keyed by claim id. Amounts in integer centimes; no names, no CNIE, no bank details.
ClaimFiledBy = Literal["member", "facility"]
Payee = Literal["member", "facility"]


class ClaimSubmitted(Contract):
    """A claim handed in (by a member, or by a facility billing directly); `submission` counts
    the times it was handed in (again after it was incomplete)."""

    claim_id: str
    member_number: str
    beneficiary_rank: int
    filed_by: ClaimFiledBy
    facility_id: str | None = None
    submission: int = 1
    submitted_at: datetime
    lines: int
    billed_centimes: int


class AdjudicatedLine(Contract):
    line_no: int
    status: Literal["accepted", "rejected"]
    reason: str  # a reason code of the claims catalogue
    reimbursed_centimes: int


class ClaimAdjudicated(Contract):
    """The fund's decision on a claim: by automation, or by an operator after medical review."""

    claim_id: str
    member_number: str
    beneficiary_rank: int
    filed_by: ClaimFiledBy
    facility_id: str | None = None
    outcome: Literal["accepted", "rejected"]
    payee: Payee
    reimbursed_centimes: int
    scheme: str
    tariff_version: str | None = None
    lines: list[AdjudicatedLine]
    decided_at: datetime
    # An operator id when a medical review decided; None: automation.
    operator: str | None = None


class ClaimPaid(Contract):
    """One claim's share of a payment run's transfer to its payee."""

    claim_id: str
    member_number: str
    payee: Payee
    # The member number, or the facility's identifier: never an account number.
    payee_id: str
    amount_centimes: int
    payment_run_id: str
    end_to_end_id: str
    paid_at: datetime


class PriorApprovalDecided(Contract):
    """An operator's answer to a facility's request for prior approval (hospital, surgery)."""

    approval_id: str
    facility_id: str
    member_number: str
    beneficiary_rank: int
    act_codes: list[str]
    outcome: Literal["approved", "refused"]
    reason: str  # a reason code of the prior-approval catalogue
    valid_from: date | None = None
    valid_until: date | None = None
    decided_at: datetime
    operator: str


# The ce_type of each payload: versioned, a breaking change is a new type.
TYPE_PREFIX = "ma.amo."
EVENT_TYPES: dict[type[Contract], str] = {
    ApplicationSubmitted: TYPE_PREFIX + "application.submitted.v1",
    DocumentsVerified: TYPE_PREFIX + "documents.verified.v1",
    EligibilityDecided: TYPE_PREFIX + "eligibility.decided.v1",
    CardIssued: TYPE_PREFIX + "card.issued.v1",
    CardSuspended: TYPE_PREFIX + "card.suspended.v1",
    CardReinstated: TYPE_PREFIX + "card.reinstated.v1",
    CardRevoked: TYPE_PREFIX + "card.revoked.v1",
    CardRenewed: TYPE_PREFIX + "card.renewed.v1",
    CardExpired: TYPE_PREFIX + "card.expired.v1",
    RevalidationDue: TYPE_PREFIX + "card.revalidation_due.v1",
    DocumentRevalidated: TYPE_PREFIX + "documents.revalidated.v1",
    ClaimSubmitted: TYPE_PREFIX + "claim.submitted.v1",
    ClaimAdjudicated: TYPE_PREFIX + "claim.adjudicated.v1",
    ClaimPaid: TYPE_PREFIX + "claim.paid.v1",
    PriorApprovalDecided: TYPE_PREFIX + "prior_approval.decided.v1",
}
MODEL_BY_TYPE: dict[str, type[Contract]] = {v: k for k, v in EVENT_TYPES.items()}
