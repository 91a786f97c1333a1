"""What the applicant sees of an application: never its owner's account id, the contact details, the
lookup digests, the sealed bank details (only their hint) or the full CNIE."""

from __future__ import annotations

from typing import Any

from amo_registration.domain import Application, Status
from amo_registration.domain.access import mask_cnie


def application_view(app: Application) -> dict[str, Any]:
    timeline = []
    for entry in app.timeline:
        item = entry.model_dump(mode="json", include={"status", "at", "submission"})
        if entry.reasons is not None:
            item["reasons"] = entry.reasons.model_dump(mode="json")
        timeline.append(item)
    fields = app.model_dump(
        mode="json", include={"id", "status", "submission", "created_at", "submitted_at"}
    )
    bank = app.applicant.bank_account
    return {
        **fields,
        "category": app.applicant.category.value,
        "cnie": mask_cnie(app.applicant.cnie),
        "bank_account": bank.hint if bank else None,
        "language": app.contact.language,
        "timeline": timeline,
        "rounds": rounds(app),
        "reasons": app.refusal.model_dump(mode="json") if app.refusal else None,
        "card": card_view(app) if app.card else None,
    }


def application_summary(app: Application) -> dict[str, Any]:
    """One line of the citizen's list of applications: which file, for whom (masked), how far."""
    fields = app.model_dump(
        mode="json", include={"id", "status", "submission", "created_at", "submitted_at"}
    )
    return {
        **fields,
        "category": app.applicant.category.value,
        "cnie": mask_cnie(app.applicant.cnie),
        "member_number": app.member_number,
        "card_status": app.card.model_dump(mode="json")["status"] if app.card else None,
    }


def rounds(app: Application) -> list[dict[str, Any]]:
    """Each filing and what came of it: the statuses reached and, for an incomplete one, the
    list of everything that was to fix."""
    out: dict[int, dict[str, Any]] = {}
    for entry in app.timeline:
        if entry.submission < 1:
            continue
        item = out.setdefault(
            entry.submission,
            {"submission": entry.submission, "submitted_at": None, "steps": [], "to_fix": []},
        )
        if entry.status == Status.SUBMITTED:
            item["submitted_at"] = entry.at.isoformat()
        item["steps"].append(entry.status.value)
        if entry.status == Status.INCOMPLETE and entry.reasons is not None:
            item["to_fix"] = [d.model_dump(mode="json") for d in entry.reasons.documents]
    return [out[n] for n in sorted(out)]


def card_view(app: Application) -> dict[str, Any]:
    """The card as it stands (beneficiaries, periods, payer, status) and its history."""
    assert app.card is not None
    return {
        **app.card.model_dump(mode="json"),
        "history": [e.model_dump(mode="json", exclude={"event_id"}) for e in app.card_events],
    }
