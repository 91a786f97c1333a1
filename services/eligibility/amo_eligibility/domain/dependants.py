"""The dependants' own verdicts: each one is included or excluded on its own.

An excluded dependant (a child past the age limit) never refuses the member's application.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from amo_eligibility.domain.calendar import age_on
from amo_eligibility.domain.reasons import Reason, word
from amo_eligibility.domain.rules import DependantRules, RuleSet
from amo_shared.events import Dependant, Relationship


class DependantVerdict(BaseModel):
    """Whether dependant number `index` (in the applicant's list) is covered, and why."""

    model_config = ConfigDict(frozen=True)
    index: int
    included: bool
    reason: Reason


def child_age_limit(child: Dependant, rules: DependantRules) -> int | None:
    """The highest age (in completed years) this child may reach and stay covered; None: no limit."""
    if child.disabled and rules.disabled_max_age is None:
        return None
    limits = [rules.child_max_age]
    if child.student:
        limits.append(rules.student_max_age)
    if child.disabled and rules.disabled_max_age is not None:
        limits.append(rules.disabled_max_age)
    return max(limits)


def judge_dependant(
    index: int, dependant: Dependant, ruleset: RuleSet, as_of: date
) -> DependantVerdict:
    name = f"{dependant.first_name} {dependant.last_name}"
    if dependant.relationship is Relationship.SPOUSE:
        reason = word(ruleset.messages, "dependant.spouse", name=name)
        return DependantVerdict(index=index, included=True, reason=reason)
    rules, age = ruleset.dependants, age_on(dependant.birth_date, as_of)
    limit = child_age_limit(dependant, rules)
    # The plainest ground is given: under the child limit, then studies, then disability.
    if age <= rules.child_max_age:
        code, values = "dependant.child", {"age": age, "limit": rules.child_max_age}
    elif dependant.student and age <= rules.student_max_age:
        code, values = "dependant.student", {"age": age, "limit": rules.student_max_age}
    elif limit is None or (dependant.disabled and age <= limit):
        code, values = "dependant.disabled", {"age": age}
    else:
        code, values = "dependant.over_age", {"age": age, "limit": limit}
    reason = word(ruleset.messages, code, name=name, **values)
    return DependantVerdict(index=index, included=reason.passed, reason=reason)


def judge_dependants(
    dependants: list[Dependant], ruleset: RuleSet, as_of: date
) -> list[DependantVerdict]:
    return [judge_dependant(i, d, ruleset, as_of) for i, d in enumerate(dependants)]
