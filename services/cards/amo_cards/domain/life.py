"""The card's life as pure transitions: suspend, reinstate, revoke, expire, renew.

Each returns the card after the change and the `CardChange` that tells the world (the card's
state, `sequence` + 1); an impossible one raises `ImpossibleChange` and changes nothing.
A change concerns one beneficiary (`rank`) or the whole card (None).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from amo_cards.domain.card import Card, Hold, card_state, earliest
from amo_shared.events import (
    CardBeneficiary,
    CardChange,
    CardExpired,
    CardReinstated,
    CardRenewed,
    CardRevoked,
    CardSuspended,
    ChangeReason,
)

Change = Literal["suspended", "reinstated", "revoked", "renewed", "expired"]
PAYLOADS: dict[Change, type[CardChange]] = {
    "suspended": CardSuspended,
    "reinstated": CardReinstated,
    "revoked": CardRevoked,
    "renewed": CardRenewed,
    "expired": CardExpired,
}
OPERATOR = "operator"  # the hold an operator's suspension puts


class ImpossibleChange(ValueError):
    """The card's state does not allow this change (a 409 for an operator)."""


class UnknownBeneficiary(LookupError):
    """No beneficiary of that rank on the card."""


Step = tuple[Card, CardChange]


def suspend(
    card: Card,
    rank: int | None,
    reason: ChangeReason,
    *,
    on: date,
    now: datetime,
    operator: str | None = None,
    cause: str = OPERATOR,
) -> Step:
    _in_force(card)
    if rank is None:
        if card.status == "suspended":
            raise ImpossibleChange("the card is already suspended")
        updates: dict[str, Any] = {"status": "suspended"}
    else:
        person = _person(card, rank)
        if person.status != "active":
            raise ImpossibleChange(f"the beneficiary is {person.status}, not active")
        updates = {"beneficiaries": _with(card, rank, status="suspended")}
    updates["holds"] = (*card.holds, Hold(rank=rank, cause=cause))
    return _changed(card, updates, "suspended", rank, reason, on, now, operator)


def reinstate(
    card: Card,
    rank: int | None,
    reason: ChangeReason,
    *,
    on: date,
    now: datetime,
    operator: str | None = None,
) -> Step:
    _in_force(card)
    if rank is None:
        if card.status != "suspended":
            raise ImpossibleChange("the card is not suspended")
        updates: dict[str, Any] = {"status": "active"}
    else:
        if _person(card, rank).status != "suspended":
            raise ImpossibleChange("the beneficiary is not suspended")
        updates = {"beneficiaries": _with(card, rank, status="active")}
    updates["holds"] = tuple(h for h in card.holds if h.rank != rank)
    return _changed(card, updates, "reinstated", rank, reason, on, now, operator)


def revoke(
    card: Card,
    rank: int | None,
    reason: ChangeReason,
    *,
    on: date,
    now: datetime,
    operator: str | None = None,
) -> Step:
    """Rights end from `on` (coverage until the day before): the card, or one beneficiary."""
    return _end(card, rank, "revoked", reason, on=on, now=now, operator=operator)


def expire(card: Card, rank: int | None, reason: ChangeReason, *, on: date, now: datetime) -> Step:
    """The card's validity, or one beneficiary's coverage, ended the day before `on`."""
    return _end(card, rank, "expired", reason, on=on, now=now, operator=None)


def renew(card: Card, valid_until: date, reason: ChangeReason, *, on: date, now: datetime) -> Step:
    """A new period from `on` (the day after the old one) to `valid_until`."""
    _in_force(card)
    if card.status != "active":
        raise ImpossibleChange("only an active card is renewed")
    if on <= card.valid_until or valid_until < on:
        raise ImpossibleChange("a renewal starts after the current period and ends after it")
    updates = {"valid_from": on, "valid_until": valid_until}
    return _changed(card, updates, "renewed", None, reason, on, now, None)


def _end(
    card: Card,
    rank: int | None,
    change: Literal["revoked", "expired"],
    reason: ChangeReason,
    *,
    on: date,
    now: datetime,
    operator: str | None,
) -> Step:
    _in_force(card)
    last = on - timedelta(days=1)
    if rank is None:
        people = tuple(_ended(b, last) for b in card.beneficiaries)
        updates: dict[str, Any] = {"status": change, "beneficiaries": people, "holds": ()}
    else:
        if rank == 0:
            raise ImpossibleChange("the member's own rights end with the whole card")
        if _person(card, rank).status == "ended":
            raise ImpossibleChange("the beneficiary's coverage has already ended")
        people = tuple(_ended(b, last) if b.rank == rank else b for b in card.beneficiaries)
        updates = {
            "beneficiaries": people,
            "holds": tuple(h for h in card.holds if h.rank != rank),
            "dues": tuple(d for d in card.dues if d.rank != rank),
        }
    return _changed(card, updates, change, rank, reason, on, now, operator)


def _ended(person: CardBeneficiary, last: date) -> CardBeneficiary:
    if person.status == "ended":
        return person
    until = earliest(person.coverage_until, last)
    return person.model_copy(update={"status": "ended", "coverage_until": until})


def _in_force(card: Card) -> None:
    if card.status == "revoked":
        raise ImpossibleChange("the card is revoked: nothing changes it any more")
    if card.status == "expired":
        raise ImpossibleChange("the card has expired: a new application issues a new one")


def _person(card: Card, rank: int) -> CardBeneficiary:
    person = card.beneficiary(rank)
    if person is None:
        raise UnknownBeneficiary("no beneficiary of this rank on the card")
    return person


def _with(card: Card, rank: int, **fields: Any) -> tuple[CardBeneficiary, ...]:
    return tuple(b.model_copy(update=fields) if b.rank == rank else b for b in card.beneficiaries)


def _changed(
    card: Card,
    updates: dict[str, Any],
    change: Change,
    rank: int | None,
    reason: ChangeReason,
    on: date,
    now: datetime,
    operator: str | None,
) -> Step:
    after = card.model_copy(update={**updates, "sequence": card.sequence + 1})
    payload = PAYLOADS[change].model_validate(
        {
            **card_state(after),
            "change": change,
            "beneficiary_rank": rank,
            "reason": reason,
            "effective_on": on,
            "changed_at": now,
            "operator": operator,
        }
    )
    return after, payload
