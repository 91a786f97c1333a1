"""A payment run's transfers: one per payee (a member, or a facility billing directly), the sum
of its claims, with a deterministic end-to-end id, so a run resumed after a crash files the
same transfers again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .money import Money
from .tariffs import Frozen


class PayableClaim(Frozen):
    claim_id: str
    payee: str  # "member" | "facility"
    payee_id: str  # member number or facility identifier
    amount: Money


class Transfer(Frozen):
    payee: str
    payee_id: str
    amount: Money
    claim_ids: tuple[str, ...]
    end_to_end_id: str


def transfers(run_id: str, claims: Iterable[PayableClaim]) -> tuple[Transfer, ...]:
    """One transfer per payee, in a stable order; claims of nothing (0 DH) are not sent."""
    by_payee: dict[tuple[str, str], list[PayableClaim]] = {}
    for claim in sorted(claims, key=lambda c: c.claim_id):
        by_payee.setdefault((claim.payee, claim.payee_id), []).append(claim)
    out = []
    for (payee, payee_id), group in sorted(by_payee.items()):
        amount = sum((c.amount for c in group), Money.zero())
        if amount == Money.zero():
            continue
        digest = hashlib.sha256(f"{run_id}|{payee}|{payee_id}".encode()).hexdigest()[:16]
        out.append(
            Transfer(
                payee=payee,
                payee_id=payee_id,
                amount=amount,
                claim_ids=tuple(c.claim_id for c in group),
                end_to_end_id=f"{run_id[-8:]}-{digest}"[:35],  # ISO 20022: at most 35
            )
        )
    return tuple(out)


def control_sum(items: Iterable[Transfer]) -> Money:
    return sum((t.amount for t in items), Money.zero())
