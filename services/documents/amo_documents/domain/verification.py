"""The verdict on an application's documents: every required document accepted, missing or refused.

All problems are listed at once, so the applicant fixes everything in one trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from amo_shared.events import DocumentKind, DocumentVerdict

from amo_documents.domain.content import ContentType

# Every kind of document may be a scan (PDF) or a photo (JPEG, PNG).
ACCEPTED_TYPES: frozenset[str] = frozenset(ContentType)


class Required(Protocol):
    """A checklist item (`amo_shared.checklist.RequiredDocument`)."""

    kind: DocumentKind
    dependant: int | None
    label_fr: str


@dataclass(frozen=True)
class StoredFile:
    """What the verdict needs to know of an uploaded document."""

    size: int
    content_type: str


def slot(kind: DocumentKind | str, dependant: int | None = None) -> str:
    """Where a document is filed in an application: `<kind>`, or `<kind>:<dependant>`."""
    return str(kind) if dependant is None else f"{kind}:{dependant}"


def judge(required: Required, stored: StoredFile | None) -> DocumentVerdict:
    status, reason = _status(required.label_fr, stored)
    return DocumentVerdict(kind=required.kind, dependant=required.dependant, status=status,
                           reason=reason)


def _status(label: str, stored: StoredFile | None) -> tuple[Literal["accepted", "missing", "refused"], str | None]:
    if stored is None:
        return "missing", f"Pièce manquante : {label}"
    if stored.content_type not in ACCEPTED_TYPES:
        return "refused", f"Pièce refusée : {label} (format non accepté : PDF, JPEG ou PNG attendu)"
    if stored.size <= 0:
        return "refused", f"Pièce refusée : {label} (fichier vide)"
    return "accepted", None


def verify(required: Iterable[Required], stored: Mapping[str, StoredFile]) -> list[DocumentVerdict]:
    """One verdict per required document, in checklist order."""
    return [judge(item, stored.get(slot(item.kind, item.dependant))) for item in required]


def outcome(verdicts: Iterable[DocumentVerdict]) -> Literal["complete", "incomplete"]:
    return "complete" if all(v.status == "accepted" for v in verdicts) else "incomplete"
