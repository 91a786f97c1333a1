"""Internal HTTP of the claims service: a member's coverage, for providers and operators.

Reached only through the gateway, which authenticates callers.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from amo_claims.adapters.repository import MemberRegister
from amo_claims.domain import CoverageCheck, CoverageStatus, Scheme
from amo_claims.domain.member import Beneficiary, Member

router = APIRouter(tags=["members"])


class MemberCoverage(BaseModel):
    member_number: str
    status: CoverageStatus
    status_since: date | None
    valid_from: date
    valid_until: date
    beneficiaries: list[Beneficiary]
    category: str
    scheme: Scheme
    payer: str
    sequence: int


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


@router.get("/members/{member_number}/coverage", response_model=CoverageCheck)
async def get_coverage(
    member: KnownMember,
    day: Annotated[date, Query(alias="date")],
    rank: Annotated[int, Query(ge=0, le=99)] = 0,
) -> CoverageCheck:
    # The domain's rule (the one adjudication applies) says whether, and why not.
    return member.coverage().covers(rank, day)
