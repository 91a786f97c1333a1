"""Public reference data (tariffs per scheme, approved medicines, approved facilities, the ALD
list), searched in claims, which owns it; and the operators' ALD exemptions of a member."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from amo_gateway.auth import OperatorHeader, SupervisorHeader
from amo_gateway.upstream import UpstreamDep, relay

router = APIRouter(tags=["reference"])

CLAIMS = "claims"
Q_MAX = 100
SIZE_MAX = 100
Registry = Literal["tariffs", "medicines", "facilities", "ald"]
MemberNumber = Annotated[str, Path(pattern=r"^[A-Z0-9]{4,16}$")]


@router.get(
    "/v1/reference/{registry}",
    responses={503: {"description": "Claims unavailable or no reference imported yet"}},
)
async def search_reference(
    registry: Registry,
    upstream: UpstreamDep,
    q: Annotated[str, Query(max_length=Q_MAX, description="Words of the code or label")] = "",
    scheme: Literal["CNOPS", "CNSS"] | None = None,
    day: Annotated[date | None, Query(alias="date", description="Default: today")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=SIZE_MAX)] = 20,
) -> JSONResponse:
    params: dict[str, str | int] = {"q": q, "page": page, "size": size}
    if scheme is not None:
        params["scheme"] = scheme
    if day is not None:
        params["date"] = day.isoformat()
    response = await upstream.call(CLAIMS, "GET", f"/reference/{registry}", params=params)
    return relay(CLAIMS, response)


class ExemptionGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    beneficiary_rank: int = Field(ge=0, le=99)
    ald_code: str = Field(min_length=1, max_length=16, pattern=r"^[A-Z0-9]+$")
    valid_from: date
    valid_until: date | None = None


@router.post("/v1/operator/members/{member_number}/exemptions", tags=["operator"])
async def grant_exemption(
    member_number: MemberNumber,
    body: ExemptionGrant,
    operator: SupervisorHeader,
    upstream: UpstreamDep,
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS,
        "POST",
        f"/operator/members/{member_number}/exemptions",
        json=body.model_dump(mode="json"),
        headers=operator,
    )
    return relay(CLAIMS, response)


@router.get("/v1/operator/members/{member_number}/exemptions", tags=["operator"])
async def list_exemptions(
    member_number: MemberNumber, operator: OperatorHeader, upstream: UpstreamDep
) -> JSONResponse:
    response = await upstream.call(
        CLAIMS, "GET", f"/operator/members/{member_number}/exemptions", headers=operator
    )
    return relay(CLAIMS, response)
