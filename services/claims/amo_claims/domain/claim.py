"""What a member or a facility files: a claim (Claim) and its lines (ClaimLine)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from .money import Money
from .tariffs import FacilityKind, Frozen


class ClaimLine(Frozen):
    """One act or one medicine; billed is the line's total for its quantity."""

    act_code: str | None = None
    medicine_code: str | None = None
    date: dt.date
    billed: Money
    quantity: PositiveInt = 1
    ald_code: str | None = None
    prior_approval_ref: str | None = None

    @model_validator(mode="after")
    def _act_or_medicine(self) -> ClaimLine:
        if (self.act_code is None) == (self.medicine_code is None):
            raise ValueError("a claim line names exactly one of act_code or medicine_code")
        return self

    @property
    def item_code(self) -> str:
        code = self.act_code if self.act_code is not None else self.medicine_code
        assert code is not None  # the validator: exactly one of the two
        return code


class FiledBy(StrEnum):
    MEMBER = "member"  # reimbursement of care the member paid
    FACILITY = "facility"  # direct billing (tiers payant), with its own deadline


class Claim(Frozen):
    member_number: str = Field(min_length=1)
    beneficiary_rank: NonNegativeInt  # 0 is the member, dependants follow
    provider_id: str = Field(min_length=1)  # the prescriber's INPE
    facility_kind: FacilityKind
    # An approved facility's identifier; None for care outside a facility (a doctor's office).
    facility_id: str | None = Field(None, min_length=1)
    filed_by: FiledBy = FiledBy.MEMBER
    filed_on: dt.date
    lines: tuple[ClaimLine, ...] = Field(min_length=1)

    @property
    def first_act_date(self) -> dt.date:
        return min(line.date for line in self.lines)


class LineKey(NamedTuple):
    """Identity of a line for duplicate detection: the person treated, provider, item, date."""

    member_number: str
    beneficiary_rank: int
    provider_id: str
    item_code: str
    date: dt.date

    @classmethod
    def of(cls, claim: Claim, line: ClaimLine) -> LineKey:
        return cls(
            claim.member_number,
            claim.beneficiary_rank,
            claim.provider_id,
            line.item_code,
            line.date,
        )
