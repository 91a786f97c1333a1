"""Steps reported by downstream services, applied so that late, repeated or out-of-order
deliveries never break the application (events of different topics have no mutual order)."""

from __future__ import annotations

from datetime import datetime

from amo_registration.domain.application import (
    PROGRESS,
    REFUSALS,
    Application,
    Card,
    DocumentIssue,
    EligibilityIssue,
    Reasons,
    Status,
    TimelineEntry,
)
from amo_shared.events import CardIssued, DocumentsVerified, EligibilityDecided


class StepOutOfPlace(ValueError):
    """A step refers to a submission this application never made: a broken invariant."""


def record_documents_verified(app: Application, event: DocumentsVerified, event_id: str) -> bool:
    complete = event.outcome == "complete"
    issues = [
        DocumentIssue(kind=v.kind, status=v.status, dependant=v.dependant, reason=v.reason)
        for v in event.verdicts
        if v.status != "accepted"
    ]
    status = Status.DOCUMENTS_VERIFIED if complete else Status.DOCUMENTS_INCOMPLETE
    reasons = Reasons(documents=issues) if issues else None
    return _record(app, status, event.verified_at, event_id, event.submission, reasons)


def record_eligibility_decided(app: Application, event: EligibilityDecided, event_id: str) -> bool:
    approved = event.outcome == "approved"
    issues = [
        EligibilityIssue(code=r.code, message_fr=r.message_fr, message_ar=r.message_ar)
        for r in event.reasons
        if not r.passed
    ]
    status = Status.ELIGIBLE if approved else Status.INELIGIBLE
    reasons = Reasons(eligibility=issues) if issues else None
    return _record(app, status, event.decided_at, event_id, event.submission, reasons)


def record_card_issued(app: Application, event: CardIssued, event_id: str) -> bool:
    if _seen(app, event_id):
        return False
    # card.issued carries no submission: a card is issued for the application as it stands.
    app.card = Card(
        member_number=event.member_number,
        valid_from=event.valid_from,
        valid_until=event.valid_until,
        status=event.status,
    )
    return _record(app, Status.CARD_ISSUED, event.issued_at, event_id, app.submission, None)


def _seen(app: Application, event_id: str) -> bool:
    return any(entry.event_id == event_id for entry in app.timeline)


def _record(
    app: Application,
    status: Status,
    at: datetime,
    event_id: str,
    submission: int,
    reasons: Reasons | None,
) -> bool:
    """Add the step to the timeline; move the status only forward, within the current submission."""
    if _seen(app, event_id):
        return False
    if submission > app.submission or submission < 1:
        raise StepOutOfPlace(
            f"step {status.value} for submission {submission}, "
            f"the application is at submission {app.submission}"
        )
    app.timeline.append(
        TimelineEntry(
            status=status, at=at, event_id=event_id, submission=submission, reasons=reasons
        )
    )
    if submission == app.submission and PROGRESS[status] > PROGRESS[app.status]:
        app.status = status
        app.refusal = (reasons or Reasons()) if status in REFUSALS else None
    return True
