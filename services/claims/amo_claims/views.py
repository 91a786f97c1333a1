"""What callers see of a claim file and an approval: money in dirham strings, every line
explained (base, rate, amount, reason) once decided."""

from __future__ import annotations

from typing import Any

from amo_claims.domain.approvals import DECISION_REASONS, PriorApproval
from amo_claims.domain.filing import ClaimFile


def claim_view(file: ClaimFile, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    claim, decision = file.claim, file.adjudication
    if decision is not None:
        lines = [line.model_dump(mode="json") for line in decision.lines]
        totals = {
            "billed": decision.total_billed.in_dh(),
            "reimbursed": decision.total_reimbursed.in_dh(),
            "patient_share": decision.total_patient_share.in_dh(),
        }
    else:
        lines = [
            {"line_no": n, **line.model_dump(mode="json")}
            for n, line in enumerate(claim.lines, start=1)
        ]
        billed = sum(line.billed.centimes for line in claim.lines)
        totals = {"billed": f"{billed // 100}.{billed % 100:02d}"}
    paid_out = decision is not None and file.status.value in ("accepted", "paid")
    return {
        "id": file.id,
        "status": file.status.value,
        "filed_by": claim.filed_by.value,
        "member_number": claim.member_number,
        "beneficiary_rank": claim.beneficiary_rank,
        "facility_id": claim.facility_id,
        "facility_kind": claim.facility_kind.value,
        "prescriber_inpe": claim.provider_id,
        "created_at": file.created_at.isoformat(),
        "submitted_at": file.submitted_at.isoformat() if file.submitted_at else None,
        "decided_at": file.decided_at.isoformat() if file.decided_at else None,
        "missing": list(file.missing),
        "attachments": [
            {k: v for k, v in a.model_dump().items() if k != "object_key"} for a in file.attachments
        ],
        "lines": lines,
        "totals": totals,
        "payee": decision.payee.value if paid_out and decision else None,
        "scheme": decision.scheme.value if decision else None,
        "tariff_version": decision.tariff_version if decision else None,
        "review": {"why": list(file.review_why)} if file.review_why else None,
        "decision": {"operator": file.operator, "reason": file.decision_reason}
        if file.operator
        else None,
        "payment": (doc or {}).get("payment"),
    }


def approval_view(approval: PriorApproval) -> dict[str, Any]:
    view = approval.model_dump(mode="json")
    if approval.reason in DECISION_REASONS:
        _, fr, ar = DECISION_REASONS[approval.reason]
        view["reason_fr"], view["reason_ar"] = fr, ar
    return view
