"""The card's life as the service runs it: events of changes, operator actions, the daily job."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from amo_cards.adapters.repository import CardRepository, change, in_force
from amo_cards.domain import (
    Card,
    CardTermsBook,
    ReasonBook,
    reinstate,
    revalidate,
    revoke,
    suspend,
)
from amo_shared.envelope import IncomingEvent, OutgoingEvent, new_event
from amo_shared.events import CardChange, RevalidationDue
from amo_shared.topics import CARD_REVALIDATION_DUE

SOURCE = "cards"
TOPICS = {
    "suspended": "card.suspended",
    "reinstated": "card.reinstated",
    "revoked": "card.revoked",
    "renewed": "card.renewed",
    "expired": "card.expired",
}
ACTIONS = {"suspend": suspend, "reinstate": reinstate, "revoke": revoke}


def change_event(
    payload: CardChange, *, caused_by: IncomingEvent | None = None, traceparent: str | None = None
) -> OutgoingEvent:
    # Keyed by member number: every change of one card in order on one partition.
    return new_event(
        TOPICS[payload.change],
        payload,
        source=SOURCE,
        key=payload.member_number,
        caused_by=caused_by,
        traceparent=traceparent,
    )


def reminder_event(payload: RevalidationDue) -> OutgoingEvent:
    return new_event(CARD_REVALIDATION_DUE, payload, source=SOURCE, key=payload.member_number)


async def act(
    cards: CardRepository,
    card: Card,
    action: str,
    rank: int | None,
    reason_code: str,
    operator: str,
    reasons: ReasonBook,
    traceparent: str | None = None,
) -> Card:
    """An operator's action; ImpossibleChange, UnknownBeneficiary, UnknownReason as raised."""
    today = datetime.now(UTC).date()
    reason = reasons.in_force(today).for_operator(reason_code, action)  # type: ignore[arg-type]

    def decide(current: Card) -> tuple[Card, list[OutgoingEvent]]:
        after, payload = ACTIONS[action](
            current, rank, reason, on=today, now=datetime.now(UTC), operator=operator
        )
        return after, [change_event(payload, traceparent=traceparent)]

    result = await change(cards, card.application_id, decide)
    assert result is not None
    return result


@dataclass
class Summary:
    as_of: date
    cards: int = 0
    changed: int = 0
    reminders: int = 0
    changes: dict[str, int] = field(default_factory=dict)


async def run_job(
    cards: CardRepository, as_of: date, terms: CardTermsBook, reasons: ReasonBook
) -> Summary:
    """The revalidation job as of `as_of` over every card in force; the same day twice: nothing."""
    summary = Summary(as_of)
    term, why = terms.in_force(as_of), reasons.in_force(as_of)
    for card in await in_force(cards):
        summary.cards += 1
        tally: dict[str, list[str]] = {}

        def decide(
            current: Card, tally: dict[str, list[str]] = tally
        ) -> tuple[Card, list[OutgoingEvent]] | None:
            tally.clear()
            out = revalidate(current, as_of, term, why, datetime.now(UTC))
            if not out.changed and out.card == current:
                return None
            tally["changes"] = [c.change for c in out.changes]
            tally["reminders"] = ["due"] * len(out.reminders)
            events = [change_event(c) for c in out.changes]
            return out.card, events + [reminder_event(r) for r in out.reminders]

        await change(cards, card.application_id, decide)
        if tally.get("changes") or tally.get("reminders"):
            summary.changed += 1
        summary.reminders += len(tally.get("reminders", []))
        for name in tally.get("changes", []):
            summary.changes[name] = summary.changes.get(name, 0) + 1
    return summary
