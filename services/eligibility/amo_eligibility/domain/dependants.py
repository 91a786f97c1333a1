"""The dependants' own verdicts: each one is included or excluded on its own, and for how long.

An excluded dependant (a child past the age limit) never refuses the member's application.
A child in kafala is a child (the kafala judgment stands for the birth link).
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from amo_eligibility.domain.calendar import age_on, birthday
from amo_eligibility.domain.reasons import Reason, word
from amo_eligibility.domain.rules import DependantRules, RuleSet
from amo_shared.events import Dependant, Relationship


class DependantVerdict(BaseModel):
    """Whether dependant number `index` (in the applicant's list) is covered, and why."""

    model_config = ConfigDict(frozen=True)
    index: int
    included: bool
    reason: Reason


def studies_count(child: Dependant, rules: DependantRules) -> bool:
    """Whether this child's studies can extend the coverage (married: not, where the version says)."""
    return child.student and not (child.married and rules.married_students_excluded)


def child_age_limit(child: Dependant, rules: DependantRules) -> int | None:
    """The highest age (in completed years) this child may reach and stay covered; None: no limit."""
    if child.disabled and rules.disabled_max_age is None:
        return None
    limits = [rules.child_max_age]
    if studies_count(child, rules):
        limits.append(rules.student_max_age)
    if child.disabled and rules.disabled_max_age is not None:
        limits.append(rules.disabled_max_age)
    return max(limits)


def last_covered_day(child: Dependant, rules: DependantRules) -> date | None:
    """The day before the birthday past the limit that covers the child (None: no limit)."""
    limit = child_age_limit(child, rules)
    return None if limit is None else birthday(child.birth_date, limit + 1) - timedelta(days=1)


def judge_dependant(
    index: int, dependant: Dependant, ruleset: RuleSet, as_of: date
) -> DependantVerdict:
    name = f"{dependant.first_name} {dependant.last_name}"
    rules = ruleset.dependants
    if dependant.relationship is Relationship.SPOUSE:
        # A spouse insured under another scheme is covered there (L65-00), not here.
        excluded = rules.spouse_insured_elsewhere_excluded and dependant.insured_elsewhere
        code = "dependant.spouse_insured_elsewhere" if excluded else "dependant.spouse"
        reason = word(ruleset.messages, code, name=name)
        return DependantVerdict(index=index, included=reason.passed, reason=reason)
    age = age_on(dependant.birth_date, as_of)
    limit = child_age_limit(dependant, rules)
    studies = studies_count(dependant, rules)
    # The plainest ground is given: under the child limit, then studies, then disability.
    values: dict[str, object]
    if age <= rules.child_max_age:
        code, values = "dependant.child", {"age": age, "limit": rules.child_max_age}
    elif studies and age <= rules.student_max_age:
        code, values = "dependant.student", {"age": age, "limit": rules.student_max_age}
    elif limit is None or (dependant.disabled and age <= limit):
        code, values = "dependant.disabled", {"age": age}
    elif dependant.student and not studies and age <= rules.student_max_age:
        # A student who would be covered but for the marriage: said as such.
        code, values = "dependant.married_over_age", {"age": age, "limit": rules.child_max_age}
    else:
        code, values = "dependant.over_age", {"age": age, "limit": limit}
    reason = word(ruleset.messages, code, name=name, **values)
    return DependantVerdict(index=index, included=reason.passed, reason=reason)


def judge_dependants(
    dependants: list[Dependant], ruleset: RuleSet, as_of: date
) -> list[DependantVerdict]:
    return [judge_dependant(i, d, ruleset, as_of) for i, d in enumerate(dependants)]
