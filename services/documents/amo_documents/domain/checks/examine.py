"""One upload examined for its kind: the content checks of its type, then what an operator must
look at (a certificate with no text layer) and what the MRZ says, for the verdict to compare."""

from __future__ import annotations

from dataclasses import dataclass

from amo_documents.domain.checks.image import clean_image
from amo_documents.domain.checks.mrz import Mrz, find_mrz
from amo_documents.domain.checks.pdf import check_pdf, has_text
from amo_documents.domain.checks.refusal import ContentRefused
from amo_documents.domain.content import ContentType
from amo_documents.domain.rules import DocumentRules
from amo_shared.events import DocumentKind

__all__ = ["ContentRefused", "Examined", "examine"]


@dataclass(frozen=True)
class Examined:
    """What is stored (`data`: the original PDF, or the re-encoded image) and what was found."""

    data: bytes
    content_type: ContentType
    text_layer: bool
    # The code of what an operator must decide (None: automation decides).
    review: str | None = None
    mrz: Mrz | None = None


def examine(
    kind: DocumentKind, content_type: ContentType, data: bytes, rules: DocumentRules
) -> Examined:
    """The checks `kind` and `content_type` call for; `ContentRefused` names the first failed."""
    if kind == DocumentKind.PHOTO:
        return _photo(content_type, data, rules)
    if content_type == ContentType.PDF:
        content = check_pdf(data, text_pages=rules.text_pages)
        text = has_text(content)
        mrz = find_mrz(content.text) if kind == DocumentKind.CNIE else None
        examined = Examined(data, content_type, text, mrz=mrz)
    else:
        examined = Examined(
            clean_image(data, content_type, rules.images).data, content_type, text_layer=False
        )
    if kind in rules.text_layer_required and not examined.text_layer:
        return Examined(
            examined.data, content_type, False, review="document.no_text_layer", mrz=examined.mrz
        )
    return examined


def _photo(content_type: ContentType, data: bytes, rules: DocumentRules) -> Examined:
    limits = rules.photo
    if content_type not in limits.types:
        raise ContentRefused("photo.type")
    if len(data) > limits.max_bytes:
        raise ContentRefused("photo.too_heavy")
    image = clean_image(data, content_type, rules.images)
    if not (
        limits.min_width <= image.width <= limits.max_width
        and limits.min_height <= image.height <= limits.max_height
    ):
        raise ContentRefused("photo.dimensions")
    return Examined(image.data, content_type, text_layer=False)
