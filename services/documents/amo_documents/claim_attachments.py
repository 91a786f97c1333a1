"""Claim attachments (care sheet, invoice, prescription): received with the same content checks
as registration documents, then stored in the documents bucket under `claims/<claim>/<kind>`.

The gateway calls this once claims said the claim takes uploads, and records the answer at
claims (which keeps the digest): documents keeps no record of its own for a claim, so a later
upload of the same kind simply replaces the object. The object is written in one S3 PUT of the
checked bytes, which replaces the previous one atomically: a failed write leaves the previous
attachment whole. The orphan sweep lists `applications/` only and never touches these.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel

from amo_documents.adapters.multipart import stream_file_field
from amo_documents.adapters.s3 import PART_SIZE, DocumentStorage, storage_fault
from amo_documents.api import ERRORS, content_error
from amo_documents.domain.checks import ContentRefused
from amo_documents.domain.checks.image import clean_image
from amo_documents.domain.checks.pdf import check_pdf
from amo_documents.domain.content import MAX_UPLOAD_BYTES, ContentType, UploadInspection
from amo_documents.domain.rules import DocumentRules, DocumentRulesBook
from amo_documents.uploads import ContentRejected

log = structlog.get_logger(__name__)

CLAIMS_PREFIX = "claims/"


class ClaimAttachmentKind(StrEnum):
    """What a member's claim may need attached (the claims service says which are missing)."""

    CARE_SHEET = "care_sheet"
    INVOICE = "invoice"
    PRESCRIPTION = "prescription"


# Claim ids become part of S3 keys: only plain characters (claims uses uuid4 hex).
ClaimId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]


def claim_object_key(claim_id: str, kind: ClaimAttachmentKind) -> str:
    return f"{CLAIMS_PREFIX}{claim_id}/{kind.value}"


def checked_content(
    content_type: ContentType, data: bytes, rules: DocumentRules
) -> tuple[bytes, ContentType]:
    """The bytes to store: a PDF as it is once its structure passed (no JavaScript, actions,
    embedded files, encryption or trailing data), an image fully decoded and re-encoded
    without metadata. `ContentRefused` names the first rule broken."""
    if content_type == ContentType.PDF:
        check_pdf(data, text_pages=rules.text_pages)
        return data, content_type
    return clean_image(data, content_type, rules.images).data, content_type


@dataclass
class ClaimAttachments:
    storage: DocumentStorage
    rules: DocumentRulesBook
    limit: int = MAX_UPLOAD_BYTES

    async def receive(
        self,
        claim_id: str,
        kind: ClaimAttachmentKind,
        headers: Mapping[str, str],
        body: AsyncIterator[bytes],
    ) -> dict[str, Any]:
        rules = self.rules.in_force(datetime.now(UTC).date())
        received_type, data = await self._read(headers, body)
        try:
            stored, content_type = await asyncio.to_thread(
                checked_content, received_type, data, rules
            )
        except ContentRefused as exc:
            log.info("claim attachment refused", claim_id=claim_id, kind=str(kind), code=exc.code)
            raise ContentRejected(exc.code, rules) from None
        key = claim_object_key(claim_id, kind)
        await self._put(key, stored, content_type)
        answer = {
            "kind": kind.value,
            "sha256": hashlib.sha256(stored).hexdigest(),
            "size": len(stored),
            "content_type": str(content_type),
            "object_key": key,
        }
        log.info(
            "claim attachment stored",
            claim_id=claim_id,
            kind=str(kind),
            size=answer["size"],
            content_type=answer["content_type"],
        )
        return answer

    async def _read(
        self, headers: Mapping[str, str], body: AsyncIterator[bytes]
    ) -> tuple[ContentType, bytes]:
        """The `file` field, bounded and typed while it streams (as registration documents)."""
        inspection = UploadInspection(self.limit)
        chunks: list[bytes] = []

        async def keep(chunk: bytes) -> None:
            inspection.feed(chunk)  # raises as soon as the size or the type says no
            chunks.append(chunk)

        await stream_file_field(headers, body, keep, limit=self.limit)
        return inspection.finish().content_type, b"".join(chunks)

    async def _put(self, key: str, data: bytes, content_type: ContentType) -> None:
        storage = self.storage

        def put() -> None:
            storage.client.put_object(
                storage.bucket,
                key,
                io.BytesIO(data),
                length=len(data),
                content_type=str(content_type),
                part_size=PART_SIZE,
                num_parallel_uploads=1,
            )

        try:
            await asyncio.to_thread(put)
        except Exception as exc:
            fault = storage_fault(exc, "put")
            if fault is None:
                raise
            raise fault from exc


class StoredAttachment(BaseModel):
    kind: ClaimAttachmentKind
    sha256: str
    size: int
    content_type: str
    object_key: str


router = APIRouter(tags=["claim attachments"])


@router.put(
    "/claims/{claim_id}/documents/{kind}",
    status_code=201,
    response_model=StoredAttachment,
    responses={
        413: {"description": "File too large"},
        415: {"description": "File type not accepted"},
        422: {"description": "Content refused: the rule's code and its French and Arabic text"},
        503: {"description": "Document storage unavailable"},
    },
)
async def upload_claim_attachment(
    request: Request, claim_id: ClaimId, kind: ClaimAttachmentKind
) -> dict[str, Any]:
    """Check the `file` field of a multipart body and store it as this claim's `kind`,
    replacing an earlier upload of the same kind. The gateway has checked the member's claim
    takes uploads, and records the answer at claims."""
    attachments: ClaimAttachments = request.app.state.claim_attachments
    try:
        return await attachments.receive(claim_id, kind, request.headers, request.stream())
    except ContentRejected as exc:
        raise content_error(exc) from None
    except tuple(ERRORS) as exc:
        status, detail = next(v for cls, v in ERRORS.items() if isinstance(exc, cls))
        raise HTTPException(status, detail=detail or str(exc)) from None
