"""Document uploads: checked with registration, then streamed as they arrive to documents.

The multipart body is neither parsed nor buffered here (a 30 MB scan must not sit in the
gateway's memory): the request stream goes upstream chunk by chunk, with its own Content-Type
(and boundary); documents parses it, checks the bytes and enforces the size limit.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from amo_gateway.auth import CitizenHeader, UploadAllowance
from amo_gateway.schemas import StoredDocument
from amo_gateway.upload_pace import paced_body
from amo_gateway.upstream import UpstreamDep, UpstreamFailed, answer, relay
from amo_shared.events import DocumentKind

router = APIRouter(prefix="/v1/applications", tags=["documents"])

DEPENDANT_KINDS = frozenset(
    {
        DocumentKind.MARRIAGE_CERTIFICATE,
        DocumentKind.BIRTH_CERTIFICATE,
        DocumentKind.SCHOOL_CERTIFICATE,
        DocumentKind.DISABILITY_PROOF,
        DocumentKind.KAFALA_JUDGMENT,
    }
)
# After the card, only these renewal proofs are received (documents holds the same list as
# dated data and refuses any other kind too).
RENEWAL_KINDS = frozenset(
    {
        DocumentKind.SCHOOL_CERTIFICATE,
        DocumentKind.RESIDENCE_CARD,
        DocumentKind.SURVIVOR_PENSION,
        DocumentKind.RETIREMENT_CERTIFICATE,
    }
)
RENEWAL_HEADER = "X-Renewal"
FORWARDED_HEADERS = ("content-type", "content-length")
MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.put(
    "/{application_id}/documents/{kind}",
    status_code=status.HTTP_201_CREATED,
    response_model=StoredDocument,
    openapi_extra=MULTIPART,
    dependencies=[UploadAllowance],
    responses={
        404: {"description": "No such application for this account"},
        409: {"description": "Uploads are closed, or this document is verified or under review"},
        408: {"description": "Upload too slow (past the deadline, or below the minimum rate)"},
        413: {"description": "File too large, or the application's documents past its quota"},
        415: {"description": "File type not accepted"},
        422: {
            "description": "Content refused (the rule's code and its French and Arabic text), "
            "or no such dependant in this application"
        },
        429: {"description": "Too many uploads for this account: see Retry-After"},
    },
)
async def upload_document(
    application_id: UUID,
    kind: DocumentKind,
    request: Request,
    citizen: CitizenHeader,
    upstream: UpstreamDep,
    dependant: Annotated[
        int | None, Query(ge=0, le=99, description="Index of the dependant")
    ] = None,
) -> JSONResponse:
    check_dependant(kind, dependant)
    # Registration knows the dependants: an index it does not declare is refused there.
    access = await upstream.call(
        "registration",
        "GET",
        f"/applications/{application_id}/access",
        params={"dependant": dependant} if dependant is not None else None,
        headers=citizen,
    )
    if access.status_code != 200:
        return relay("registration", access)
    state = answer("registration", access)
    if not isinstance(state, dict):
        raise UpstreamFailed("registration")
    headers = {h: request.headers[h] for h in FORWARDED_HEADERS if h in request.headers}
    if not state.get("uploads_open"):
        if not state.get("revalidation_open"):
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"uploads are closed while the application is {state.get('status')}",
            )
        if kind not in RENEWAL_KINDS:
            raise HTTPException(
                status.HTTP_409_CONFLICT, "after the card, only renewal proofs are received"
            )
        # Built here, never copied from the client: only registration's answer opens renewals.
        headers[RENEWAL_HEADER] = "1"
    forward = upstream.client.build_request(
        "PUT",
        upstream.url("documents", f"/applications/{application_id}/documents/{kind.value}"),
        params={"dependant": dependant} if dependant is not None else None,
        headers=headers,
        content=paced_body(request),
    )
    try:
        response = await upstream.send("documents", forward)
    except ClientDisconnect:
        # The applicant went away mid-upload; nobody is left to answer.
        return JSONResponse({"detail": "upload interrupted"}, status_code=400)
    return relay("documents", response)


# An orphan filed by a guardian gives their own birth certificate (no CNIE of their own).
MEMBER_OR_DEPENDANT_KINDS = frozenset({DocumentKind.BIRTH_CERTIFICATE})


def check_dependant(kind: DocumentKind, dependant: int | None) -> None:
    if kind in DEPENDANT_KINDS - MEMBER_OR_DEPENDANT_KINDS and dependant is None:
        problem = "required for a dependant's document"
    elif kind not in DEPENDANT_KINDS and dependant is not None:
        problem = "only for a dependant's document"
    else:
        return
    raise RequestValidationError(
        [{"loc": ("query", "dependant"), "msg": problem, "type": "value_error"}]
    )
