"""`decide`: the eligibility decision on an application, as a value with every reason behind it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from amo_eligibility.domain.dependants import DependantVerdict, judge_dependants
from amo_eligibility.domain.member_rules import (
    Case,
    member_reasons,
    public_employee_coverage_start,
    survivor_rights_until,
)
from amo_eligibility.domain.reasons import Reason
from amo_eligibility.domain.rules import RuleSet
from amo_shared.events import ApplicantFacts, Category, DecisionReason


class EligibilityDecision(BaseModel):
    """The outcome, one reason per member rule evaluated, and each dependant's own verdict."""

    model_config = ConfigDict(frozen=True)
    outcome: Literal["approved", "rejected"]
    reasons: tuple[Reason, ...]
    dependants: tuple[DependantVerdict, ...]
    rules_version: str
    decided_on: date
    coverage_start: date | None = None
    # Set only when rights are limited in time (a widow(er) without a survivor's pension).
    coverage_until: date | None = None

    @property
    def approved(self) -> bool:
        return self.outcome == "approved"

    @property
    def failed_reasons(self) -> list[Reason]:
        return [reason for reason in self.reasons if not reason.passed]

    def contract_reasons(self) -> list[DecisionReason]:
        """The reasons as `eligibility.decided` carries them: the member's, then each dependant's."""
        every = list(self.reasons) + [verdict.reason for verdict in self.dependants]
        return [DecisionReason(**reason.model_dump()) for reason in every]


def decide(
    facts: ApplicantFacts, ruleset: RuleSet, as_of: date, submitted_on: date
) -> EligibilityDecision:
    """Decide on `as_of` under `ruleset` (the version in force that day) for an application filed
    on `submitted_on`; coverage never starts before the filing."""
    if ruleset.effective_from > as_of:
        raise ValueError(
            f"rules {ruleset.version} start {ruleset.effective_from}, after the decision date {as_of}"
        )
    if submitted_on > as_of:
        raise ValueError(f"a decision on {as_of} cannot precede the submission on {submitted_on}")
    case = Case(facts=facts, rules=ruleset, as_of=as_of, submitted_on=submitted_on)
    reasons = tuple(member_reasons(case))
    approved = all(reason.passed for reason in reasons)
    return EligibilityDecision(
        outcome="approved" if approved else "rejected",
        reasons=reasons,
        dependants=tuple(judge_dependants(facts.dependants, ruleset, as_of)),
        rules_version=ruleset.version,
        decided_on=as_of,
        coverage_start=_coverage_start(case) if approved else None,
        coverage_until=survivor_rights_until(case)
        if approved and facts.category is Category.WIDOW
        else None,
    )


def _coverage_start(case: Case) -> date | None:
    if case.facts.category is Category.PUBLIC_EMPLOYEE:
        return public_employee_coverage_start(case)
    return case.submitted_on
