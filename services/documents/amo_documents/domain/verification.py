"""The verdict on an application's documents: every required document accepted, missing,
refused or waiting for an operator, each with a stable code and its French and Arabic wording.

All problems are listed at once, so the applicant fixes everything in one trip. What automation
cannot decide (a certificate without a text layer, a CNIE whose MRZ does not match, a likely
duplicate person) becomes a `Concern`: an item of the review queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from amo_documents.domain.checks import mrz_matches
from amo_documents.domain.content import ContentType
from amo_documents.domain.filed import Upload
from amo_documents.domain.rules import DocumentRules
from amo_shared.events import ApplicantFacts, DocumentKind, DocumentVerdict

# Every kind of document may be a scan (PDF) or a photo (JPEG, PNG); the photo is checked apart.
ACCEPTED_TYPES: frozenset[str] = frozenset(ContentType)
IDENTITY_KINDS = frozenset({DocumentKind.CNIE, DocumentKind.RESIDENCE_CARD})

Status = Literal["accepted", "missing", "refused", "in_review"]
Outcome = Literal["complete", "incomplete", "in_review"]


class Required(Protocol):
    """A checklist item (`amo_shared.checklist.RequiredDocument`)."""

    kind: DocumentKind
    dependant: int | None
    label_fr: str


@dataclass(frozen=True, order=True)
class Slot:
    """Where a document is filed: its kind, for the member or for one dependant (by index)."""

    kind: DocumentKind
    dependant: int | None = None

    @property
    def name(self) -> str:
        """`<kind>` or `<kind>:<dependant>`: the slot's name in storage."""
        return str(self.kind) if self.dependant is None else f"{self.kind}:{self.dependant}"

    @classmethod
    def named(cls, name: str) -> Slot:
        kind, _, dependant = name.partition(":")
        return cls(DocumentKind(kind), int(dependant) if dependant else None)


@dataclass(frozen=True)
class Concern:
    """What an operator must decide for one submission: one review item."""

    item_id: str
    subject: Literal["document", "identity"]
    slot: Slot
    code: str
    sha256: str | None = None
    likely_duplicate_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identity:
    """Whose CNIE the identity document must be: the applicant's, or the guardian's."""

    cnie: str | None
    first_name: str
    last_name: str

    @classmethod
    def of(cls, facts: ApplicantFacts) -> Identity:
        if facts.guardian is not None:
            g = facts.guardian
            return cls(g.cnie, g.first_name, g.last_name)
        return cls(facts.cnie, facts.first_name, facts.last_name)


def worded(
    rules: DocumentRules,
    required: Required,
    status: Status,
    code: str | None,
    sha256: str | None,
    operator_reason: str | None = None,
) -> DocumentVerdict:
    reason = reason_ar = None
    if code is not None:
        wording = rules.wording(code)
        reason = f"{required.label_fr} : {wording.fr}"
        reason_ar = f"{rules.labels_ar[required.kind]} : {wording.ar}"
        if operator_reason:
            reason, reason_ar = f"{reason} ({operator_reason})", f"{reason_ar} ({operator_reason})"
    return DocumentVerdict(
        kind=required.kind,
        dependant=required.dependant,
        status=status,
        code=code,
        reason=reason,
        reason_ar=reason_ar,
        sha256=sha256,
    )


def judge(
    required: Required,
    upload: Upload | None,
    identity: Identity,
    rules: DocumentRules,
    item_id: str,
) -> tuple[DocumentVerdict, Concern | None]:
    """One document's verdict, and the concern an operator must decide, if any."""
    slot = Slot(required.kind, required.dependant)
    if upload is None:
        return worded(rules, required, "missing", "document.missing", None), None
    sha = upload.sha256
    if upload.decision is not None:
        d = upload.decision
        if d.status == "accepted":
            return worded(rules, required, "accepted", None, sha), None
        return worded(rules, required, "refused", d.code, sha, d.reason), None
    if upload.content_type not in ACCEPTED_TYPES or upload.size <= 0:
        return worded(rules, required, "refused", "document.type", sha), None
    concern = upload.review
    if concern is None and required.kind == DocumentKind.CNIE and upload.mrz is not None:
        person = (identity.cnie, identity.first_name, identity.last_name)
        if not mrz_matches(upload.mrz, *person):
            concern = "cnie.mrz_mismatch"
    if concern is None:
        return worded(rules, required, "accepted", None, sha), None
    return (
        worded(rules, required, "in_review", concern, sha),
        Concern(item_id, "document", slot, concern, sha),
    )


def judge_all(
    required: Iterable[Required],
    stored: Mapping[Slot, Upload],
    identity: Identity,
    rules: DocumentRules,
    item_prefix: str,
) -> tuple[list[DocumentVerdict], list[Concern]]:
    """One verdict per required document, in checklist order, and every concern."""
    verdicts, concerns = [], []
    for item in required:
        slot = Slot(item.kind, item.dependant)
        verdict, concern = judge(
            item, stored.get(slot), identity, rules, f"{item_prefix}{slot.name}"
        )
        verdicts.append(verdict)
        if concern is not None:
            concerns.append(concern)
    return verdicts, concerns


def outcome(verdicts: Iterable[DocumentVerdict]) -> Outcome:
    statuses = {v.status for v in verdicts}
    if "in_review" in statuses:
        return "in_review"
    return "complete" if statuses <= {"accepted"} else "incomplete"
