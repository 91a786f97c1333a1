"""Steps reported by downstream services, applied so that late, repeated or out-of-order
deliveries never break the application (events of different topics have no mutual order)."""

from __future__ import annotations

from datetime import datetime

from amo_registration.domain.application import (
    PROGRESS,
    REFUSALS,
    Application,
    CardEvent,
    DocumentIssue,
    EligibilityIssue,
    Reasons,
    Status,
    TimelineEntry,
)
from amo_shared.events import (
    CardChange,
    CardIssued,
    CardState,
    DocumentsVerified,
    DocumentVerdict,
    EligibilityDecided,
)

DOCUMENT_OUTCOMES: dict[str, Status] = {
    "complete": Status.DOCUMENTS_VERIFIED,
    "incomplete": Status.INCOMPLETE,
    "in_review": Status.IN_REVIEW,
}
# Wording for a verdict that carries none of its own (documents always sends it; an older
# producer may not).
FALLBACK: dict[str, tuple[str, str]] = {
    "missing": ("Document manquant : à téléverser.", "وثيقة ناقصة: يرجى تحميلها."),
    "refused": ("Document refusé : à remplacer.", "وثيقة مرفوضة: يرجى استبدالها."),
}


class StepOutOfPlace(ValueError):
    """A step refers to a submission this application never made: a broken invariant."""


def to_fix(verdict: DocumentVerdict) -> DocumentIssue | None:
    """A missing or refused document as one item of the notice; None for the others."""
    if verdict.status not in ("missing", "refused"):
        return None
    fallback_fr, fallback_ar = FALLBACK[verdict.status]
    return DocumentIssue(
        kind=verdict.kind,
        status=verdict.status,
        dependant=verdict.dependant,
        code=verdict.code or f"document.{verdict.status}",
        message_fr=verdict.reason or fallback_fr,
        message_ar=verdict.reason_ar or fallback_ar,
    )


def record_documents_verified(app: Application, event: DocumentsVerified, event_id: str) -> bool:
    """One notice: an `incomplete` verdict lists everything to fix at once."""
    status = DOCUMENT_OUTCOMES[event.outcome]
    issues = [issue for v in event.verdicts if (issue := to_fix(v)) is not None]
    reasons = Reasons(documents=issues) if issues and status == Status.INCOMPLETE else None
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
    _keep_latest(app, event)
    return _record(app, Status.CARD_ISSUED, event.issued_at, event_id, app.submission, None)


def record_card_change(app: Application, event: CardChange, event_id: str) -> bool:
    """A step of the card's life: the card as it stands after it, and one entry of its history.

    Changes and the issue travel on different topics and keys: whatever the order, the card kept
    is the one with the highest `sequence`, and each change is listed once, in sequence order.
    """
    if any(e.event_id == event_id or e.sequence == event.sequence for e in app.card_events):
        return False
    _keep_latest(app, event)
    app.card_events.append(
        CardEvent(
            change=event.change,
            beneficiary_rank=event.beneficiary_rank,
            reason=event.reason,
            effective_on=event.effective_on,
            at=event.changed_at,
            sequence=event.sequence,
            event_id=event_id,
        )
    )
    app.card_events.sort(key=lambda e: e.sequence)
    return True


def _keep_latest(app: Application, event: CardState) -> None:
    if app.card is None or event.sequence > app.card.sequence:
        # The card's own fields only: a change's `change`, `reason`... belong to its history.
        app.card = CardState.model_validate(event.model_dump(include=set(CardState.model_fields)))
        app.member_number = event.member_number


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
