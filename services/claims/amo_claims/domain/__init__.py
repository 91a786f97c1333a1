"""Pure reimbursement rules: claims, tariffs, adjudication. No I/O in this package."""

from .adjudicate import TariffsFor, adjudicate
from .adjudication import Adjudication, ClaimStatus, Finding, LineBenefit, LineStatus, Payee
from .claim import AldExemption, Claim, ClaimLine, Coverage, CoverageStatus, LineKey
from .money import Money
from .reasons import MESSAGES, Reason
from .tariffs import Act, CareKind, FacilityKind, Medicine, NoTariffInForce, TariffBook, Tariffs

__all__ = [
    "MESSAGES",
    "Act",
    "Adjudication",
    "AldExemption",
    "CareKind",
    "Claim",
    "ClaimLine",
    "ClaimStatus",
    "Coverage",
    "CoverageStatus",
    "FacilityKind",
    "Finding",
    "LineBenefit",
    "LineKey",
    "LineStatus",
    "Medicine",
    "Money",
    "NoTariffInForce",
    "Payee",
    "Reason",
    "TariffBook",
    "Tariffs",
    "TariffsFor",
    "adjudicate",
]
