"""Pure reimbursement rules: claims, coverage, dated reference data, adjudication. No I/O here."""

from .adjudicate import adjudicate
from .adjudication import Adjudication, ClaimStatus, Finding, LineBenefit, LineStatus, Payee
from .ald import exemption_until
from .claim import Claim, ClaimLine, FiledBy, LineKey
from .coverage import (
    AldExemption,
    BeneficiaryCover,
    BeneficiaryStatus,
    Coverage,
    CoverageCheck,
    CoverageStatus,
    NotCovered,
)
from .money import Money
from .reasons import MESSAGES, Reason
from .reference import REGISTRIES, Reference
from .registries import (
    AldCondition,
    AldList,
    ClaimRules,
    Facility,
    FacilityList,
    Medicine,
    MedicineList,
)
from .tariffs import Act, CareKind, FacilityKind, NoTariffInForce, Scheme, TariffBook, Tariffs

__all__ = [
    "MESSAGES",
    "REGISTRIES",
    "Act",
    "Adjudication",
    "AldCondition",
    "AldExemption",
    "AldList",
    "BeneficiaryCover",
    "BeneficiaryStatus",
    "CareKind",
    "Claim",
    "ClaimLine",
    "ClaimRules",
    "ClaimStatus",
    "Coverage",
    "CoverageCheck",
    "CoverageStatus",
    "Facility",
    "FacilityKind",
    "FacilityList",
    "FiledBy",
    "Finding",
    "LineBenefit",
    "LineKey",
    "LineStatus",
    "Medicine",
    "MedicineList",
    "Money",
    "NoTariffInForce",
    "NotCovered",
    "Payee",
    "Reason",
    "Reference",
    "Scheme",
    "TariffBook",
    "Tariffs",
    "adjudicate",
    "exemption_until",
]
