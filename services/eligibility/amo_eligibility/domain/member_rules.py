"""The rules about the member: who they are (nationality, category) and what their category needs.

Each rule reads the applicant's facts and the rule parameters and gives one `Reason`, or None when
the version in force does not ask for it. A failed reason refuses the application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from amo_eligibility.domain.calendar import add_months, age_on
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
    if waived(case):
        return case.say("waiting_period.waived", start=start)
    if rules.waived_by_previous_scheme and declared(case.facts.previous_scheme):
        # Declared, but not one of the AMO schemes the version lists: no waiver.
        months = rules.waiting_period_months
        return case.say("waiting_period.scheme_not_recognised", months=months, start=start)
    if add_months(recruited, rules.waiting_period_months) > case.submitted_on:
        return case.say("waiting_period.applies", months=rules.waiting_period_months, start=start)
    return case.say("waiting_period.elapsed", months=rules.waiting_period_months, start=start)


def public_employee_coverage_start(case: Case) -> date | None:
    """Recruitment + waiting period (or recruitment when waived), never before the filing."""
    rules, recruited = case.rules.public_employee, case.facts.recruitment_date
    if recruited is None:
        return None
    if waived(case):
        return max(recruited, case.submitted_on)
    return max(add_months(recruited, rules.waiting_period_months), case.submitted_on)


def waived(case: Case) -> bool:
    """Coming from an AMO scheme the version recognises (any declared one before 2026.2)."""
    rules, previous = case.rules.public_employee, case.facts.previous_scheme
    return (
        rules.waived_by_previous_scheme
        and previous is not None
        and declared(previous)
        and rules.recognises(previous)
    )


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


def retirement_date(case: Case) -> Reason | None:
    """Retirees continue their active coverage: from the day after `retirement_date`."""
    continuity = case.rules.continuity
    if continuity is None or not continuity.retirees_from_day_after_retirement:
        return None
    ended = case.facts.retirement_date
    if ended is None:
        return case.say("retirement_date.missing")
    return case.say("retirement_date.recorded", start=ended + timedelta(days=1))


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


def guardian(case: Case) -> Reason | None:
    """An orphan too young for a CNIE is filed by a guardian; from that age, by the orphan."""
    below = case.rules.orphan.guardian_below_age
    if below is None:
        return None
    age = age_on(case.facts.birth_date, case.as_of)
    if age >= below:
        return None
    code = "guardian.present" if case.facts.guardian is not None else "guardian.missing"
    return case.say(code, age=below)


def deceased_member(case: Case) -> Reason | None:
    """Survivors name the deceased's membership (registration checks that it exists)."""
    continuity = case.rules.continuity
    if continuity is None or not continuity.survivors_name_deceased_member:
        return None
    if declared(case.facts.deceased_member_number):
        return case.say("deceased.linked")
    return case.say("deceased.missing")


def survivor_continuity(case: Case) -> Reason | None:
    """Survivors' coverage continues the deceased member's: from the day after the death."""
    continuity = case.rules.continuity
    if continuity is None or not continuity.survivors_from_day_after_death:
        return None
    death = case.facts.member_death_date
    if death is None:
        # A widow(er) without a pension is already refused for the missing date: said once.
        without_pension = case.facts.category is Category.WIDOW and not case.facts.survivor_pension
        return None if without_pension else case.say("continuity.death_date_missing")
    return case.say("continuity.after_death", start=death + timedelta(days=1))


def previous_coverage_end(case: Case) -> date | None:
    """The last day of the coverage this one continues, where the version says it continues:
    the member's death for survivors, `retirement_date` for retirees (None: none known)."""
    facts, continuity = case.facts, case.rules.continuity
    if continuity is None:
        return None
    if facts.category in (Category.WIDOW, Category.ORPHAN):
        return facts.member_death_date if continuity.survivors_from_day_after_death else None
    if facts.category is Category.RETIREE:
        return facts.retirement_date if continuity.retirees_from_day_after_retirement else None
    return None


def coverage_start(case: Case) -> date | None:
    """Where coverage starts: after the waiting period (public employees, never before the
    filing), where the previous coverage ended (survivors, retirees, in versions with
    `continuity`), else on the filing date."""
    if case.facts.category is Category.PUBLIC_EMPLOYEE:
        return public_employee_coverage_start(case)
    if ended := previous_coverage_end(case):
        return ended + timedelta(days=1)
    return case.submitted_on


Rule = Callable[[Case], Reason | None]

# What each category must prove beyond nationality; the parameters live in the rule file.
CATEGORY_RULES: dict[Category, tuple[Rule, ...]] = {
    Category.PUBLIC_EMPLOYEE: (waiting_period,),
    Category.INDEPENDENT_WORKER: (),
    Category.LIBERAL_PROFESSION: (),
    Category.RETIREE: (pension_fund, pension_number, retirement_date),
    Category.WIDOW: (survivor_rights, deceased_member, survivor_continuity),
    Category.ORPHAN: (orphan_pension, guardian, deceased_member, survivor_continuity),
}


def member_reasons(case: Case) -> list[Reason]:
    """Every member rule evaluated, in the order an operator reads them."""
    admitted = category(case)
    rules: tuple[Rule, ...] = CATEGORY_RULES[case.facts.category] if admitted.passed else ()
    evaluated = [nationality(case), admitted] + [rule(case) for rule in rules]
    return [reason for reason in evaluated if reason is not None]
