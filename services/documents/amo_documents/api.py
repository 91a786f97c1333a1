"""Internal HTTP routes, called by the gateway only (it has checked who may see the application)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from amo_documents.adapters.multipart import MalformedForm
from amo_documents.adapters.pipe import UploadAborted
from amo_documents.adapters.s3 import StorageFault
from amo_documents.domain import FilingConflict, FilingRefused, QuotaExceeded
from amo_documents.domain.content import TooLarge, UnsupportedType
from amo_documents.uploads import ContentRejected, FilingUncertain, Uploads
from amo_shared.aggregates import ConcurrentWriteError
from amo_shared.events import DocumentKind

router = APIRouter(tags=["documents"])

# Application ids become part of S3 keys: only plain characters.
ApplicationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
DependantIndex = Annotated[int | None, Query(ge=0, le=99)]

# The gateway sets it once registration said the card is issued and renewals are open.
RENEWAL_HEADER = "X-Renewal"

# Refusals say why in the applicant's language; infrastructure errors say nothing more.
# (Order matters: a subclass before its base.)
ERRORS: dict[type[Exception], tuple[int, str | None]] = {
    TooLarge: (413, None),
    QuotaExceeded: (413, None),
    FilingConflict: (409, None),
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


def content_error(exc: ContentRejected) -> RequestValidationError:
    """A field-level 422 on `file`: the rule's code and its French and Arabic wording."""
    ctx = {"code": exc.code, "message_fr": exc.message_fr, "message_ar": exc.message_ar}
    return RequestValidationError(
        [{"loc": ("body", "file"), "msg": exc.message_fr, "type": exc.code, "ctx": ctx}]
    )


def _http_error(exc: Exception) -> HTTPException:
    status, detail = next(v for cls, v in ERRORS.items() if isinstance(exc, cls))
    return HTTPException(status, detail=detail or str(exc))


class UploadedDocument(BaseModel):
    kind: DocumentKind
    dependant: int | None = None
    size: int
    sha256: str
    content_type: str
    # Why an operator will look at it (a certificate without a text layer), if one must.
    review: str | None = None


class StoredDocumentInfo(UploadedDocument):
    uploaded_at: datetime
    status: str
    code: str | None = None


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
    renewal: Annotated[str | None, Header(alias=RENEWAL_HEADER)] = None,
) -> dict:
    """Check the `file` field of a multipart body and store it if it passes; a re-upload
    replaces a document not yet verified. With `X-Renewal: 1` (after the card), a renewal proof
    is kept and announced instead."""
    try:
        return await _uploads(request).receive(
            application_id,
            kind,
            dependant,
            request.headers,
            request.stream(),
            renewal=renewal == "1",
        )
    except ContentRejected as exc:
        raise content_error(exc) from None
    except tuple(ERRORS) as exc:
        raise _http_error(exc) from None


@router.get("/applications/{application_id}/documents", response_model=list[StoredDocumentInfo])
async def list_documents(request: Request, application_id: ApplicationId) -> list[dict]:
    """The stored documents' metadata (never their storage keys)."""
    return await _uploads(request).listing(application_id)
