"""The pure eligibility domain: rules in force, the decision and the revalidation schedule (no I/O)."""

from amo_eligibility.domain.coverage import BeneficiaryPeriod
from amo_eligibility.domain.decision import EligibilityDecision, decide
from amo_eligibility.domain.dependants import DependantVerdict
from amo_eligibility.domain.reasons import CATALOGUE, Reason
from amo_eligibility.domain.revalidation import RenewalDue, revalidation_schedule
from amo_eligibility.domain.rules import RuleBook, RuleSet

__all__ = [
    "CATALOGUE",
    "BeneficiaryPeriod",
    "DependantVerdict",
    "EligibilityDecision",
    "Reason",
    "RenewalDue",
    "RuleBook",
    "RuleSet",
    "decide",
    "revalidation_schedule",
]
