"""What a covered family must prove again, and by when, or rights are suspended."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from amo_eligibility.domain.calendar import add_months, birthday
from amo_eligibility.domain.dependants import child_age_limit, judge_dependants
from amo_eligibility.domain.rules import RuleSet
from amo_shared.events import ApplicantFacts, Category, DocumentKind


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
    dues = _member_dues(facts, ruleset, as_of) + _student_dues(facts, ruleset, as_of)
    return sorted(dues, key=lambda due: (due.due_date, -1 if due.subject is None else due.subject))


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
    elif facts.category is Category.WIDOW and facts.member_death_date is not None:
        # Rights without a pension end at the grace period: proof of a pension keeps them.
        until = add_months(facts.member_death_date, ruleset.widow.rights_without_pension_months)
        dues.append(RenewalDue(subject=None, what=DocumentKind.SURVIVOR_PENSION, due_date=until))
    return dues


def _student_dues(facts: ApplicantFacts, ruleset: RuleSet, as_of: date) -> list[RenewalDue]:
    rules, dues = ruleset.dependants, []
    for verdict in judge_dependants(facts.dependants, ruleset, as_of):
        child = facts.dependants[verdict.index]
        # Only students covered for their studies renew a school certificate (not the disabled).
        if not (verdict.included and child.student and child_age_limit(child, rules) is not None):
            continue
        if verdict.reason.code == "dependant.student":
            due = add_months(as_of, ruleset.revalidation.school_certificate_every_months)
        else:  # still under the child limit: the certificate is due when they pass it
            due = birthday(child.birth_date, rules.child_max_age + 1)
        dues.append(
            RenewalDue(subject=verdict.index, what=DocumentKind.SCHOOL_CERTIFICATE, due_date=due)
        )
    return dues
