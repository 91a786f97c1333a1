"""The outcome of adjudicating a claim: an explanation of benefits per line, and totals."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import ConfigDict, computed_field

from .claim import Claim, LineKey
from .money import Money, Percent
from .reasons import Reason
from .tariffs import Frozen, Scheme


class LineStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ClaimStatus(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class Payee(StrEnum):
    MEMBER = "member"
    FACILITY = "facility"  # tiers payant


class Finding(Frozen):
    reason: Reason
    message: str


class LineBenefit(Frozen):
    """Why a line is paid what it is paid: billed, reference tariff, base, rate, shares."""

    line_no: int
    item_code: str
    date: dt.date
    quantity: int
    billed: Money
    tariff: Money | None  # reference amount for the quantity; None when the line is rejected
    base: Money
    rate: Percent
    reimbursed: Money
    patient_share: Money
    status: LineStatus
    reason: Reason
    message: str
    notes: tuple[Finding, ...] = ()


def _total(amounts: list[Money]) -> Money:
    return sum(amounts, Money.zero())


class Adjudication(Frozen):
    # Totals are derived: ignore them when a dumped adjudication is read back.
    model_config = ConfigDict(frozen=True, extra="ignore")

    status: ClaimStatus
    scheme: Scheme
    tariff_version: str | None  # the scheme's version on the first act (payee)
    payee: Payee
    lines: tuple[LineBenefit, ...]

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def total_billed(self) -> Money:
        return _total([line.billed for line in self.lines])

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def total_base(self) -> Money:
        return _total([line.base for line in self.lines])

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def total_reimbursed(self) -> Money:
        return _total([line.reimbursed for line in self.lines])

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def total_patient_share(self) -> Money:
        return _total([line.patient_share for line in self.lines])

    def paid_keys(self, claim: Claim) -> frozenset[LineKey]:
        """Keys to add to the history, so the same act is not paid twice."""
        return frozenset(
            LineKey.of(claim, claim.lines[benefit.line_no - 1])
            for benefit in self.lines
            if benefit.status is LineStatus.ACCEPTED
        )


def claim_status(lines: tuple[LineBenefit, ...]) -> ClaimStatus:
    accepted = sum(line.status is LineStatus.ACCEPTED for line in lines)
    if accepted == len(lines):
        return ClaimStatus.ACCEPTED
    return ClaimStatus.REJECTED if accepted == 0 else ClaimStatus.PARTIALLY_ACCEPTED
