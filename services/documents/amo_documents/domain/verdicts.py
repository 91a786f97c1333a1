"""The values an application's verification is made of: a submission, its verdict as emitted,
an operator's final word, and the refusals of a filing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from amo_documents.domain.verification import Concern, Outcome
from amo_shared.events import (
    ApplicantFacts,
    ApplicationSubmitted,
    DocumentsVerified,
    DocumentVerdict,
)


class FilingRefused(ValueError):
    """An upload the application's documents cannot take (a broken invariant, not an outage)."""


class FilingConflict(FilingRefused):
    """The slot holds a document that is verified or under review: it cannot be replaced."""


class QuotaExceeded(FilingRefused):
    """The application's documents would pass their total size allowance."""

    def __init__(self, quota_bytes: int):
        megabytes = quota_bytes // (1024 * 1024)
        super().__init__(f"les pièces de ce dossier dépassent {megabytes} Mo au total")


@dataclass(frozen=True)
class Submission:
    """What verification needs of an `application.submitted`."""

    application_id: str
    submission: int
    submitted_at: datetime
    applicant: ApplicantFacts
    likely_duplicate_of: tuple[str, ...] = ()

    @classmethod
    def of(cls, event: ApplicationSubmitted) -> Submission:
        return cls(
            event.application_id,
            event.submission,
            event.submitted_at,
            event.applicant,
            tuple(sorted(set(event.likely_duplicate_of))),
        )

    @property
    def as_of(self) -> date:
        """The checklist in force on the filing day applies."""
        return self.submitted_at.date()


@dataclass(frozen=True)
class ReviewDecision:
    """An operator's final word on a review item (a refusal confirmed by a second one)."""

    approved: bool
    at: datetime
    by: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True)
class Verification:
    """The verdict given on one submission, as it was emitted (the final one once settled)."""

    submission: Submission
    outcome: Outcome
    verdicts: tuple[DocumentVerdict, ...]
    verified_at: datetime
    checklist_version: str
    event_id: str
    caused_by: str
    concerns: tuple[Concern, ...] = ()
    decided: dict[str, ReviewDecision] = field(default_factory=dict)
    # Set when a verdict that waited for operators got its final word.
    settled_event_id: str | None = None

    @property
    def waiting(self) -> list[Concern]:
        return [c for c in self.concerns if c.item_id not in self.decided]


@dataclass(frozen=True)
class Verdict:
    """A submission's verdict, not yet recorded: what `documents.verified` will say."""

    submission: Submission
    checklist_version: str
    event: DocumentsVerified
    concerns: tuple[Concern, ...] = ()


class AlreadyVerified:
    """This submission has its verdict already: a redelivery or a rewound group emits nothing."""

    def __repr__(self) -> str:
        return "ALREADY_VERIFIED"


ALREADY_VERIFIED: Final = AlreadyVerified()
