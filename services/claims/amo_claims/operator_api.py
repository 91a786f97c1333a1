"""Internal operator endpoints: ALD exemptions granted to a member's beneficiaries.

Every call carries `X-Operator` (the gateway sets it once it has checked the credential); the
operator id is recorded with the exemption.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from amo_claims.api import Members
from amo_claims.domain import AldExemption, NoTariffInForce
from amo_claims.domain.member import ExemptionRefused, GrantedExemption
from amo_claims.reference_api import CurrentReference
from amo_shared.text import Code

router = APIRouter(prefix="/operator", tags=["operator"])


def operator_id(x_operator: Annotated[str | None, Header(max_length=64)] = None) -> str:
    if not x_operator or not x_operator.strip():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "an operator is required")
    return x_operator.strip()


class ExemptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    beneficiary_rank: int = Field(ge=0, le=99)
    ald_code: Annotated[Code, Field(max_length=16)]
    valid_from: date
    # None: as long as the ALD list allows (5 years, or life for the conditions it names).
    valid_until: date | None = None


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


@router.post("/members/{member_number}/exemptions", status_code=201)
async def grant_exemption(
    member_number: str,
    body: ExemptionRequest,
    members: Members,
    reference: CurrentReference,
    x_operator: Annotated[str | None, Header(max_length=64)] = None,
) -> JSONResponse:
    operator = operator_id(x_operator)
    if body.valid_until is not None and body.valid_until < body.valid_from:
        raise _invalid("valid_until", "valid_until is before valid_from")
    try:
        ald = reference.ald(body.valid_from)
    except NoTariffInForce:
        raise _invalid("valid_from", "no ALD list in force on this date") from None
    exemption = AldExemption(
        beneficiary_rank=body.beneficiary_rank,
        code=body.ald_code,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    try:
        result = await members.grant(member_number, exemption, ald, operator)
    except ExemptionRefused as refused:
        if refused.conflict:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        raise _invalid(refused.field, str(refused)) from None
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no covered member with this number")
    member, changed = result
    wanted = (body.beneficiary_rank, body.ald_code, body.valid_from)
    held = next(
        e for e in member.exemptions if (e.beneficiary_rank, e.code, e.valid_from) == wanted
    )
    return JSONResponse(held.model_dump(mode="json"), status_code=201 if changed else 200)


@router.get("/members/{member_number}/exemptions", response_model=list[GrantedExemption])
async def list_exemptions(
    member_number: str,
    members: Members,
    x_operator: Annotated[str | None, Header(max_length=64)] = None,
) -> list[GrantedExemption]:
    operator_id(x_operator)
    member = await members.get(member_number)
    if member is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no covered member with this number")
    return list(member.exemptions)
