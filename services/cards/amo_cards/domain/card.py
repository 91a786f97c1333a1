"""`issue_card`: the card of an approved application, and the `card.issued` event hospitals read.

The card holds no CNIE: it travels to hospitals, which identify people by member number and name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from amo_cards.domain.member_number import is_valid_member_number
from amo_cards.domain.terms import CardTermsBook
from amo_shared.events import CardBeneficiary, CardIssued, Category, EligibilityDecided


class Card(BaseModel):
    """One member's card: the member (rank 0) and covered dependants, for a validity period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    member_number: str
    application_id: str
    submission: int
    category: Category
    status: Literal["active", "suspended", "expired", "revoked"]
    valid_from: date
    valid_until: date
    beneficiaries: tuple[CardBeneficiary, ...]
    payer: str
    terms_version: str
    rules_version: str
    issued_at: datetime


def issue_card(
    decision: EligibilityDecided, member_number: str, terms: CardTermsBook, now: datetime
) -> Card:
    """The card of `decision`, under the card terms in force on the decision date."""
    if decision.outcome != "approved":
        raise ValueError("a card is issued only for an approved application")
    if not is_valid_member_number(member_number):
        raise ValueError("malformed member number")
    in_force = terms.in_force(decision.decided_at.date())
    valid_from = decision.coverage_start or decision.decided_at.date()
    return Card(
        member_number=member_number,
        application_id=decision.application_id,
        submission=decision.submission,
        category=decision.applicant.category,
        status="active",
        valid_from=valid_from,
        valid_until=anniversary(valid_from, in_force.validity_years) - timedelta(days=1),
        beneficiaries=beneficiaries(decision),
        payer=in_force.payer,
        terms_version=in_force.version,
        rules_version=decision.rules_version,
        issued_at=now,
    )


def beneficiaries(decision: EligibilityDecided) -> tuple[CardBeneficiary, ...]:
    """The member at rank 0, then each covered dependant, in the applicant's order, from rank 1."""
    applicant, covered = decision.applicant, decision.covered_dependants
    if len(set(covered)) != len(covered):
        raise ValueError("covered_dependants lists a dependant twice")
    if any(not 0 <= i < len(applicant.dependants) for i in covered):
        raise ValueError("covered_dependants points outside applicant.dependants")
    people = [
        CardBeneficiary(
            rank=0,
            relationship="self",
            first_name=applicant.first_name,
            last_name=applicant.last_name,
            birth_date=applicant.birth_date,
        )
    ]
    for rank, index in enumerate(sorted(covered), start=1):
        dependant = applicant.dependants[index]
        people.append(
            CardBeneficiary(
                rank=rank,
                relationship=dependant.relationship.value,
                first_name=dependant.first_name,
                last_name=dependant.last_name,
                birth_date=dependant.birth_date,
            )
        )
    return tuple(people)


def anniversary(day: date, years: int) -> date:
    """`day` moved `years` years on; a 29 February lands on 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def to_card_issued(card: Card) -> CardIssued:
    """The public event of a new card: everything a hospital needs, nothing it must not hold."""
    return CardIssued(
        member_number=card.member_number,
        application_id=card.application_id,
        category=card.category,
        status=card.status,
        valid_from=card.valid_from,
        valid_until=card.valid_until,
        beneficiaries=list(card.beneficiaries),
        payer=card.payer,
        issued_at=card.issued_at,
    )
