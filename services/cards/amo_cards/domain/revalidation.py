"""The daily revalidation job on one card, as of a day, and a renewal proof's effect.

As of a day: past the card's `valid_until` it is renewed (rights continue, nothing overdue) or
expires; past a beneficiary's `coverage_until` that beneficiary ends; 30 days before a proof is
due one reminder; from its due day, the person it concerns is suspended (the card, for the
member's own proof). Every step is recorded on the card (`reminded`, `acted`), so the same day
twice, or any earlier day after a later one, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from amo_cards.domain.calendar import add_months
from amo_cards.domain.card import Card, Due, anniversary, earliest
from amo_cards.domain.life import expire, reinstate, renew, suspend
from amo_cards.domain.reasons import ReasonCatalogue
from amo_cards.domain.terms import CardTerms
from amo_shared.events import CardChange, DocumentKind, RevalidationDue


@dataclass
class Outcome:
    card: Card
    changes: list[CardChange] = field(default_factory=list)
    reminders: list[RevalidationDue] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.reminders)


def revalidate(
    card: Card, as_of: date, terms: CardTerms, reasons: ReasonCatalogue, now: datetime
) -> Outcome:
    """What the job does to `card` as of `as_of` (terms and reasons: those in force that day)."""
    out = Outcome(card)
    if card.status in ("revoked", "expired"):
        return out
    while as_of > out.card.valid_until:
        if not _renewable(out.card):
            code = "coverage.rights_ended" if _rights_end(out.card) else "card.validity_ended"
            step = expire(
                out.card, None, reasons.reason(code), on=_next(out.card.valid_until), now=now
            )
            out.card = step[0]
            out.changes.append(step[1])
            return out
        start = _next(out.card.valid_until)
        period_end = anniversary(start, terms.validity_years) - timedelta(days=1)
        until = earliest(period_end, out.card.rights_until) or period_end
        out.card, change = renew(out.card, until, reasons.reason("card.renewed"), on=start, now=now)
        out.changes.append(change)
    for person in out.card.beneficiaries:
        last = person.coverage_until
        if person.rank and person.status != "ended" and last and as_of > last:
            reason = reasons.reason("coverage.age_limit")
            out.card, change = expire(out.card, person.rank, reason, on=_next(last), now=now)
            out.changes.append(change)
    for due in sorted(out.card.dues, key=lambda d: (d.due_on, d.id)):
        _judge(out, due, as_of, terms, reasons, now)
    return out


def _judge(
    out: Outcome, due: Due, as_of: date, terms: CardTerms, reasons: ReasonCatalogue, now: datetime
) -> None:
    card = out.card
    if due.acted:
        return
    # A proof due when rights end anyway (a survivor's 24 months) only reminds: the end is the
    # card's expiry, not a suspension on its last day.
    ends_anyway = card.rights_until is not None and due.due_on >= card.rights_until
    if as_of >= due.due_on and not ends_anyway:
        target = card if due.rank is None else card.beneficiary(due.rank)
        if target is not None and target.status == "active":
            reason = reasons.overdue(due.what)
            card, change = suspend(card, due.rank, reason, on=due.due_on, now=now, cause=due.id)
            out.changes.append(change)
        # Already suspended (an operator did): nothing to add, and nothing to do again.
        out.card = _replace(card, due, acted=True, reminded=True)
    elif (
        not due.reminded and due.due_on - timedelta(days=terms.reminder_days) <= as_of < due.due_on
    ):
        out.reminders.append(
            RevalidationDue(
                member_number=card.member_number,
                application_id=card.application_id,
                beneficiary_rank=due.rank,
                what=due.what,
                due_on=due.due_on,
                reminded_at=now,
            )
        )
        out.card = _replace(card, due, reminded=True)


def accept_proof(
    card: Card,
    kind: DocumentKind,
    dependant: int | None,
    sha256: str,
    accepted_on: date,
    terms: CardTerms,
    reasons: ReasonCatalogue,
    now: datetime,
) -> Outcome:
    """A renewal proof accepted: the due moves on and what it suspended is reinstated.

    A proof seen before (same SHA-256), or for nothing due, changes nothing else.
    """
    out = Outcome(card)
    if sha256 in card.proofs or card.status in ("revoked", "expired"):
        return out
    rank = card.rank_of(dependant)
    due = next((d for d in card.dues if d.what == kind and d.rank == rank), None)
    card = card.model_copy(update={"proofs": (*card.proofs, sha256)})
    if due is None:
        out.card = card
        return out
    months = terms.months_until_next(kind)
    next_due = add_months(due.due_on, months)
    if next_due <= accepted_on:  # a very late proof: a full period from its acceptance
        next_due = add_months(accepted_on, months)
    moved = Due(what=due.what, rank=due.rank, due_on=next_due)
    card = card.model_copy(
        update={"dues": tuple(moved if d.id == due.id else d for d in card.dues)}
    )
    if any(h.rank == rank and h.cause == due.id for h in card.holds):
        card, change = reinstate(
            card, rank, reasons.reason("proof.received"), on=accepted_on, now=now
        )
        out.changes.append(change)
    out.card = card
    return out


def _renewable(card: Card) -> bool:
    """Rights continue past this period, the card is in use and no member's proof is overdue."""
    if card.status != "active" or _rights_end(card):
        return False
    return not any(d.rank is None and d.acted for d in card.dues)


def _rights_end(card: Card) -> bool:
    return card.rights_until is not None and card.rights_until <= card.valid_until


def _replace(card: Card, due: Due, **flags: bool) -> Card:
    updated = due.model_copy(update=flags)
    return card.model_copy(
        update={"dues": tuple(updated if d.id == due.id else d for d in card.dues)}
    )


def _next(day: date) -> date:
    return day + timedelta(days=1)
