"""A member's claims: `/v1/claims...`, for a citizen whose account holds a card (`MemberHeader`
asks registration which member that is, or checks the `member` the account names among its own),
relayed to claims as that member.

Attachments are streamed like application documents: claims first says whether the claim takes
uploads, documents checks and stores the file, then claims records what documents answered.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from amo_gateway.auth import MemberHeader, UploadAllowance
from amo_gateway.claim_bodies import MemberClaimIn
from amo_gateway.routes.documents import FORWARDED_HEADERS, MULTIPART
from amo_gateway.upload_pace import paced_body
from amo_gateway.upstream import UpstreamDep, UpstreamFailed, answer, relay

router = APIRouter(prefix="/v1/claims", tags=["claims"])
# Attachments on their own router: JSON bodies are capped, uploads stream (documents limits them).
uploads = APIRouter(prefix="/v1/claims", tags=["claims"])

CLAIMS = "claims"
ClaimId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
ClaimStatus = Literal[
    "draft", "received", "incomplete", "in_review", "accepted", "rejected", "paid"
]
STORED_FIELDS = ("sha256", "size", "content_type", "object_key")


class AttachmentKind(StrEnum):
    CARE_SHEET = "care_sheet"
    INVOICE = "invoice"
    PRESCRIPTION = "prescription"


MEMBER = {
    401: {"description": "No valid citizen's access token"},
    403: {"description": "Not a citizen's account"},
    404: {"description": "No card for this account, or no such claim of this member"},
    409: {"description": "This account holds several memberships and names none (`member`)"},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="File a claim (a draft: attach its documents, then submit it)",
    responses={**MEMBER, 422: {"description": "A field is malformed"}},
)
async def file_claim(
    body: MemberClaimIn, member: MemberHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS, "POST", "/claims", json=body.model_dump(mode="json"), headers=member
    )
    return relay(CLAIMS, response)


@uploads.put(
    "/{claim_id}/documents/{kind}",
    status_code=status.HTTP_201_CREATED,
    summary="Attach a care sheet, an invoice or a prescription (replaces one of the same kind)",
    openapi_extra=MULTIPART,
    dependencies=[UploadAllowance],
    responses={
        **MEMBER,
        408: {"description": "Upload too slow (past the deadline, or below the minimum rate)"},
        429: {"description": "Too many uploads for this account: see Retry-After"},
        409: {"description": "The claim takes no uploads now (submitted or decided)"},
        413: {"description": "File too large"},
        415: {"description": "File type not accepted"},
        422: {"description": "Content refused: the rule's code and its French and Arabic text"},
    },
)
async def attach_document(
    claim_id: ClaimId,
    kind: AttachmentKind,
    request: Request,
    member: MemberHeader,
    upstream: UpstreamDep,
) -> JSONResponse:
    """Answers 201 with the claim as it stands once the attachment is recorded."""
    access = await upstream.call(CLAIMS, "GET", f"/claims/{claim_id}/access", headers=member)
    if access.status_code != status.HTTP_200_OK:
        return relay(CLAIMS, access)
    state = answer(CLAIMS, access)
    if not isinstance(state, dict):
        raise UpstreamFailed(CLAIMS)
    if not state.get("uploads_open"):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"this claim takes no documents while it is {state.get('status')}",
        )
    forward = upstream.client.build_request(
        "PUT",
        upstream.url("documents", f"/claims/{claim_id}/documents/{kind.value}"),
        headers={h: request.headers[h] for h in FORWARDED_HEADERS if h in request.headers},
        content=paced_body(request),
    )
    try:
        stored = await upstream.send("documents", forward)
    except ClientDisconnect:
        return JSONResponse({"detail": "upload interrupted"}, status_code=400)
    if stored.status_code != status.HTTP_201_CREATED:
        return relay("documents", stored)
    document = answer("documents", stored)
    if not isinstance(document, dict) or any(f not in document for f in STORED_FIELDS):
        raise UpstreamFailed("documents")
    recorded = await upstream.call(
        CLAIMS,
        "PUT",
        f"/claims/{claim_id}/attachments/{kind.value}",
        json={f: document[f] for f in STORED_FIELDS},
        headers=member,
    )
    if recorded.status_code != status.HTTP_200_OK:
        return relay(CLAIMS, recorded)
    return JSONResponse(answer(CLAIMS, recorded), status_code=status.HTTP_201_CREATED)


@router.post(
    "/{claim_id}/submit",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Submit the claim (again after an incomplete notice); repeating it changes nothing",
    responses={**MEMBER, 409: {"description": "Already decided, or not this claim's turn"}},
)
async def submit_claim(
    claim_id: ClaimId, member: MemberHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(CLAIMS, "POST", f"/claims/{claim_id}/submit", headers=member)
    return relay(CLAIMS, response)


@router.get(
    "/{claim_id}",
    summary="One claim, its lines explained once adjudicated",
    responses=MEMBER,
)
async def read_claim(
    claim_id: ClaimId, member: MemberHeader, upstream: UpstreamDep
) -> JSONResponse:
    return relay(CLAIMS, await upstream.call(CLAIMS, "GET", f"/claims/{claim_id}", headers=member))


@router.get("", summary="This member's claims, newest first", responses=MEMBER)
async def list_claims(
    member: MemberHeader,
    upstream: UpstreamDep,
    claim_status: Annotated[ClaimStatus | None, Query(alias="status")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JSONResponse:
    params: dict[str, str | int] = {"page": page, "size": size}
    if claim_status is not None:
        params["status"] = claim_status
    response = await upstream.call(CLAIMS, "GET", "/claims", params=params, headers=member)
    return relay(CLAIMS, response)
