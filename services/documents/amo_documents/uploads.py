"""Receiving one document: the form is parsed and bounded while it streams, the content examined
whole (PDF structure, full image decode), then what passes is stored in S3 and filed.

Nothing of a refused upload is stored: the object is written only once the content passed its
checks, and only the accepted bytes (a re-encoded image, never the original) are written. Each
upload gets its own object key, so a record never points to an object that a later upload
overwrote. Once the object is whole, the record is written: only a *certain* refusal of that
write removes the object; after an uncertain outcome (a lost connection, a timeout: the write
may have reached the server) the object stays, and the orphan sweep removes it later if no
record points to it.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from bson.errors import InvalidDocument
from pymongo.errors import DocumentTooLarge, WriteError

from amo_documents.adapters.multipart import stream_file_field
from amo_documents.adapters.repository import DocumentsRepository
from amo_documents.adapters.s3 import PART_SIZE, DocumentStorage, object_key
from amo_documents.domain import FilingConflict, FilingRefused, Slot, Upload
from amo_documents.domain.checks import ContentRefused, examine
from amo_documents.domain.content import (
    MAX_APPLICATION_BYTES,
    MAX_UPLOAD_BYTES,
    ContentType,
    UploadInspection,
)
from amo_documents.domain.rules import DocumentRules, DocumentRulesBook
from amo_shared.aggregates import ConcurrentWriteError
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.events import DocumentKind
from amo_shared.failures import InfrastructureUnavailable
from amo_shared.topics import DOCUMENTS_REVALIDATED

log = structlog.get_logger(__name__)

FILENAME_MAX = 200
SERVICE = "documents"

# The write certainly did not happen: the store refused it, or it never left this process.
# (WriteError is the server refusing the write itself; WriteConcernError, which may follow an
# applied write, is not one of them.)
CERTAINLY_NOT_FILED = (
    FilingRefused,
    ConcurrentWriteError,
    WriteError,
    DocumentTooLarge,
    InvalidDocument,
)


class FilingUncertain(InfrastructureUnavailable):
    """The record's write may or may not have been stored; the client should send it again."""


class ContentRejected(ValueError):
    """The content failed a check: the code and its wording, for a field-level 422."""

    def __init__(self, code: str, rules: DocumentRules):
        wording = rules.wording(code)
        super().__init__(code)
        self.code, self.message_fr, self.message_ar = code, wording.fr, wording.ar


@dataclass(frozen=True)
class Received:
    filename: str
    data: bytes
    content_type: ContentType


