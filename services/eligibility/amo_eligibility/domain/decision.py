"""`decide`: the eligibility decision on an application, as a value with every reason behind it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from amo_eligibility.domain.coverage import BeneficiaryPeriod, dependant_periods
from amo_eligibility.domain.dependants import DependantVerdict, judge_dependants
from amo_eligibility.domain.member_rules import (
    Case,
    coverage_start,
    member_reasons,
    survivor_rights_until,
)
from amo_eligibility.domain.reasons import Reason
from amo_eligibility.domain.revalidation import RenewalDue, revalidation_schedule
from amo_eligibility.domain.rules import RuleSet
from amo_shared.events import ApplicantFacts, Category, DecisionReason


class EligibilityDecision(BaseModel):
    """The outcome, one reason per member rule evaluated, and each dependant's own verdict.

    An approval also says who pays, for how long each beneficiary is covered and what must be
    proven again by when; a rejection carries none of these.
    """

    model_config = ConfigDict(frozen=True)
    outcome: Literal["approved", "rejected"]
    reasons: tuple[Reason, ...]
    dependants: tuple[DependantVerdict, ...]
    rules_version: str
    decided_on: date
    coverage_start: date | None = None
    # Set only when rights are limited in time (a widow(er) without a survivor's pension).
    coverage_until: date | None = None
    # The scheme's managing body (versions with a `payer` section; else the card terms say).
    payer: str | None = None
    dependant_coverage: tuple[BeneficiaryPeriod, ...] = ()
    revalidations: tuple[RenewalDue, ...] = ()

    @property
    def approved(self) -> bool:
        return self.outcome == "approved"

    @property
    def failed_reasons(self) -> list[Reason]:
        return [reason for reason in self.reasons if not reason.passed]

    @property
    def covered_dependants(self) -> list[int]:
        return [period.dependant for period in self.dependant_coverage]

    def contract_reasons(self) -> list[DecisionReason]:
        """The reasons as `eligibility.decided` carries them: the member's, then each dependant's."""
        every = list(self.reasons) + [verdict.reason for verdict in self.dependants]
        return [DecisionReason(**reason.model_dump()) for reason in every]


def decide(
    facts: ApplicantFacts, ruleset: RuleSet, as_of: date, submitted_on: date
) -> EligibilityDecision:
    """Decide on `as_of` under `ruleset` (the version in force that day) for an application filed
    on `submitted_on`. Coverage never starts before the filing, except where it continues one
    that existed (survivors, retirees: versions with `continuity`)."""
    if ruleset.effective_from > as_of:
        raise ValueError(
            f"rules {ruleset.version} start {ruleset.effective_from}, after the decision date {as_of}"
        )
    if submitted_on > as_of:
        raise ValueError(f"a decision on {as_of} cannot precede the submission on {submitted_on}")
    case = Case(facts=facts, rules=ruleset, as_of=as_of, submitted_on=submitted_on)
    reasons = tuple(member_reasons(case))
    verdicts = tuple(judge_dependants(facts.dependants, ruleset, as_of))
    rejected = EligibilityDecision(
        outcome="rejected",
        reasons=reasons,
        dependants=verdicts,
        rules_version=ruleset.version,
        decided_on=as_of,
    )
    start = coverage_start(case)
    if not all(reason.passed for reason in reasons) or start is None:
        return rejected
    until = survivor_rights_until(case) if facts.category is Category.WIDOW else None
    return rejected.model_copy(
        update={
            "outcome": "approved",
            "coverage_start": start,
            "coverage_until": until,
            "payer": ruleset.payer.of(facts.category) if ruleset.payer else None,
            "dependant_coverage": dependant_periods(
                facts.dependants, verdicts, ruleset.dependants, start, until
            ),
            "revalidations": tuple(revalidation_schedule(facts, ruleset, as_of)),
        }
    )
