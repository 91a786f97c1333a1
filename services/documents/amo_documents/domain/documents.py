"""The documents of one application: what is filed in each slot, and each submission's verification.

The aggregate decides; storing it (and the events it causes) is the repository's job. Filing
an upload answers which earlier upload it replaced, so its object can go once the new filing is
certainly stored; verifying a submission is done once, whatever the redeliveries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal

from amo_documents.domain.verification import ACCEPTED_TYPES, Required, Slot, outcome, verify
from amo_shared.events import (
    ApplicantFacts,
    ApplicationSubmitted,
    DocumentsVerified,
    DocumentVerdict,
)

Outcome = Literal["complete", "incomplete"]


class FilingRefused(ValueError):
    """An upload the application's documents cannot take (a broken invariant, not an outage)."""


@dataclass(frozen=True)
class Upload:
    """One received upload. `key` names its object and is unique per upload; `filename` is the
    client's, kept as metadata only."""

    key: str
    size: int
    sha256: str
    content_type: str
    uploaded_at: datetime
    filename: str = ""


@dataclass(frozen=True)
class Verification:
    """The verdict given on one submission, as it was emitted."""

    submission: int
    outcome: Outcome
    verdicts: tuple[DocumentVerdict, ...]
    verified_at: datetime
    checklist_version: str
    event_id: str
    caused_by: str


@dataclass(frozen=True)
class Verdict:
    """A submission's verdict, not yet recorded: what `documents.verified` will say."""

    submission: int
    checklist_version: str
    event: DocumentsVerified


class AlreadyVerified:
    """This submission has its verdict already: a redelivery or a rewound group emits nothing."""

    def __repr__(self) -> str:
        return "ALREADY_VERIFIED"


ALREADY_VERIFIED: Final = AlreadyVerified()


@dataclass(frozen=True)
class Submission:
    """What verification needs of an `application.submitted`."""

    application_id: str
    submission: int
    submitted_at: datetime
    applicant: ApplicantFacts

    @classmethod
    def of(cls, event: ApplicationSubmitted) -> Submission:
        return cls(event.application_id, event.submission, event.submitted_at, event.applicant)

    @property
    def as_of(self) -> date:
        """The checklist in force on the filing day applies."""
        return self.submitted_at.date()


@dataclass
class ApplicationDocuments:
    application_id: str
    documents: dict[Slot, Upload] = field(default_factory=dict)
    verifications: dict[int, Verification] = field(default_factory=dict)

    def file(self, slot: Slot, upload: Upload) -> Upload | None:
        """File `upload` in `slot`, replacing what was there; returns the replaced upload.

        Filing the same upload again (a retried write) changes nothing and replaces nothing.
        """
        if upload.content_type not in ACCEPTED_TYPES:
            raise FilingRefused("format non accepté : PDF, JPEG ou PNG attendu")
        if upload.size <= 0:
            raise FilingRefused("fichier vide")
        if slot.dependant is not None and slot.dependant < 0:
            raise FilingRefused("personne à charge inconnue")
        current = self.documents.get(slot)
        if current is not None and current.key == upload.key:
            return None
        if any(u.key == upload.key for s, u in self.documents.items() if s != slot):
            raise FilingRefused("un envoi ne peut être classé qu'une fois")
        self.documents[slot] = upload
        return current

    def verify(
        self,
        submission: Submission,
        required: Iterable[Required],
        *,
        checklist_version: str,
        at: datetime,
    ) -> Verdict | AlreadyVerified:
        """The verdict on every required document as filed now, listing every problem at once."""
        if submission.application_id != self.application_id:
            raise ValueError("the submission belongs to another application")
        if submission.submission in self.verifications:
            return ALREADY_VERIFIED
        verdicts = verify(required, self.documents)
        event = DocumentsVerified(
            application_id=self.application_id,
            submission=submission.submission,
            verified_at=at,
            outcome=outcome(verdicts),
            verdicts=verdicts,
            applicant=submission.applicant,
            submitted_at=submission.submitted_at,
        )
        return Verdict(submission.submission, checklist_version, event)

    def record(self, verdict: Verdict, *, event_id: str, caused_by: str) -> Verification:
        """Keep `verdict` as emitted in event `event_id`; a submission is verified once only."""
        if verdict.submission in self.verifications:
            raise ValueError(f"submission {verdict.submission} is already verified")
        verification = Verification(
            submission=verdict.submission,
            outcome=verdict.event.outcome,
            verdicts=tuple(verdict.event.verdicts),
            verified_at=verdict.event.verified_at,
            checklist_version=verdict.checklist_version,
            event_id=event_id,
            caused_by=caused_by,
        )
        self.verifications[verdict.submission] = verification
        return verification

    def keys(self) -> set[str]:
        """The objects this application's records point to."""
        return {upload.key for upload in self.documents.values()}

    def filed(self) -> list[tuple[Slot, Upload]]:
        """What is filed, in slot order (kind, then the member before dependants)."""
        return sorted(self.documents.items(), key=lambda item: item[0].name)
