"""Receiving one document: the form is parsed, inspected and sent to S3 while it streams, then filed.

The S3 upload starts once the first bytes name an accepted type; a refusal at any point
aborts it, so nothing of a refused upload stays in the bucket.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from amo_shared.events import DocumentKind

from amo_documents.adapters.multipart import stream_file_field
from amo_documents.adapters.repository import ApplicationDocuments, public_records
from amo_documents.adapters.s3 import DocumentStorage, ObjectUpload, object_key
from amo_documents.domain.content import MAX_UPLOAD_BYTES, UploadInspection
from amo_documents.domain.verification import slot

log = structlog.get_logger(__name__)

FILENAME_MAX = 200


@dataclass
class Uploads:
    storage: DocumentStorage
    repository: ApplicationDocuments
    limit: int = MAX_UPLOAD_BYTES

    async def receive(self, application_id: str, kind: DocumentKind, dependant: int | None,
                      headers: Mapping[str, str], body: AsyncIterator[bytes]) -> dict[str, Any]:
        key = object_key(application_id, kind, dependant)
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
            await upload.complete()  # type: ignore[union-attr] - a known type means it started
        except BaseException:
            if upload is not None:
                await upload.abort()
            raise

        record = {
            "key": key, "kind": str(kind), "dependant": dependant, "size": inspected.size,
            "sha256": inspected.sha256, "content_type": str(inspected.content_type),
            "filename": (filename or "")[:FILENAME_MAX], "uploaded_at": datetime.now(UTC),
        }
        try:
            replaced = await self.repository.record_upload(application_id, slot(kind, dependant), record)
        except BaseException:
            await self.storage.discard(key)  # not filed: do not leave an orphan object
            raise
        if replaced:
            await self.storage.discard(replaced)
        log.info("document stored", application_id=application_id, kind=str(kind),
                 dependant=dependant, size=inspected.size, content_type=str(inspected.content_type))
        answer = {f: record[f] for f in ("kind", "dependant", "size", "sha256", "content_type")}
        return {k: v for k, v in answer.items() if v is not None}

    async def listing(self, application_id: str) -> list[dict[str, Any]]:
        return public_records(await self.repository.get(application_id))
