"""The events registration publishes, built from the application as it is being written."""

from __future__ import annotations

from amo_registration.domain import Application
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.events import ApplicationSubmitted
from amo_shared.topics import APPLICATION_SUBMITTED

SOURCE = "registration"


def application_submitted(app: Application, traceparent: str | None = None) -> OutgoingEvent:
    """application.submitted, keyed by the application id so its events stay in order."""
    payload = ApplicationSubmitted(
        application_id=app.id,
        submission=app.submission,
        submitted_at=app.submitted_at,
        applicant=app.applicant,
    )
    return new_event(
        APPLICATION_SUBMITTED, payload, source=SOURCE, key=app.id, traceparent=traceparent
    )
