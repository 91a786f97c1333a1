"""Internal operator endpoints for claims: the medical review queue and its decisions, and
facilities' prior approvals (requested by the facility, decided by an operator)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from amo_claims.adapters.approvals import ApprovalBook
from amo_claims.adapters.claim_files import ClaimFiles
from amo_claims.adapters.line_keys import LineKeys
from amo_claims.adjudicating import adjudicated_event, release_unpaid, take_paid_lines
from amo_claims.api import Members
from amo_claims.claims_api import FacilityId, Files
from amo_claims.domain import CareKind, FacilityKind, Money, NoTariffInForce
from amo_claims.domain.approvals import ApprovalRefused, ApprovalStatus, PriorApproval
from amo_claims.domain.filing import ClaimFile, FileStatus, decided_status
from amo_claims.domain.review import goes_with, refused_on_review
from amo_claims.operator_api import operator_id
from amo_claims.reference_api import CurrentReference
from amo_claims.views import approval_view, claim_view
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.events import PriorApprovalDecided
from amo_shared.text import Code
from amo_shared.topics import PRIOR_APPROVAL_DECIDED

router = APIRouter(tags=["operator"])
REVIEW_PAGE = 200  # the queue lists the oldest first, this many at a time


def approval_book(request: Request) -> ApprovalBook:
    return request.app.state.approvals  # type: ignore[no-any-return]


Approvals = Annotated[ApprovalBook, Depends(approval_book)]
Operator = Annotated[str, Depends(operator_id)]


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["accepted", "rejected"]
    reason: Code


@router.get("/operator/claims")
async def review_queue(
    files: Files,
    _: Operator,
    status_: Annotated[FileStatus, Query(alias="status")] = FileStatus.IN_REVIEW,
) -> dict[str, Any]:
    found = await files.with_status(status_.value, limit=REVIEW_PAGE)
    return {"items": [claim_view(f) for f in found], "total": await files.count(status_.value)}


@router.post("/operator/claims/{claim_id}/decision")
async def decide_claim(
    claim_id: str, body: Decision, request: Request, files: Files, operator: Operator
) -> dict[str, Any]:
    if not goes_with(body.outcome, body.reason):
        raise _invalid("reason", f"not a reason for {body.outcome}: {body.reason!r}")
    keys: LineKeys = request.app.state.line_keys
    file = await files.get(claim_id)
    if file is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "claim not found")
    if file.status is not FileStatus.IN_REVIEW:
        return await _decided_already(files, file, body)
    assert file.adjudication is not None  # in review: adjudicated
    if body.outcome == "accepted":
        # The keys first, as the consumer does: a claim accepted meanwhile with the same act
        # keeps it, and this one's line becomes a duplicate.
        decision = await take_paid_lines(keys, file, file.adjudication)
    else:
        decision = refused_on_review(file.adjudication, body.reason)
    now = datetime.now(UTC)

    def step(current: ClaimFile) -> tuple[ClaimFile, list[OutgoingEvent]] | None:
        if current.status is not FileStatus.IN_REVIEW:
            return None
        after = current.model_copy(
            update={
                "status": decided_status(decision),
                "adjudication": decision,
                "decided_at": now,
                "operator": operator,
                "decision_reason": body.reason,
            }
        )
        return after, [adjudicated_event(after)]

    after = await files.apply(claim_id, step)
    assert after is not None  # claims are never deleted
    await release_unpaid(keys, after)
    if after.decision_reason != body.reason or after.operator is None:
        return await _decided_already(files, after, body)  # another decision won the race
    return claim_view(after, await files.document(claim_id))


async def _decided_already(files: ClaimFiles, file: ClaimFile, body: Decision) -> dict[str, Any]:
    # The same decision again answers as the first did; any other is a conflict.
    if file.operator is not None and file.decision_reason == body.reason:
        return claim_view(file, await files.document(file.id))
    raise HTTPException(
        status.HTTP_409_CONFLICT, f"the claim is {file.status.value}, not in review"
    )


# ------------------------------------------------------------------------ prior approvals
class ApprovalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_number: Code
    beneficiary_rank: int = Field(ge=0, le=99)
    act_codes: list[Code] = Field(min_length=1, max_length=10)
    planned_on: date
    estimated: str | None = Field(None, max_length=16)


@router.post("/facility/prior-approvals", status_code=status.HTTP_201_CREATED)
async def request_approval(
    body: ApprovalRequest,
    facility: FacilityId,
    approvals: Approvals,
    members: Members,
    reference: CurrentReference,
) -> dict[str, Any]:
    today = date.today()
    try:
        listed = reference.facilities(today).facilities.get(facility)
    except NoTariffInForce:
        listed = None
    if listed is None or listed.kind is not FacilityKind.PRIVATE or not listed.approved_on(today):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "prior approvals are asked by approved private facilities"
        )
    member = await members.get(body.member_number)
    if member is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no covered member with this number")
    if member.coverage().beneficiary(body.beneficiary_rank) is None:
        raise _invalid("beneficiary_rank", "not a beneficiary on this member's card")
    acts = reference.tariffs(member.scheme, body.planned_on).acts
    for code in body.act_codes:
        if code not in acts or acts[code].kind is not CareKind.HOSPITAL:
            raise _invalid("act_codes", f"{code!r} is not hospital care in the tariff in force")
    try:
        estimated = Money.dh(body.estimated) if body.estimated is not None else None
    except ValueError as exc:
        raise _invalid("estimated", str(exc)) from None
    approval = PriorApproval(
        id=f"PA-{uuid.uuid4().hex[:12]}",
        facility_id=facility,
        member_number=body.member_number,
        beneficiary_rank=body.beneficiary_rank,
        act_codes=tuple(body.act_codes),
        planned_on=body.planned_on,
        estimated=estimated,
        requested_at=datetime.now(UTC),
    )
    await approvals.add(approval)
    return approval_view(approval)


@router.get("/facility/prior-approvals/{approval_id}")
async def read_approval(
    approval_id: str, facility: FacilityId, approvals: Approvals
) -> dict[str, Any]:
    approval = await approvals.get(approval_id)
    if approval is None or approval.facility_id != facility:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "prior approval not found")
    return approval_view(approval)


@router.get("/operator/prior-approvals")
async def approvals_queue(
    approvals: Approvals,
    _: Operator,
    status_: Annotated[ApprovalStatus, Query(alias="status")] = ApprovalStatus.PENDING,
) -> dict[str, Any]:
    found = await approvals.with_status(status_.value)
    return {"items": [approval_view(a) for a in found], "total": len(found)}


class ApprovalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["approved", "refused"]
    reason: Code
    valid_until: date | None = None


@router.post("/operator/prior-approvals/{approval_id}/decision")
async def decide_approval(
    approval_id: str,
    body: ApprovalDecision,
    approvals: Approvals,
    operator: Operator,
    reference: CurrentReference,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    days = reference.rules(now.date()).prior_approval_days

    def step(current: PriorApproval) -> tuple[PriorApproval, list[OutgoingEvent]] | None:
        after = current.decided(body.outcome, body.reason, operator, now, days, body.valid_until)
        return None if after is None else (after, [_decided_event(after)])

    try:
        after = await approvals.apply(approval_id, step)
    except ApprovalRefused as refused:
        if refused.conflict:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        raise _invalid(refused.field, str(refused)) from None
    if after is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "prior approval not found")
    return approval_view(after)


def _decided_event(approval: PriorApproval) -> OutgoingEvent:
    assert approval.decided_at is not None and approval.operator and approval.reason
    payload = PriorApprovalDecided(
        approval_id=approval.id,
        facility_id=approval.facility_id,
        member_number=approval.member_number,
        beneficiary_rank=approval.beneficiary_rank,
        act_codes=list(approval.act_codes),
        outcome="approved" if approval.status is ApprovalStatus.APPROVED else "refused",
        reason=approval.reason,
        valid_from=approval.valid_from,
        valid_until=approval.valid_until,
        decided_at=approval.decided_at,
        operator=approval.operator,
    )
    return new_event(PRIOR_APPROVAL_DECIDED, payload, source="claims", key=approval.id)
