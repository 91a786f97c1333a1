"""The public request bodies of claims, prior approvals and operators' decisions, checked at the
door (unknown fields refused, field-level 422) before claims sees them.

Only the shape is checked here. Whether a code exists, whether a prescriber's INPE is well
formed, whether a facility is approved: those are dated rules claims applies, and a refusal
there is explained on the claim's line, not a 422 here. Amounts stay the strings the client
wrote (dirhams, at most two decimals): never a float on the way.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from amo_shared.text import Code

# Dirhams with at most two decimals, as a string: "300", "62.30".
Amount = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$")
]
# A code of the reference data, an INPE, a facility id or an approval reference: the
# registries decide what is valid, the shape is the platform's (`amo_shared.text.Code`).
MemberNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{4,16}$")]
Rank = Annotated[int, Field(ge=0, le=99, description="0: the member; dependants follow")]
LINES_MAX = 50


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClaimLineIn(_Strict):
    act_code: Code | None = None
    medicine_code: Code | None = None
    date: date
    billed: Amount = Field(description="The line's total in dirhams, as a string")
    quantity: int = Field(1, ge=1, le=999)
    ald_code: Code | None = None
    prior_approval_ref: Code | None = None

    @model_validator(mode="after")
    def _act_or_medicine(self) -> ClaimLineIn:
        if (self.act_code is None) == (self.medicine_code is None):
            raise ValueError("name exactly one of act_code or medicine_code")
        return self


Lines = Annotated[list[ClaimLineIn], Field(min_length=1, max_length=LINES_MAX)]


class MemberClaimIn(_Strict):
    """A member's reimbursement claim (documents are attached after, then it is submitted)."""

    beneficiary_rank: Rank
    prescriber_inpe: Code
    facility_id: Code | None = None
    lines: Lines


class FacilityClaimIn(_Strict):
    """Direct billing: the facility is the caller, so the body names no facility."""

    member_number: MemberNumber
    beneficiary_rank: Rank
    prescriber_inpe: Code
    lines: Lines


class PriorApprovalIn(_Strict):
    member_number: MemberNumber
    beneficiary_rank: Rank
    act_codes: Annotated[list[Code], Field(min_length=1, max_length=20)]
    planned_on: date
    estimated: Amount


class ApprovalDecisionIn(_Strict):
    outcome: Literal["approved", "refused"]
    reason: Code
    valid_until: date | None = None


class ClaimDecisionIn(_Strict):
    outcome: Literal["accepted", "rejected"]
    reason: Code
