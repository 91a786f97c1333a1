"""The verdict on an application's documents: every required document accepted, missing or refused.

All problems are listed at once, so the applicant fixes everything in one trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from amo_documents.domain.content import ContentType
from amo_shared.events import DocumentKind, DocumentVerdict

# Every kind of document may be a scan (PDF) or a photo (JPEG, PNG).
ACCEPTED_TYPES: frozenset[str] = frozenset(ContentType)


class Required(Protocol):
    """A checklist item (`amo_shared.checklist.RequiredDocument`)."""

    kind: DocumentKind
    dependant: int | None
    label_fr: str


class StoredFile(Protocol):
    """What the verdict needs to know of an uploaded document."""

    @property
    def size(self) -> int: ...

    @property
    def content_type(self) -> str: ...


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


def judge(required: Required, stored: StoredFile | None) -> DocumentVerdict:
    status, reason = _status(required.label_fr, stored)
    return DocumentVerdict(
        kind=required.kind, dependant=required.dependant, status=status, reason=reason
    )


def _status(
    label: str, stored: StoredFile | None
) -> tuple[Literal["accepted", "missing", "refused"], str | None]:
    if stored is None:
        return "missing", f"Pièce manquante : {label}"
    if stored.content_type not in ACCEPTED_TYPES:
        return "refused", f"Pièce refusée : {label} (format non accepté : PDF, JPEG ou PNG attendu)"
    if stored.size <= 0:
        return "refused", f"Pièce refusée : {label} (fichier vide)"
    return "accepted", None


def verify(
    required: Iterable[Required], stored: Mapping[Slot, StoredFile]
) -> list[DocumentVerdict]:
    """One verdict per required document, in checklist order."""
    return [judge(item, stored.get(Slot(item.kind, item.dependant))) for item in required]


def outcome(verdicts: Iterable[DocumentVerdict]) -> Literal["complete", "incomplete"]:
    return "complete" if all(v.status == "accepted" for v in verdicts) else "incomplete"
