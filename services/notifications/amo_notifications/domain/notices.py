"""What each event tells the member: one `Notice` per change, in no language yet (pure).

A notice carries only what a message may say: first names, dates, the member number, the
documents to fix with each code's wording. Never a CNIE, a RIB or a bank hint: the builders
below read nothing else from the events, and the templates have nothing else to print.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from amo_shared.events import (
    ApplicationSubmitted,
    CardChange,
    CardIssued,
    Contract,
    DocumentsVerified,
    EligibilityDecided,
    RevalidationDue,
)


class NoticeKind(StrEnum):
    SUBMITTED = "submitted"
    INCOMPLETE = "incomplete"
    IN_REVIEW = "in_review"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    CARD_ISSUED = "card_issued"
    CARD_CHANGED = "card_changed"
    REVALIDATION_DUE = "revalidation_due"


class Item(BaseModel):
    """One thing to fix (a document) or one reason (a decision), worded in both languages."""

    model_config = ConfigDict(frozen=True)

    code: str | None = None
    kind: str | None = None  # a document kind, when the item is about a document
    dependant: int | None = None
    status: str | None = None
    wording_fr: str | None = None
    wording_ar: str | None = None


class Notice(BaseModel):
    """One change to tell one application's member; `event` is the event that told us."""

    model_config = ConfigDict(frozen=True)

    event: str  # "<ce_source>:<ce_id>"
    kind: NoticeKind
    application_id: str
    # The change itself, whatever event carried it: a copy under another id is the same change.
    change: str
    first_name: str | None = None
    submission: int | None = None
    items: tuple[Item, ...] = ()
    member_number: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    payer: str | None = None
    change_name: str | None = None  # suspended, reinstated, revoked, renewed, expired
    beneficiary_rank: int | None = None
    beneficiary_first_name: str | None = None
    effective_on: date | None = None
    due_on: date | None = None
    what: str | None = None  # the document kind a reminder asks for
    told_at: datetime | None = None


def _submitted(event: str, e: ApplicationSubmitted) -> Notice:
    return Notice(
        event=event,
        kind=NoticeKind.SUBMITTED,
        application_id=e.application_id,
        change=f"{e.application_id}:{e.submission}:submitted",
        first_name=e.applicant.first_name,
        submission=e.submission,
        told_at=e.submitted_at,
    )


# A complete verdict is followed within seconds by the decision, which is what the member
# wants to hear: only the verdicts that ask something of them (or make them wait) are told.
_VERDICT_NOTICE = {"incomplete": NoticeKind.INCOMPLETE, "in_review": NoticeKind.IN_REVIEW}


def _verified(event: str, e: DocumentsVerified) -> Notice | None:
    kind = _VERDICT_NOTICE.get(e.outcome)
    if kind is None:
        return None
    items = tuple(
        Item(
            code=v.code,
            kind=v.kind.value,
            dependant=v.dependant,
            status=v.status,
            wording_fr=v.reason,
            wording_ar=v.reason_ar,
        )
        for v in e.verdicts
        if v.status in ("missing", "refused")
    )
    return Notice(
        event=event,
        kind=kind,
        application_id=e.application_id,
        change=f"{e.application_id}:{e.submission}:{e.outcome}",
        first_name=e.applicant.first_name,
        submission=e.submission,
        items=items if kind is NoticeKind.INCOMPLETE else (),
        told_at=e.verified_at,
    )


def _decided(event: str, e: EligibilityDecided) -> Notice:
    approved = e.outcome == "approved"
    failed = tuple(
        Item(code=r.code, wording_fr=r.message_fr, wording_ar=r.message_ar)
        for r in e.reasons
        if not r.passed
    )
    return Notice(
        event=event,
        kind=NoticeKind.ELIGIBLE if approved else NoticeKind.INELIGIBLE,
        application_id=e.application_id,
        change=f"{e.application_id}:{e.submission}:decided",
        first_name=e.applicant.first_name,
        submission=e.submission,
        items=() if approved else failed,
        valid_from=e.coverage_start,
        payer=e.payer,
        told_at=e.decided_at,
    )


def _member_first_name(e: CardIssued | CardChange) -> str | None:
    return next((b.first_name for b in e.beneficiaries if b.rank == 0), None)


def _card_issued(event: str, e: CardIssued) -> Notice:
    return Notice(
        event=event,
        kind=NoticeKind.CARD_ISSUED,
        application_id=e.application_id,
        change=f"{e.application_id}:card",
        first_name=_member_first_name(e),
        member_number=e.member_number,
        valid_from=e.valid_from,
        valid_until=e.valid_until,
        payer=e.payer,
        told_at=e.issued_at,
    )


def _card_changed(event: str, e: CardChange) -> Notice:
    beneficiary = next((b for b in e.beneficiaries if b.rank == e.beneficiary_rank), None)
    return Notice(
        event=event,
        kind=NoticeKind.CARD_CHANGED,
        application_id=e.application_id,
        # `sequence` grows by one with every event about a card: one change, one number.
        change=f"{e.member_number}:{e.sequence}",
        first_name=_member_first_name(e),
        member_number=e.member_number,
        valid_from=e.valid_from,
        valid_until=e.valid_until,
        change_name=e.change,
        beneficiary_rank=e.beneficiary_rank,
        beneficiary_first_name=beneficiary.first_name if beneficiary else None,
        effective_on=e.effective_on,
        items=(
            Item(
                code=e.reason.code,
                wording_fr=e.reason.message_fr,
                wording_ar=e.reason.message_ar,
            ),
        ),
        told_at=e.changed_at,
    )


def _reminder(event: str, e: RevalidationDue) -> Notice:
    rank = "card" if e.beneficiary_rank is None else str(e.beneficiary_rank)
    return Notice(
        event=event,
        kind=NoticeKind.REVALIDATION_DUE,
        application_id=e.application_id,
        change=f"{e.member_number}:{rank}:{e.what.value}:{e.due_on.isoformat()}:due",
        member_number=e.member_number,
        beneficiary_rank=e.beneficiary_rank,
        what=e.what.value,
        due_on=e.due_on,
        told_at=e.reminded_at,
    )


_BUILDERS: dict[type[Contract], Callable[[str, Any], Notice | None]] = {
    ApplicationSubmitted: _submitted,
    DocumentsVerified: _verified,
    EligibilityDecided: _decided,
    CardIssued: _card_issued,
    RevalidationDue: _reminder,
}


def notice_for(event: str, payload: Contract) -> Notice | None:
    """The notice `payload` (carried by event `event`) calls for; None when it tells nothing."""
    if isinstance(payload, CardChange):
        return _card_changed(event, payload)
    build = _BUILDERS.get(type(payload))
    if build is None:
        raise ValueError(f"no notice is defined for {type(payload).__name__}")
    return build(event, payload)
