"""Internal HTTP routes, called by the gateway only (it has checked who may see the application)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from amo_documents.adapters.multipart import MalformedForm
from amo_documents.adapters.pipe import UploadAborted
from amo_documents.adapters.s3 import StorageFault
from amo_documents.domain import FilingRefused
from amo_documents.domain.content import TooLarge, UnsupportedType
from amo_documents.uploads import FilingUncertain, Uploads
from amo_shared.aggregates import ConcurrentWriteError
from amo_shared.events import DocumentKind

router = APIRouter(tags=["documents"])

# Application ids become part of S3 keys: only plain characters.
ApplicationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
DependantIndex = Annotated[int | None, Query(ge=0, le=99)]

# Refusals say why in the applicant's language; infrastructure errors say nothing more.
ERRORS: dict[type[Exception], tuple[int, str | None]] = {
    TooLarge: (413, None),
    UnsupportedType: (415, None),
    MalformedForm: (422, None),
    ClientDisconnect: (400, "envoi interrompu"),
    UploadAborted: (408, "envoi interrompu"),
    FilingRefused: (422, None),
    StorageFault: (503, "stockage des documents indisponible, réessayez plus tard"),
    # The document may or may not be filed: sending it again files it once, whichever it was.
    FilingUncertain: (503, "enregistrement incertain, renvoyez le document"),
    ConcurrentWriteError: (503, "dossier très sollicité, réessayez"),
}


def _http_error(exc: Exception) -> HTTPException:
    status, detail = next(v for cls, v in ERRORS.items() if isinstance(exc, cls))
    return HTTPException(status, detail=detail or str(exc))


class UploadedDocument(BaseModel):
    kind: DocumentKind
    dependant: int | None = None
    size: int
    sha256: str
    content_type: str


class StoredDocumentInfo(UploadedDocument):
    uploaded_at: datetime


def _uploads(request: Request) -> Uploads:
    return request.app.state.uploads


@router.put(
    "/applications/{application_id}/documents/{kind}",
    status_code=201,
    response_model=UploadedDocument,
    response_model_exclude_none=True,
)
async def upload_document(
    request: Request,
    application_id: ApplicationId,
    kind: DocumentKind,
    dependant: DependantIndex = None,
) -> dict:
    """Stream the `file` field of a multipart body to storage; a re-upload replaces the document."""
    try:
        return await _uploads(request).receive(
            application_id, kind, dependant, request.headers, request.stream()
        )
    except tuple(ERRORS) as exc:
        raise _http_error(exc) from None


@router.get("/applications/{application_id}/documents", response_model=list[StoredDocumentInfo])
async def list_documents(request: Request, application_id: ApplicationId) -> list[dict]:
    """The stored documents' metadata (never their storage keys)."""
    return await _uploads(request).listing(application_id)
