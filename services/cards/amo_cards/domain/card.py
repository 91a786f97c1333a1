"""`issue_card`: the card of an approved application, one line per beneficiary with its own
coverage, and the card's state as hospitals read it (`card.issued`, every change).

The card holds no CNIE: it travels to hospitals, which identify people by member number and name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from amo_cards.domain.member_number import is_valid_member_number
from amo_cards.domain.terms import CardTermsBook
from amo_shared.events import (
    CardBeneficiary,
    CardIssued,
    CardState,
    CardStatus,
    Category,
    DocumentKind,
    EligibilityDecided,
)


class Due(BaseModel):
    """A proof to renew by `due_on`: for the beneficiary of `rank`, or the card (None)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    what: DocumentKind
    rank: int | None
    due_on: date
    reminded: bool = False  # the 30-day reminder went out for this `due_on`
    acted: bool = False  # `due_on` passed and the job suspended (or found nothing to suspend)

    @property
    def id(self) -> str:
        return f"{self.what.value}:{'card' if self.rank is None else self.rank}"


class Hold(BaseModel):
    """Why a beneficiary (or the card, rank None) is suspended: a due's id, or `operator`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rank: int | None
    cause: str


class Milestone(BaseModel):
    """One date of the card's calendar, for people reading it (proofs, ends)."""

    model_config = ConfigDict(frozen=True)

    on: date
    what: Literal["proof", "coverage_end", "card_end"]
    rank: int | None = None
    document: DocumentKind | None = None


class Card(BaseModel):
    """One member's card: the member (rank 0) and covered dependants, for a validity period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    member_number: str
    application_id: str
    submission: int
    category: Category
    status: CardStatus
    valid_from: date
    valid_until: date
    beneficiaries: tuple[CardBeneficiary, ...]
    payer: str
    terms_version: str
    rules_version: str
    issued_at: datetime
    sequence: int = 1
    deceased_member_number: str | None = None
    # The day rights end by rule (the decision's `coverage_until`); None: renewable.
    rights_until: date | None = None
    # `dependant_index[rank - 1]` is the index in the decision's dependants of that rank.
    dependant_index: tuple[int, ...] = ()
    dues: tuple[Due, ...] = ()
    holds: tuple[Hold, ...] = ()
    # SHA-256 of every renewal proof already taken into account (a repeat changes nothing).
    proofs: tuple[str, ...] = ()

    def beneficiary(self, rank: int) -> CardBeneficiary | None:
        return next((b for b in self.beneficiaries if b.rank == rank), None)

    def rank_of(self, dependant: int | None) -> int | None:
        """The rank of the decision's dependant `dependant` (None: the member's own, the card)."""
        if dependant is None:
            return None
        if dependant not in self.dependant_index:
            raise LookupError("this dependant is not covered by the card")
        return self.dependant_index.index(dependant) + 1

    def schedule(self) -> list[Milestone]:
        """Every date the revalidation job acts on, soonest first."""
        dates = [
            Milestone(on=d.due_on, what="proof", rank=d.rank, document=d.what) for d in self.dues
        ]
        dates += [
            Milestone(on=b.coverage_until, what="coverage_end", rank=b.rank)
            for b in self.beneficiaries
            if b.rank and b.coverage_until and b.status != "ended"
        ]
        dates.append(Milestone(on=self.valid_until, what="card_end"))
        return sorted(dates, key=lambda m: (m.on, m.rank if m.rank is not None else -1))


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
    valid_until = anniversary(valid_from, in_force.validity_years) - timedelta(days=1)
    if decision.coverage_until is not None:
        # Rights that end by rule (a survivor without pension) end the card with them.
        valid_until = max(valid_from, min(valid_until, decision.coverage_until))
    people, index = beneficiaries(decision, valid_from)
    return Card(
        member_number=member_number,
        application_id=decision.application_id,
        submission=decision.submission,
        category=decision.applicant.category,
        status="active",
        valid_from=valid_from,
        valid_until=valid_until,
        beneficiaries=people,
        payer=decision.payer or in_force.payer,
        terms_version=in_force.version,
        rules_version=decision.rules_version,
        issued_at=now,
        deceased_member_number=decision.applicant.deceased_member_number,
        rights_until=decision.coverage_until,
        dependant_index=index,
        dues=dues(decision, index),
    )


def beneficiaries(
    decision: EligibilityDecided, valid_from: date
) -> tuple[tuple[CardBeneficiary, ...], tuple[int, ...]]:
    """The member at rank 0, then each covered dependant, in the applicant's order, from rank 1;
    and the dependant index of each rank from 1."""
    applicant, covered = decision.applicant, decision.covered_dependants
    if len(set(covered)) != len(covered):
        raise ValueError("covered_dependants lists a dependant twice")
    if any(not 0 <= i < len(applicant.dependants) for i in covered):
        raise ValueError("covered_dependants points outside applicant.dependants")
    periods = {c.dependant: c for c in decision.dependant_coverage}
    people = [
        CardBeneficiary(
            rank=0,
            relationship="self",
            first_name=applicant.first_name,
            last_name=applicant.last_name,
            birth_date=applicant.birth_date,
            coverage_from=valid_from,
            coverage_until=decision.coverage_until,
        )
    ]
    index = tuple(sorted(covered))
    for rank, i in enumerate(index, start=1):
        dependant, period = applicant.dependants[i], periods.get(i)
        until = earliest(period.coverage_until if period else None, decision.coverage_until)
        people.append(
            CardBeneficiary(
                rank=rank,
                relationship=dependant.relationship.value,
                first_name=dependant.first_name,
                last_name=dependant.last_name,
                birth_date=dependant.birth_date,
                coverage_from=period.coverage_from if period else valid_from,
                coverage_until=until,
            )
        )
    return tuple(people), index


def dues(decision: EligibilityDecided, index: tuple[int, ...]) -> tuple[Due, ...]:
    """The decision's revalidations of covered people, one per proof and person (the earliest)."""
    found: dict[str, Due] = {}
    for item in sorted(decision.revalidations, key=lambda r: r.due_on):
        if item.dependant is not None and item.dependant not in index:
            continue  # not on the card: nothing to renew
        rank = None if item.dependant is None else index.index(item.dependant) + 1
        due = Due(what=item.what, rank=rank, due_on=item.due_on)
        found.setdefault(due.id, due)
    return tuple(found.values())


def earliest(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def anniversary(day: date, years: int) -> date:
    """`day` moved `years` years on; a 29 February lands on 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def card_state(card: Card) -> dict[str, object]:
    """The public fields of the card as it stands (`CardState`): nothing a hospital must not hold."""
    return CardState(
        member_number=card.member_number,
        application_id=card.application_id,
        category=card.category,
        status=card.status,
        valid_from=card.valid_from,
        valid_until=card.valid_until,
        beneficiaries=list(card.beneficiaries),
        payer=card.payer,
        issued_at=card.issued_at,
        sequence=card.sequence,
        deceased_member_number=card.deceased_member_number,
    ).model_dump()


def to_card_issued(card: Card) -> CardIssued:
    """The public event of a new card."""
    return CardIssued.model_validate(card_state(card))
