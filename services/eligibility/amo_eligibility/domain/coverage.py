"""Coverage per beneficiary: each covered dependant's own period within the member's.

A dependant is covered from the member's start; a child until the day before the birthday past
the limit that covers them (the child limit, or the student limit for a child whose studies
count); a disabled child and a spouse as long as the member. Every end is capped by the
member's own (a widow(er) without a survivor's pension: the death + 24 months).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from amo_eligibility.domain.dependants import DependantVerdict, last_covered_day
from amo_eligibility.domain.rules import DependantRules
from amo_shared.events import Dependant, Relationship


class BeneficiaryPeriod(BaseModel):
    """Dependant number `dependant` is covered from `coverage_from` to `coverage_until`
    (inclusive; None: as long as the member)."""

    model_config = ConfigDict(frozen=True)
    dependant: int
    coverage_from: date
    coverage_until: date | None = None


def earliest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def dependant_periods(
    dependants: list[Dependant],
    verdicts: tuple[DependantVerdict, ...],
    rules: DependantRules,
    start: date,
    member_until: date | None,
) -> tuple[BeneficiaryPeriod, ...]:
    """The period of every included dependant; one whose limit falls before the member's start
    (a child turning 22 during the waiting period) is never covered and so is left out."""
    periods = []
    for verdict in verdicts:
        if not verdict.included:
            continue
        person = dependants[verdict.index]
        own = (
            None if person.relationship is Relationship.SPOUSE else last_covered_day(person, rules)
        )
        until = earliest(own, member_until)
        if until is not None and until < start:
            continue
        periods.append(
            BeneficiaryPeriod(dependant=verdict.index, coverage_from=start, coverage_until=until)
        )
    return tuple(periods)
