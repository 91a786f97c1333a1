"""What a provider files (Claim, ClaimLine) and what the fund knows of the member (Coverage)."""

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


class Claim(Frozen):
    member_number: str = Field(min_length=1)
    beneficiary_rank: NonNegativeInt  # 0 is the member, dependants follow
    provider_id: str = Field(min_length=1)  # the doctor's INPE
    facility_kind: FacilityKind
    filed_on: dt.date
    lines: tuple[ClaimLine, ...] = Field(min_length=1)

    @property
    def first_act_date(self) -> dt.date:
        return min(line.date for line in self.lines)


class CoverageStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"


class AldExemption(Frozen):
    """An exemption agreement for a long-term illness, granted to one beneficiary."""

    code: str
    beneficiary_rank: NonNegativeInt
    granted_on: dt.date


class Coverage(Frozen):
    member_number: str = Field(min_length=1)
    status: CoverageStatus
    status_since: dt.date | None = None  # acts before a suspension or revocation stay covered
    valid_from: dt.date
    valid_until: dt.date | None = None  # None: open-ended, as for retirees
    beneficiary_ranks: frozenset[NonNegativeInt]
    ald_exemptions: tuple[AldExemption, ...] = ()

    def covers(self, on: dt.date) -> bool:
        if on < self.valid_from or (self.valid_until is not None and on > self.valid_until):
            return False
        if self.status is CoverageStatus.ACTIVE:
            return True
        return self.status_since is not None and on < self.status_since


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
