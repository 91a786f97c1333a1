"""The member register's entry: the card as its newest event says (issued, then each change of
its life, ordered by `sequence`), and the ALD exemptions operators granted to its beneficiaries."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, NonNegativeInt

from amo_shared.events import CardChange, CardState

from .ald import exemption_until
from .coverage import (
    AldExemption,
    BeneficiaryCover,
    BeneficiaryStatus,
    Coverage,
    CoverageStatus,
)
from .registries import AldList, ClaimRules
from .tariffs import Frozen, Scheme

ENDING = frozenset({"suspended", "revoked", "expired"})


class Beneficiary(Frozen):
    rank: NonNegativeInt
    relationship: Literal["self", "spouse", "child"]
    first_name: str
    last_name: str
    birth_date: dt.date
    coverage_from: dt.date | None = None
    coverage_until: dt.date | None = None
    status: BeneficiaryStatus = BeneficiaryStatus.ACTIVE
    status_since: dt.date | None = None


class GrantedExemption(AldExemption):
    granted_by: str = Field(min_length=1)  # an operator id
    granted_at: dt.datetime


class Member(Frozen):
    member_number: str
    application_id: str
    category: str
    scheme: Scheme
    payer: str
    status: CoverageStatus
    status_since: dt.date | None = None
    valid_from: dt.date
    valid_until: dt.date
    beneficiaries: tuple[Beneficiary, ...]
    sequence: int  # of the card event held: only a higher one changes the entry
    exemptions: tuple[GrantedExemption, ...] = ()

    def coverage(self) -> Coverage:
        return Coverage(
            member_number=self.member_number,
            scheme=self.scheme,
            status=self.status,
            status_since=self.status_since,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            beneficiaries=tuple(
                BeneficiaryCover(
                    rank=b.rank,
                    coverage_from=b.coverage_from,
                    coverage_until=b.coverage_until,
                    status=b.status,
                    status_since=b.status_since,
                )
                for b in self.beneficiaries
            ),
            ald_exemptions=tuple(
                AldExemption.model_validate(e.model_dump(include=set(AldExemption.model_fields)))
                for e in self.exemptions
            ),
        )


def member_after(
    held: Member | None, card: CardState, change: CardChange | None, rules: ClaimRules
) -> Member | None:
    """The entry after `card` (and the `change` it carries); None when `held` is as new."""
    if held is not None and card.sequence <= held.sequence:
        return None
    whole_card = change is not None and change.beneficiary_rank is None
    status = CoverageStatus(card.status)
    if whole_card and change is not None and change.change in ENDING:
        since: dt.date | None = change.effective_on
    elif held is not None and held.status is status and status is not CoverageStatus.ACTIVE:
        since = held.status_since
    else:
        since = None
    before = {b.rank: b for b in held.beneficiaries} if held else {}
    people = []
    for b in card.beneficiaries:
        person_status = BeneficiaryStatus(b.status)
        was = before.get(b.rank)
        if change is not None and change.beneficiary_rank == b.rank:
            person_since = (
                None if person_status is BeneficiaryStatus.ACTIVE else change.effective_on
            )
        elif was is not None and was.status is person_status:
            person_since = was.status_since
        else:
            person_since = None
        people.append(
            Beneficiary.model_validate(
                {**b.model_dump(), "status": person_status, "status_since": person_since}
            )
        )
    return Member(
        member_number=card.member_number,
        application_id=card.application_id,
        category=card.category.value,
        scheme=rules.schemes[card.category.value],
        payer=card.payer,
        status=status,
        status_since=since,
        valid_from=card.valid_from,
        valid_until=card.valid_until,
        beneficiaries=tuple(people),
        sequence=card.sequence,
        exemptions=held.exemptions if held else (),
    )


class ExemptionRefused(ValueError):
    """An exemption that cannot be granted; `field` names the input at fault."""

    def __init__(self, field: str, message: str, *, conflict: bool = False):
        super().__init__(message)
        self.field = field
        self.conflict = conflict


def grant_exemption(
    member: Member,
    request: AldExemption,
    ald: AldList,
    operator: str,
    at: dt.datetime,
) -> Member | None:
    """The member with the exemption added; None when the same one is already held."""
    if not any(b.rank == request.beneficiary_rank for b in member.beneficiaries):
        raise ExemptionRefused("beneficiary_rank", "no beneficiary of this rank on the card")
    if request.code not in ald.conditions:
        raise ExemptionRefused("ald_code", "not on the ALD list in force on valid_from")
    longest = exemption_until(request.code, request.valid_from, ald)
    until = request.valid_until if request.valid_until is not None else longest
    if longest is not None and (until is None or until > longest):
        raise ExemptionRefused(
            "valid_until", f"this illness's exemption lasts at most {ald.validity_years} years"
        )
    wanted = request.model_copy(update={"valid_until": until})
    for held in member.exemptions:
        same = (held.beneficiary_rank, held.code) == (wanted.beneficiary_rank, wanted.code)
        if not same:
            continue
        if (held.valid_from, held.valid_until) == (wanted.valid_from, wanted.valid_until):
            return None
        if _overlap(held, wanted):
            raise ExemptionRefused(
                "valid_from",
                "an exemption for this illness already covers these dates",
                conflict=True,
            )
    granted = GrantedExemption(**wanted.model_dump(), granted_by=operator, granted_at=at)
    return member.model_copy(update={"exemptions": (*member.exemptions, granted)})


def _overlap(a: AldExemption, b: AldExemption) -> bool:
    far = dt.date.max
    return a.valid_from <= (b.valid_until or far) and b.valid_from <= (a.valid_until or far)
