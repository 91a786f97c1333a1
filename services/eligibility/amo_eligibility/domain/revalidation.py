"""What a covered family must prove again, and by when, or rights are suspended.

Each proof's next due date only: once a proof is accepted, the next one is due a period later
(the cards service's daily job keeps that count). A due date past the end of the coverage it
would keep is not asked (nothing is left to suspend).
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from amo_eligibility.domain.calendar import add_months, age_on, birthday
from amo_eligibility.domain.coverage import earliest
from amo_eligibility.domain.dependants import (
    child_age_limit,
    judge_dependants,
    last_covered_day,
    studies_count,
)
from amo_eligibility.domain.rules import RuleSet
from amo_shared.events import ApplicantFacts, Category, DocumentKind, Relationship


class RenewalDue(BaseModel):
    """`what` must be provided again by `due_date` for `subject`.

    `subject` is None for the member, else the dependant's index in `facts.dependants`.
    """

    model_config = ConfigDict(frozen=True)
    subject: int | None
    what: DocumentKind
    due_date: date


def revalidation_schedule(facts: ApplicantFacts, ruleset: RuleSet, as_of: date) -> list[RenewalDue]:
    """The next renewal of each proof a covered family's rights rest on, soonest first."""
    until = survivor_until(facts, ruleset)
    dues = _member_dues(facts, ruleset, as_of) + _student_dues(facts, ruleset, as_of, until)
    kept = [due for due in dues if until is None or due.due_date <= until]
    return sorted(kept, key=lambda due: (due.due_date, -1 if due.subject is None else due.subject))


def survivor_until(facts: ApplicantFacts, ruleset: RuleSet) -> date | None:
    """The end of a widow(er)'s rights without a survivor's pension (None: not limited)."""
    death = facts.member_death_date
    if facts.category is not Category.WIDOW or facts.survivor_pension or death is None:
        return None
    return add_months(death, ruleset.widow.rights_without_pension_months)


def _member_dues(facts: ApplicantFacts, ruleset: RuleSet, as_of: date) -> list[RenewalDue]:
    every = ruleset.revalidation
    dues: list[RenewalDue] = []
    expiry = facts.residence_permit_expiry
    if facts.nationality.upper() not in ruleset.nationality.nationals and expiry is not None:
        due = expiry - timedelta(days=every.residence_card_days_before_expiry)
        dues.append(RenewalDue(subject=None, what=DocumentKind.RESIDENCE_CARD, due_date=due))
    yearly = add_months(as_of, every.pension_status_every_months)
    if facts.category is Category.RETIREE:
        dues.append(
            RenewalDue(subject=None, what=DocumentKind.RETIREMENT_CERTIFICATE, due_date=yearly)
        )
    elif facts.category in (Category.WIDOW, Category.ORPHAN) and facts.survivor_pension:
        dues.append(RenewalDue(subject=None, what=DocumentKind.SURVIVOR_PENSION, due_date=yearly))
    elif (until := survivor_until(facts, ruleset)) is not None:
        # Rights without a pension end at the grace period: proof of a pension keeps them.
        dues.append(RenewalDue(subject=None, what=DocumentKind.SURVIVOR_PENSION, due_date=until))
    return dues


def _student_dues(
    facts: ApplicantFacts, ruleset: RuleSet, as_of: date, member_until: date | None
) -> list[RenewalDue]:
    rules, dues = ruleset.dependants, []
    for verdict in judge_dependants(facts.dependants, ruleset, as_of):
        child = facts.dependants[verdict.index]
        # Only children whose studies extend their coverage renew a school certificate (not the
        # disabled, covered anyway; not a married child where marriage ends the extension).
        if not verdict.included or child.relationship is not Relationship.CHILD:
            continue
        if not studies_count(child, rules) or child_age_limit(child, rules) is None:
            continue
        if age_on(child.birth_date, as_of) >= rules.child_max_age:
            # From the child limit's age the certificate is asked with the file: valid a year.
            due = add_months(as_of, ruleset.revalidation.school_certificate_every_months)
        else:  # younger: the certificate is due the day they pass the child limit
            due = birthday(child.birth_date, rules.child_max_age + 1)
        end = earliest(last_covered_day(child, rules), member_until)
        if end is not None and due > end:
            continue
        dues.append(
            RenewalDue(subject=verdict.index, what=DocumentKind.SCHOOL_CERTIFICATE, due_date=due)
        )
    return dues
