"""What the fund knows of a member on a date: the card, each beneficiary's period and status,
and the long-term illness (ALD) exemptions each beneficiary holds."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, NonNegativeInt, model_validator

from .tariffs import Frozen, Scheme


class CoverageStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"


class BeneficiaryStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class NotCovered(StrEnum):
    """Why a beneficiary is not covered on a date (the member's and operators' wording)."""

    NOT_ON_CARD = "not_on_card"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    ENDED = "ended"


class CoverageCheck(Frozen):
    covered: bool
    reason: str  # "active", or a NotCovered value

    def __bool__(self) -> bool:
        return self.covered


COVERED = CoverageCheck(covered=True, reason="active")


def _refused(why: NotCovered) -> CoverageCheck:
    return CoverageCheck(covered=False, reason=why.value)


class BeneficiaryCover(Frozen):
    rank: NonNegativeInt
    coverage_from: dt.date | None = None  # None: the card's valid_from
    coverage_until: dt.date | None = None  # None: the card's valid_until
    status: BeneficiaryStatus = BeneficiaryStatus.ACTIVE
    # Acts before a suspension or an end stay covered.
    status_since: dt.date | None = None


class AldExemption(Frozen):
    """An exemption for one long-term illness, granted to one beneficiary (the patient)."""

    beneficiary_rank: NonNegativeInt
    code: str = Field(min_length=1)
    valid_from: dt.date
    valid_until: dt.date | None = None  # None: for life (the ALD list says which)

    @model_validator(mode="after")
    def _ordered(self) -> AldExemption:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def covers(self, rank: int, code: str, on: dt.date) -> bool:
        if (rank, code) != (self.beneficiary_rank, self.code) or on < self.valid_from:
            return False
        return self.valid_until is None or on <= self.valid_until


class Coverage(Frozen):
    member_number: str = Field(min_length=1)
    scheme: Scheme
    status: CoverageStatus
    status_since: dt.date | None = None  # acts before a suspension or revocation stay covered
    valid_from: dt.date
    valid_until: dt.date | None = None  # None: open-ended
    beneficiaries: tuple[BeneficiaryCover, ...] = Field(min_length=1)
    ald_exemptions: tuple[AldExemption, ...] = ()

    def beneficiary(self, rank: int) -> BeneficiaryCover | None:
        return next((b for b in self.beneficiaries if b.rank == rank), None)

    def covers(self, rank: int, on: dt.date) -> CoverageCheck:
        """Whether beneficiary `rank` is covered on `on`, and if not, why."""
        person = self.beneficiary(rank)
        if person is None:
            return _refused(NotCovered.NOT_ON_CARD)
        starts = max(self.valid_from, person.coverage_from or self.valid_from)
        if on < starts:
            return _refused(NotCovered.NOT_YET_VALID)
        if self.valid_until is not None and on > self.valid_until:
            return _refused(NotCovered.EXPIRED)
        if person.coverage_until is not None and on > person.coverage_until:
            return _refused(NotCovered.ENDED)
        # Compared by value: a copy made with model_copy(update=...) may hold the plain string.
        if self.status != CoverageStatus.ACTIVE and _since(self.status_since, on):
            return _refused(NotCovered(str(self.status)))
        if person.status != BeneficiaryStatus.ACTIVE and _since(_person_since(person), on):
            return _refused(NotCovered(str(person.status)))
        return COVERED

    def exempt(self, rank: int, ald_code: str, on: dt.date) -> bool:
        return any(e.covers(rank, ald_code, on) for e in self.ald_exemptions)


def _person_since(person: BeneficiaryCover) -> dt.date | None:
    # An ended beneficiary stays covered for acts up to their coverage_until.
    ended = person.status_since is None and person.status == BeneficiaryStatus.ENDED
    if ended and person.coverage_until is not None:
        return person.coverage_until + dt.timedelta(days=1)
    return person.status_since


def _since(since: dt.date | None, on: dt.date) -> bool:
    # A status without a date applies to every act: nothing says when it started.
    return since is None or on >= since
