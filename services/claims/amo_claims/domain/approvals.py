"""Prior approvals (accords préalables): a facility asks before private hospital care or
surgery; an operator approves or refuses with a reason; a claim line quoting the approval is
paid only if the approval authorises exactly that care."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from .money import Money
from .tariffs import Frozen


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


# The answers an operator gives, in French and Arabic (shown to the facility).
DECISION_REASONS: dict[str, tuple[str, str, str]] = {
    # code: (outcome, French, Arabic)
    "medically_justified": ("approved", "Soins médicalement justifiés.", "علاج مبرر طبيا."),
    "not_medically_justified": (
        "refused",
        "Soins non justifiés au vu du dossier médical.",
        "علاج غير مبرر بالنظر إلى الملف الطبي.",
    ),
    "incomplete_request": (
        "refused",
        "Demande incomplète : pièces médicales manquantes.",
        "طلب ناقص: وثائق طبية ناقصة.",
    ),
    "not_covered": ("refused", "Soins non couverts par l'AMO.", "علاج غير مشمول بالتأمين."),
}


class ApprovalRefused(ValueError):
    """A decision that cannot be taken; `field` names what is wrong, `conflict` means 409."""

    def __init__(self, message: str, field: str = "outcome", *, conflict: bool = False):
        super().__init__(message)
        self.field = field
        self.conflict = conflict


class PriorApproval(Frozen):
    id: str
    facility_id: str
    member_number: str
    beneficiary_rank: int
    act_codes: tuple[str, ...]
    planned_on: dt.date
    estimated: Money | None = None
    status: ApprovalStatus = ApprovalStatus.PENDING
    reason: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    requested_at: dt.datetime
    decided_at: dt.datetime | None = None
    operator: str | None = None

    def authorises(
        self,
        *,
        member_number: str,
        beneficiary_rank: int,
        facility_id: str | None,
        act_code: str,
        on: dt.date,
    ) -> bool:
        """Approved, for this patient, at this facility, for this act, on a day it covers."""
        return (
            self.status is ApprovalStatus.APPROVED
            and self.member_number == member_number
            and self.beneficiary_rank == beneficiary_rank
            and self.facility_id == facility_id
            and act_code in self.act_codes
            and self.valid_from is not None
            and self.valid_until is not None
            and self.valid_from <= on <= self.valid_until
        )

    def decided(
        self,
        outcome: str,
        reason: str,
        operator: str,
        at: dt.datetime,
        default_days: int,
        valid_until: dt.date | None = None,
    ) -> PriorApproval | None:
        """The approval after the operator's decision; None when it is that decision already."""
        if self.status is not ApprovalStatus.PENDING:
            if self.status.value == outcome and self.reason == reason:
                return None
            raise ApprovalRefused(f"already {self.status.value}", conflict=True)
        known = DECISION_REASONS.get(reason)
        if known is None:
            raise ApprovalRefused(f"unknown reason code {reason!r}", "reason")
        if known[0] != outcome:
            raise ApprovalRefused(f"reason {reason!r} does not go with {outcome!r}", "reason")
        if outcome == ApprovalStatus.REFUSED:
            return self.model_copy(
                update={
                    "status": ApprovalStatus.REFUSED,
                    "reason": reason,
                    "decided_at": at,
                    "operator": operator,
                }
            )
        start = min(at.date(), self.planned_on)
        longest = start + dt.timedelta(days=default_days - 1)
        end = longest if valid_until is None else valid_until
        if end < start or end > longest:
            raise ApprovalRefused(
                f"valid_until must fall between {start} and {longest}", "valid_until"
            )
        return self.model_copy(
            update={
                "status": ApprovalStatus.APPROVED,
                "reason": reason,
                "valid_from": start,
                "valid_until": end,
                "decided_at": at,
                "operator": operator,
            }
        )
