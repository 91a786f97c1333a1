"""The rules about the member: who they are (nationality, category) and what their category needs.

Each rule reads the applicant's facts and the rule parameters and gives one `Reason`, or None when
the version in force does not ask for it. A failed reason refuses the application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from amo_eligibility.domain.calendar import add_months
from amo_eligibility.domain.reasons import Reason, word
from amo_eligibility.domain.rules import RuleSet
from amo_shared.events import ApplicantFacts, Category


@dataclass(frozen=True)
class Case:
    """What a decision is about: the facts, the rules in force and the two dates that matter."""

    facts: ApplicantFacts
    rules: RuleSet
    as_of: date
    submitted_on: date

    def say(self, code: str, **values: object) -> Reason:
        return word(self.rules.messages, code, **values)


def declared(value: str | None) -> bool:
    """A free-text fact counts only when it says something (a blank field is no answer)."""
    return bool(value and value.strip())


def nationality(case: Case) -> Reason:
    facts = case.facts
    if facts.nationality.upper() in case.rules.nationality.nationals:
        return case.say("nationality.national")
    expiry = facts.residence_permit_expiry
    if not declared(facts.residence_permit) or expiry is None:
        return case.say("nationality.permit_missing")
    if expiry < case.as_of:
        return case.say("nationality.permit_expired", expiry=expiry)
    return case.say("nationality.permit_valid", expiry=expiry)


def category(case: Case) -> Reason:
    if case.facts.category in case.rules.categories:
        return case.say("category.accepted")
    return case.say("category.not_accepted")


def waiting_period(case: Case) -> Reason:
    # The waiting period delays coverage; it never refuses (only a missing date does).
    rules, recruited = case.rules.public_employee, case.facts.recruitment_date
    if recruited is None:
        return case.say("waiting_period.recruitment_date_missing")
    start = public_employee_coverage_start(case)
    if rules.waived_by_previous_scheme and declared(case.facts.previous_scheme):
        return case.say("waiting_period.waived", start=start)
    if add_months(recruited, rules.waiting_period_months) > case.submitted_on:
        return case.say("waiting_period.applies", months=rules.waiting_period_months, start=start)
    return case.say("waiting_period.elapsed", months=rules.waiting_period_months, start=start)


def public_employee_coverage_start(case: Case) -> date | None:
    """Recruitment + waiting period (or recruitment when waived), never before the filing."""
    rules, recruited = case.rules.public_employee, case.facts.recruitment_date
    if recruited is None:
        return None
    if rules.waived_by_previous_scheme and declared(case.facts.previous_scheme):
        return max(recruited, case.submitted_on)
    return max(add_months(recruited, rules.waiting_period_months), case.submitted_on)


def pension_fund(case: Case) -> Reason | None:
    if not case.rules.retiree.requires_pension_fund:
        return None
    if declared(case.facts.pension_fund):
        return case.say("pension_fund.recorded", fund=case.facts.pension_fund)
    return case.say("pension_fund.missing")


def pension_number(case: Case) -> Reason | None:
    if not case.rules.retiree.requires_pension_number:
        return None
    if declared(case.facts.pension_number):
        return case.say("pension_number.recorded")
    return case.say("pension_number.missing")


def survivor_rights_until(case: Case) -> date | None:
    """The day a widow(er) without a survivor's pension keeps rights until (None if not limited)."""
    death = case.facts.member_death_date
    if case.facts.survivor_pension or death is None:
        return None
    return add_months(death, case.rules.widow.rights_without_pension_months)


def survivor_rights(case: Case) -> Reason:
    if case.facts.survivor_pension:
        return case.say("survivor.pension_held")
    death, until = case.facts.member_death_date, survivor_rights_until(case)
    if death is None or until is None:
        return case.say("survivor.death_date_missing")
    months = case.rules.widow.rights_without_pension_months
    code = "survivor.within_grace" if case.as_of <= until else "survivor.grace_expired"
    return case.say(code, months=months, death_date=death, until=until)


def orphan_pension(case: Case) -> Reason | None:
    if not case.rules.orphan.requires_survivor_pension:
        return None
    if case.facts.survivor_pension:
        return case.say("orphan.pension_held")
    return case.say("orphan.pension_missing")


Rule = Callable[[Case], Reason | None]

# What each category must prove beyond nationality; the parameters live in the rule file.
CATEGORY_RULES: dict[Category, tuple[Rule, ...]] = {
    Category.PUBLIC_EMPLOYEE: (waiting_period,),
    Category.INDEPENDENT_WORKER: (),
    Category.LIBERAL_PROFESSION: (),
    Category.RETIREE: (pension_fund, pension_number),
    Category.WIDOW: (survivor_rights,),
    Category.ORPHAN: (orphan_pension,),
}


def member_reasons(case: Case) -> list[Reason]:
    """Every member rule evaluated, in the order an operator reads them."""
    admitted = category(case)
    rules: tuple[Rule, ...] = CATEGORY_RULES[case.facts.category] if admitted.passed else ()
    evaluated = [nationality(case), admitted] + [rule(case) for rule in rules]
    return [reason for reason in evaluated if reason is not None]
