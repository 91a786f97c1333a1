"""Receiving one document: the form is parsed, inspected and sent to S3 while it streams, then filed.

The S3 upload starts once the first bytes name an accepted type; a refusal at any point
aborts it, so nothing of a refused upload stays in the bucket. Each upload gets its own object
key, so a record never points to an object that a later upload overwrote. Once the object is
whole, the record is written: only a *certain* refusal of that write removes the object; after
an uncertain outcome (a lost connection, a timeout: the write may have reached the server) the
object stays, and the orphan sweep removes it later if no record points to it.
"""

from __future__ import annotations

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
from amo_documents.adapters.s3 import DocumentStorage, ObjectUpload, object_key
from amo_documents.domain import FilingRefused, Slot, Upload
from amo_documents.domain.content import MAX_UPLOAD_BYTES, Inspected, UploadInspection
from amo_shared.aggregates import ConcurrentWriteError
from amo_shared.events import DocumentKind
from amo_shared.failures import InfrastructureUnavailable

log = structlog.get_logger(__name__)

FILENAME_MAX = 200

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


@dataclass
class Uploads:
    storage: DocumentStorage
    repository: DocumentsRepository
    limit: int = MAX_UPLOAD_BYTES

    async def receive(
        self,
        application_id: str,
        kind: DocumentKind,
        dependant: int | None,
        headers: Mapping[str, str],
        body: AsyncIterator[bytes],
    ) -> dict[str, Any]:
        slot, upload_id = Slot(kind, dependant), uuid.uuid4().hex
        key = object_key(application_id, slot, upload_id)
        filename, inspected = await self._store_object(key, headers, body)
        # Millisecond precision, as the database keeps it: the record reads back equal.
        now = datetime.now(UTC)
        upload = Upload(
            key=key,
            size=inspected.size,
            sha256=inspected.sha256,
            content_type=str(inspected.content_type),
            uploaded_at=now.replace(microsecond=now.microsecond // 1000 * 1000),
            filename=(filename or "")[:FILENAME_MAX],
        )
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
        )
        answer = {
            "kind": str(kind),
            "dependant": dependant,
            "size": upload.size,
            "sha256": upload.sha256,
            "content_type": upload.content_type,
        }
        return {k: v for k, v in answer.items() if v is not None}

    async def _store_object(
        self, key: str, headers: Mapping[str, str], body: AsyncIterator[bytes]
    ) -> tuple[str | None, Inspected]:
        inspection = UploadInspection(self.limit)
        upload: ObjectUpload | None = None
        pending: list[bytes] = []  # the first few bytes, until they name a type

        async def forward(chunk: bytes) -> None:
            nonlocal upload
            inspection.feed(chunk)  # raises as soon as the size or the type says no
            pending.append(chunk)
            if inspection.content_type is None:
                return
            if upload is None:
                upload = self.storage.upload(key, inspection.content_type)
            while pending:
                await upload.write(pending.pop(0))

        try:
            filename = await stream_file_field(headers, body, forward, limit=self.limit)
            inspected = inspection.finish()
            if upload is None:  # finish() names a type only once forward() has started it
                raise RuntimeError("an inspected upload has no object")
            await upload.complete()
        except BaseException:
            if upload is not None:
                await upload.abort()
            raise
        return filename, inspected

    async def _file(
        self, application_id: str, slot: Slot, upload: Upload, upload_id: str
    ) -> Upload | None:
        try:
            return await self.repository.file_upload(application_id, slot, upload)
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
            }
            for slot, u in documents.filed()
        ]
