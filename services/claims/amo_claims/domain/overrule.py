"""A decision changed after the calculation: a line found a duplicate when its key is taken
(another claim was paid the same act meanwhile), or lines refused by a medical review."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from .adjudication import Adjudication, LineBenefit, LineStatus, claim_status
from .money import Money
from .reasons import Reason, message


def overruled(
    decision: Adjudication, line_nos: Collection[int], reason: Reason, **facts: object
) -> Adjudication:
    """The decision with these lines rejected for `reason` after the calculation (a duplicate
    found when the line's key is taken, a medical review's refusal); other lines unchanged."""
    lines = tuple(
        _rejected_benefit(line, reason, facts) if line.line_no in line_nos else line
        for line in decision.lines
    )
    return decision.model_copy(update={"lines": lines, "status": claim_status(lines)})


def _rejected_benefit(line: LineBenefit, reason: Reason, facts: dict[str, object]) -> LineBenefit:
    return line.model_copy(
        update={
            "tariff": None,
            "base": Money.zero(),
            "rate": Decimal(0),
            "reimbursed": Money.zero(),
            "patient_share": line.billed,
            "status": LineStatus.REJECTED,
            "reason": reason,
            "message": message(reason, **facts),
            "notes": (),
        }
    )
