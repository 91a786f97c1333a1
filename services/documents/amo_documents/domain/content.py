"""What an upload is, decided from its bytes while they stream: type by magic number, size, SHA-256.

The client's file name and Content-Type header are never trusted: only these bytes decide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

# 10 MiB: enough for a scanned certificate, small enough to refuse abuse early.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 60 MiB for all of one application's documents: a family's scans with room to replace them,
# not a store for anything else.
MAX_APPLICATION_BYTES = 60 * 1024 * 1024


class ContentType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


MAGIC_NUMBERS: dict[bytes, ContentType] = {
    b"%PDF-": ContentType.PDF,
    b"\xff\xd8\xff": ContentType.JPEG,
    b"\x89PNG\r\n\x1a\n": ContentType.PNG,
}
SNIFF_BYTES = max(len(m) for m in MAGIC_NUMBERS)


class UploadRejected(ValueError):
    """An upload that must be refused; the partial object is removed."""


class TooLarge(UploadRejected):
    def __init__(self, limit: int):
        super().__init__(f"le fichier dépasse la taille maximale de {limit // (1024 * 1024)} Mo")


class UnsupportedType(UploadRejected):
    def __init__(self) -> None:
        super().__init__("format non accepté : PDF, JPEG ou PNG attendu")


def sniff(head: bytes) -> ContentType | None:
    """The type whose magic number `head` starts with, or None (unknown, or too short to tell)."""
    for magic, content_type in MAGIC_NUMBERS.items():
        if head.startswith(magic):
            return content_type
    return None


def could_still_match(head: bytes) -> bool:
    """True while `head` is a prefix of some magic number: more bytes may still decide."""
    return any(magic.startswith(head) for magic in MAGIC_NUMBERS)


def exceeds_limit(size: int, limit: int = MAX_UPLOAD_BYTES) -> bool:
    return size > limit


@dataclass(frozen=True)
class Inspected:
    size: int
    sha256: str
    content_type: ContentType


class UploadInspection:
    """Fed chunk by chunk; refuses as soon as the size or the first bytes say so."""

    def __init__(self, limit: int = MAX_UPLOAD_BYTES):
        self.limit = limit
        self.size = 0
        self.content_type: ContentType | None = None
        self._head = b""
        self._sha256 = hashlib.sha256()

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if exceeds_limit(self.size, self.limit):
            raise TooLarge(self.limit)
        self._sha256.update(chunk)
        if self.content_type is None:
            self._head = (self._head + chunk[:SNIFF_BYTES])[:SNIFF_BYTES]
            self.content_type = sniff(self._head)
            if self.content_type is None and not could_still_match(self._head):
                raise UnsupportedType()

    def finish(self) -> Inspected:
        """The verdict once the last byte is in; an empty or too short file has no known type."""
        if self.content_type is None:
            raise UnsupportedType()
        return Inspected(self.size, self._sha256.hexdigest(), self.content_type)
