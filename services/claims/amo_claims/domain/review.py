"""Medical review: which adjudicated claims an operator sees before the fund pays (from the
dated rules' `medical_review`), and what the operator's refusal does to the decision."""

from __future__ import annotations

from .adjudication import Adjudication, LineStatus
from .overrule import overruled
from .reasons import Reason
from .registries import ClaimRules

ABOVE_THRESHOLD = "AMOUNT_ABOVE_REVIEW_THRESHOLD"

# The operator's answer after review, and the outcome each goes with (French: shown to the
# member on the refused lines).
REVIEW_DECISIONS: dict[str, tuple[str, str]] = {
    "medically_justified": ("accepted", "soins médicalement justifiés"),
    "not_related_to_condition": ("rejected", "soins sans rapport avec l'affection déclarée"),
    "not_medically_justified": ("rejected", "soins non justifiés au vu du dossier médical"),
    "documents_inconsistent": ("rejected", "pièces justificatives incohérentes"),
}


def review_reasons(adjudication: Adjudication, rules: ClaimRules) -> tuple[str, ...]:
    """Why an operator must look before the fund pays (empty: automation decides). Only
    paid lines matter: a claim the fund pays nothing on needs no medical eye."""
    why: list[str] = []
    for line in adjudication.lines:
        if line.status is LineStatus.ACCEPTED:
            wanted = rules.medical_review.notes
            why += [n.reason.value for n in line.notes if n.reason.value in wanted]
    above = rules.medical_review.above
    if above is not None and adjudication.total_reimbursed > above:
        why.append(ABOVE_THRESHOLD)
    return tuple(dict.fromkeys(why))


def goes_with(outcome: str, reason: str) -> bool:
    known = REVIEW_DECISIONS.get(reason)
    return known is not None and known[0] == outcome


def refused_on_review(adjudication: Adjudication, reason: str) -> Adjudication:
    """Every line the calculation paid, rejected with the operator's reason: the member sees
    why nothing is paid, and the totals say so."""
    paid = [line.line_no for line in adjudication.lines if line.status is LineStatus.ACCEPTED]
    why = REVIEW_DECISIONS[reason][1]
    return overruled(adjudication, paid, Reason.MEDICAL_REVIEW_REFUSED, why=why)
