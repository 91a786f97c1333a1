"""Internal HTTP of claims: members file claims (X-Member), facilities bill directly
(X-Facility). The gateway sets those headers once it has checked who calls; a claim of
someone else answers 404."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from amo_claims.adapters.claim_files import ClaimFiles
from amo_claims.adjudicating import submitted_event
from amo_claims.api import Members
from amo_claims.domain import Claim, FacilityKind, FiledBy, NoTariffInForce, Reference
from amo_claims.domain.filing import (
    Attachment,
    ClaimFile,
    FileStatus,
    FilingRefused,
    required_missing,
)
from amo_claims.reference_api import CurrentReference
from amo_claims.views import claim_view
from amo_shared.text import Code

router = APIRouter(tags=["claims"])

LINES_MAX = 50
ATTACHMENT_KINDS = ("care_sheet", "invoice", "prescription")


def claim_files(request: Request) -> ClaimFiles:
    return request.app.state.claim_files  # type: ignore[no-any-return]


Files = Annotated[ClaimFiles, Depends(claim_files)]


def member_id(x_member: Annotated[str | None, Header(max_length=32)] = None) -> str:
    if not x_member or not x_member.strip():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a member is required")
    return x_member.strip()


def facility_id(x_facility: Annotated[str | None, Header(max_length=32)] = None) -> str:
    if not x_facility or not x_facility.strip():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a facility is required")
    return x_facility.strip()


MemberId = Annotated[str, Depends(member_id)]
FacilityId = Annotated[str, Depends(facility_id)]


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    act_code: Code | None = None
    medicine_code: Code | None = None
    date: date
    billed: str = Field(min_length=1, max_length=16)
    quantity: int = Field(1, ge=1, le=999)
    ald_code: Annotated[Code, Field(max_length=16)] | None = None
    prior_approval_ref: Annotated[Code, Field(max_length=40)] | None = None


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    beneficiary_rank: int = Field(ge=0, le=99)
    prescriber_inpe: Code
    facility_id: Code | None = None
    lines: list[LineIn] = Field(min_length=1, max_length=LINES_MAX)


class FacilityClaimIn(ClaimIn):
    member_number: Code
    facility_id: None = None  # the caller is the facility


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=1)
    content_type: str = Field(min_length=1, max_length=100, pattern=r"^[a-z]+/[a-z0-9.+-]+$")
    object_key: str = Field(min_length=1, max_length=300, pattern=r"^[A-Za-z0-9/_.-]+$")


def _invalid(loc: tuple[Any, ...], message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", *loc), "msg": message, "type": "value_error"}])


def _claim(
    body: ClaimIn, member: str, facility: str | None, by: FiledBy, reference: Reference
) -> Claim:
    today = date.today()
    kind = FacilityKind.PRIVATE  # care in a doctor's office: a private practitioner
    if facility is not None:
        try:
            listed = reference.facilities(today).facilities.get(facility)
        except NoTariffInForce:
            listed = None
        if by is FiledBy.FACILITY and (listed is None or not listed.approved_on(today)):
            # Billing the fund directly is for facilities approved today; a member's claim
            # for earlier care is judged on the act's date by adjudication instead.
            raise HTTPException(status.HTTP_403_FORBIDDEN, "not an approved facility")
        if listed is None:
            raise _invalid(("facility_id",), "not on the list of approved facilities")
        kind = listed.kind
    raw = {
        "member_number": member,
        "beneficiary_rank": body.beneficiary_rank,
        "provider_id": body.prescriber_inpe,
        "facility_kind": kind,
        "facility_id": facility,
        "filed_by": by,
        "filed_on": today,
        "lines": [line.model_dump(exclude_none=True) for line in body.lines],
    }
    try:
        return Claim.model_validate(raw)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            if loc == ("lines",) and e["type"] == "too_short":
                continue  # pydantic's echo of a failed line: the body has lines (ClaimIn)
            if loc and loc[0] == "provider_id":
                loc = ("prescriber_inpe", *loc[1:])
            errors.append({"loc": ("body", *loc), "msg": e["msg"], "type": e["type"]})
        raise RequestValidationError(errors) from None


def _new_file(claim: Claim) -> ClaimFile:
    return ClaimFile(
        id=uuid.uuid4().hex, claim=claim, status=FileStatus.DRAFT, created_at=datetime.now(UTC)
    )


async def _own(files: ClaimFiles, claim_id: str, who: str, by: FiledBy) -> ClaimFile:
    file = await files.get(claim_id)
    owner = None
    if file is not None:
        owner = file.claim.member_number if by is FiledBy.MEMBER else file.claim.facility_id
    if file is None or owner != who or file.claim.filed_by is not by:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "claim not found")
    return file


async def _view(files: ClaimFiles, file: ClaimFile) -> dict[str, Any]:
    return claim_view(file, await files.document(file.id))


def _submit(files: ClaimFiles, traceparent: str | None):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)

    def step(current: ClaimFile):  # type: ignore[no-untyped-def]
        after = current.submitted(now)
        if after is None:
            return None
        claim = after.claim.model_copy(update={"filed_on": now.date()})
        after = after.model_copy(update={"claim": claim})
        return after, [submitted_event(after, traceparent)]

    return step


# ----------------------------------------------------------------------------------- members
@router.post("/claims", status_code=status.HTTP_201_CREATED)
async def create_claim(
    body: ClaimIn, who: MemberId, files: Files, members: Members, reference: CurrentReference
) -> dict[str, Any]:
    if await members.get(who) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no covered member with this number")
    file = _new_file(_claim(body, who, body.facility_id, FiledBy.MEMBER, reference))
    rules = reference.rules(date.today())
    file = file.model_copy(update={"missing": required_missing(file, rules, reference)})
    await files.add(file)
    return claim_view(file)


@router.get("/claims")
async def list_claims(
    who: MemberId,
    files: Files,
    status_: Annotated[FileStatus | None, Query(alias="status")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    found = await files.of_member(who, status_.value if status_ else None)
    items = found[(page - 1) * size : page * size]
    return {"items": [claim_view(f) for f in items], "total": len(found), "page": page}


@router.get("/claims/{claim_id}")
async def read_claim(claim_id: str, who: MemberId, files: Files) -> dict[str, Any]:
    return await _view(files, await _own(files, claim_id, who, FiledBy.MEMBER))


@router.get("/claims/{claim_id}/access")
async def claim_access(claim_id: str, who: MemberId, files: Files) -> dict[str, Any]:
    file = await _own(files, claim_id, who, FiledBy.MEMBER)
    return {"status": file.status.value, "uploads_open": file.uploads_open}


@router.put("/claims/{claim_id}/attachments/{kind}")
async def record_attachment(
    claim_id: str,
    kind: str,
    body: AttachmentIn,
    who: MemberId,
    files: Files,
    reference: CurrentReference,
) -> Any:
    if kind not in ATTACHMENT_KINDS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no attachment kind {kind!r}")
    await _own(files, claim_id, who, FiledBy.MEMBER)
    attachment = Attachment(kind=kind, **body.model_dump())
    rules = reference.rules(date.today())
    try:
        after = await files.apply(
            claim_id, lambda f: (f.attached(attachment, rules, reference), [])
        )
    except FilingRefused as refused:
        raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
    assert after is not None
    return await _view(files, after)


@router.post("/claims/{claim_id}/submit", status_code=status.HTTP_202_ACCEPTED)
async def submit_claim(
    claim_id: str,
    who: MemberId,
    files: Files,
    traceparent: Annotated[str | None, Header()] = None,
) -> Any:
    await _own(files, claim_id, who, FiledBy.MEMBER)
    try:
        after = await files.apply(claim_id, _submit(files, traceparent))
    except FilingRefused as refused:
        raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
    assert after is not None
    return JSONResponse(await _view(files, after), status_code=status.HTTP_202_ACCEPTED)


# -------------------------------------------------------------------------------- facilities
@router.post("/facility/claims", status_code=status.HTTP_202_ACCEPTED)
async def bill_directly(
    body: FacilityClaimIn,
    facility: FacilityId,
    files: Files,
    members: Members,
    reference: CurrentReference,
    traceparent: Annotated[str | None, Header()] = None,
) -> Any:
    member = await members.get(body.member_number)
    if member is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no covered member with this number")
    claim = _claim(body, body.member_number, facility, FiledBy.FACILITY, reference)
    direct = reference.tariffs(member.scheme, date.today()).direct_payment
    billed = sum(line.billed.centimes for line in claim.lines)
    if claim.facility_kind is FacilityKind.PUBLIC and billed < direct.threshold.centimes:
        raise _invalid(
            ("lines",), f"a public hospital bills the fund directly from {direct.threshold}"
        )
    file = _new_file(claim).submitted(datetime.now(UTC))
    assert file is not None
    await files.add(file, [submitted_event(file, traceparent)])
    return JSONResponse(claim_view(file), status_code=status.HTTP_202_ACCEPTED)


@router.get("/facility/claims/{claim_id}")
async def read_facility_claim(claim_id: str, facility: FacilityId, files: Files) -> Any:
    return await _view(files, await _own(files, claim_id, facility, FiledBy.FACILITY))
