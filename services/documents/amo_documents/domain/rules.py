"""The document rules in force from a date: content limits, which kinds need a text layer, and
the wording of every reason code (French and Arabic).

They change by decision of the fund (a new photo format, a new certificate issued with a text
layer), so they are dated data, checked strictly: an unknown field in a rules file fails at load.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from amo_documents.domain.content import ContentType
from amo_shared.dated import DatedBook
from amo_shared.events import DocumentKind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImageLimits(_Strict):
    """What any image may be before it is decoded (a decompression bomb is refused unread)."""

    max_pixels: int = Field(gt=0)
    max_side: int = Field(gt=0)


class PhotoLimits(_Strict):
    """The member's identity photo: JPEG or PNG only, within these dimensions and size."""

    types: frozenset[ContentType] = Field(min_length=1)
    min_width: int = Field(gt=0)
    min_height: int = Field(gt=0)
    max_width: int = Field(gt=0)
    max_height: int = Field(gt=0)
    max_bytes: int = Field(gt=0)


class Wording(_Strict):
    fr: str = Field(min_length=1)
    ar: str = Field(min_length=1)


class DocumentRules(_Strict):
    version: str = Field(min_length=1)
    effective_from: date
    description: str = ""
    sources: list[str] = Field(min_length=1)
    images: ImageLimits
    photo: PhotoLimits
    # Issued certificates carry a text layer; a scan or photo of one goes to an operator.
    text_layer_required: frozenset[DocumentKind]
    # Renewal proofs an applicant may upload once the card is issued.
    renewal_kinds: frozenset[DocumentKind]
    # Only the first pages are read for a text layer: a certificate is one or two pages.
    text_pages: int = Field(gt=0)
    labels_ar: dict[DocumentKind, str]
    reasons: dict[str, Wording]

    @model_validator(mode="after")
    def _every_kind_and_code_worded(self) -> DocumentRules:
        if missing := sorted(str(k) for k in set(DocumentKind) - set(self.labels_ar)):
            raise ValueError(f"labels_ar: no label for {missing}")
        if missing := sorted(REASON_CODES - set(self.reasons)):
            raise ValueError(f"reasons: no wording for {missing}")
        return self

    def wording(self, code: str) -> Wording:
        return self.reasons[code]


# Every code the service gives; a rules file must word each one in both languages.
REASON_CODES = frozenset(
    {
        "document.missing",
        "document.type",
        "document.no_text_layer",
        "pdf.encrypted",
        "pdf.javascript",
        "pdf.action",
        "pdf.embedded_file",
        "pdf.trailing_data",
        "pdf.unreadable",
        "image.truncated",
        "image.too_large",
        "image.unreadable",
        "photo.type",
        "photo.dimensions",
        "photo.too_heavy",
        "cnie.mrz_mismatch",
        "identity.duplicate_suspected",
        "identity.duplicate",
        "review.refused",
        "review.pending",
    }
)

# Every version, oldest first; `in_force(day)` is the one that applies on that day.
DocumentRulesBook = DatedBook[DocumentRules]