@dataclass
class Uploads:
    storage: DocumentStorage
    repository: DocumentsRepository
    rules: DocumentRulesBook
    limit: int = MAX_UPLOAD_BYTES
    # All of one application's documents together (the filing checks it under its write).
    quota_bytes: int = MAX_APPLICATION_BYTES

    async def receive(
        self,
        application_id: str,
        kind: DocumentKind,
        dependant: int | None,
        headers: Mapping[str, str],
        body: AsyncIterator[bytes],
        *,
        renewal: bool = False,
    ) -> dict[str, Any]:
        """Check, store and file one upload (or keep it as a renewal proof after the card)."""
        slot, upload_id = Slot(kind, dependant), uuid.uuid4().hex
        rules = self.rules.in_force(datetime.now(UTC).date())
        await self._check_slot_open(application_id, slot, rules, renewal)
        received = await self._read(headers, body)
        try:
            examined = await asyncio.to_thread(
                examine, kind, received.content_type, received.data, rules
            )
        except ContentRefused as exc:
            log.info(
                "document refused", application_id=application_id, kind=str(kind), code=exc.code
            )
            raise ContentRejected(exc.code, rules) from None
        if renewal and examined.review is not None:
            # A renewal has no operator in the loop: it must be the issued document itself.
            raise ContentRejected(examined.review, rules)
        key = object_key(application_id, slot, upload_id)
        await self._store_object(key, examined.data, examined.content_type)
        now = datetime.now(UTC)
        upload = Upload(
            key=key,
            size=len(examined.data),
            sha256=hashlib.sha256(examined.data).hexdigest(),
            content_type=str(examined.content_type),
            # Millisecond precision, as the database keeps it: the record reads back equal.
            uploaded_at=now.replace(microsecond=now.microsecond // 1000 * 1000),
            filename=received.filename[:FILENAME_MAX],
            review=examined.review,
            mrz=examined.mrz,
        )
        if renewal:
            await self._renew(application_id, slot, upload, rules)
            replaced = None
        else:
            replaced = await self._file(application_id, slot, upload, upload_id)
        if replaced is not None:
            # The new record is stored for sure: the replaced object is referenced no more.
            await self.storage.discard(replaced.key)
        log.info(
            "document stored",
            application_id=application_id,
            kind=str(kind),
            dependant=dependant,
            upload_id=upload_id,
            size=upload.size,
            content_type=upload.content_type,
            replaced=replaced is not None,
            renewal=renewal,
            review=upload.review,
        )
        answer = {
            "kind": str(kind),
            "dependant": dependant,
            "size": upload.size,
            "sha256": upload.sha256,
            "content_type": upload.content_type,
            "review": upload.review,
        }
        return {k: v for k, v in answer.items() if v is not None}

    async def _check_slot_open(
        self, application_id: str, slot: Slot, rules: DocumentRules, renewal: bool
    ) -> None:
        """Refuse before reading the body what the filing would refuse anyway."""
        if renewal and slot.kind not in rules.renewal_kinds:
            raise FilingConflict("après la carte, seules les pièces de renouvellement sont reçues")
        documents = await self.repository.get(application_id)
        if documents is not None:
            # Full already: not a byte more is read (one more byte would pass the quota).
            documents.check_quota(slot if not renewal else None, 1, self.quota_bytes)
        if renewal:
            return
        current = documents.documents.get(slot) if documents else None
        if current is not None and current.verified:
            raise FilingConflict("pièce déjà vérifiée : elle ne peut plus être remplacée")
        if documents is not None and documents.under_review(slot):
            raise FilingConflict("pièce en cours de vérification par un agent")

    async def _read(self, headers: Mapping[str, str], body: AsyncIterator[bytes]) -> Received:
        """The `file` field, bounded and typed while it streams (at most `limit` bytes held)."""
        inspection = UploadInspection(self.limit)
        chunks: list[bytes] = []

        async def keep(chunk: bytes) -> None:
            inspection.feed(chunk)  # raises as soon as the size or the type says no
            chunks.append(chunk)

        filename = await stream_file_field(headers, body, keep, limit=self.limit)
        inspected = inspection.finish()
        return Received(filename or "", b"".join(chunks), inspected.content_type)

    async def _store_object(self, key: str, data: bytes, content_type: ContentType) -> None:
        upload = self.storage.upload(key, str(content_type))
        try:
            for start in range(0, len(data), PART_SIZE):
                await upload.write(data[start : start + PART_SIZE])
            await upload.complete()
        except BaseException:
            await upload.abort()
            raise

    async def _file(
        self, application_id: str, slot: Slot, upload: Upload, upload_id: str
    ) -> Upload | None:
        try:
            return await self.repository.file_upload(application_id, slot, upload, self.quota_bytes)
        except CERTAINLY_NOT_FILED:
            await self.storage.discard(upload.key)  # no record points to it: no orphan either
            raise
        except BaseException as exc:
            # The record may exist and point to this object: keep it (and the one it may have
            # replaced); the sweep removes whichever no record points to.
            log.warning(
                "document filing uncertain",
                application_id=application_id,
                upload_id=upload_id,
                error=type(exc).__name__,
            )
            if isinstance(exc, Exception):
                raise FilingUncertain(type(exc).__name__) from exc
            raise

    async def _renew(
        self, application_id: str, slot: Slot, upload: Upload, rules: DocumentRules
    ) -> None:
        """Keep the renewal proof and emit `documents.revalidated` with it, in one write."""
        kept = [False]

        def act(documents: Any) -> list[OutgoingEvent] | None:
            event = documents.renew(
                slot,
                upload,
                rules.renewal_kinds,
                at=upload.uploaded_at,
                quota_bytes=self.quota_bytes,
            )
            kept[0] = event is not None
            if event is None:
                return None  # this very proof was received already: announced once
            return [new_event(DOCUMENTS_REVALIDATED, event, source=SERVICE, key=application_id)]

        try:
            await self.repository.update(application_id, act)
        except CERTAINLY_NOT_FILED:
            await self.storage.discard(upload.key)
            raise
        except Exception as exc:
            raise FilingUncertain(type(exc).__name__) from exc
        if not kept[0]:
            await self.storage.discard(upload.key)

    async def listing(self, application_id: str) -> list[dict[str, Any]]:
        """Stored documents' metadata for the API: no storage key, no client file name."""
        documents = await self.repository.get(application_id)
        if documents is None:
            return []
        return [
            {
                "kind": str(slot.kind),
                "dependant": slot.dependant,
                "size": u.size,
                "sha256": u.sha256,
                "content_type": u.content_type,
                "uploaded_at": u.uploaded_at,
                "status": u.decision.status
                if u.decision
                else ("in_review" if documents.under_review(slot) else "received"),
                "code": u.decision.code if u.decision else u.review,
            }
            for slot, u in documents.filed()
        ]
