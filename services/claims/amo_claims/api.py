"""Internal HTTP of the claims service: a member's coverage, for providers and operators.

Reached only through the gateway, which authenticates callers.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from amo_claims.adapters.repository import Member, MemberRegister
from amo_claims.domain import CoverageStatus
from amo_shared.events import CardBeneficiary, Category

router = APIRouter(tags=["members"])


class MemberCoverage(BaseModel):
    member_number: str
    status: CoverageStatus
    valid_from: date
    valid_until: date
    beneficiaries: list[CardBeneficiary]
    category: Category


class CoverageAnswer(BaseModel):
    covered: bool
    # active | not_yet_valid | expired | suspended | revoked
    reason: str


def member_register(request: Request) -> MemberRegister:
    return request.app.state.members  # built once by the app factory


Members = Annotated[MemberRegister, Depends(member_register)]


async def known_member(member_number: str, members: Members) -> Member:
    member = await members.get(member_number)
    if member is None:
        raise HTTPException(status_code=404, detail="no covered member with this number")
    return member


KnownMember = Annotated[Member, Depends(known_member)]


@router.get("/members/{member_number}", response_model=MemberCoverage)
async def get_member(member: KnownMember) -> MemberCoverage:
    return MemberCoverage.model_validate(member.model_dump())


@router.get("/members/{member_number}/coverage", response_model=CoverageAnswer)
async def get_coverage(
    member: KnownMember, day: Annotated[date, Query(alias="date")]
) -> CoverageAnswer:
    # The domain's rule (the one adjudication applies) says whether; the reason says why not.
    if member.coverage().covers(day):
        return CoverageAnswer(covered=True, reason="active")
    if day < member.valid_from:
        reason = "not_yet_valid"
    elif day > member.valid_until:
        reason = "expired"
    else:
        reason = member.status.value
    return CoverageAnswer(covered=False, reason=reason)
