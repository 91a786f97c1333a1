"""The events registration publishes, built from the application as it is being written."""

from __future__ import annotations

from collections.abc import Sequence

from amo_registration.domain import Application
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.events import ApplicationSubmitted, ContactDetails
from amo_shared.topics import APPLICATION_SUBMITTED

SOURCE = "registration"
# The contract's bound on `likely_duplicate_of`.
DUPLICATES_MAX = 20


def application_submitted(
    app: Application, traceparent: str | None = None, likely_duplicate_of: Sequence[str] = ()
) -> OutgoingEvent:
    """application.submitted, keyed by the application id so its events stay in order."""
    payload = ApplicationSubmitted(
        application_id=app.id,
        submission=app.submission,
        submitted_at=app.submitted_at,
        applicant=app.applicant,
        contact=ContactDetails(
            email=app.contact.email, phone=app.contact.phone, language=app.contact.language
        ),
        likely_duplicate_of=list(likely_duplicate_of)[:DUPLICATES_MAX],
    )
    return new_event(
        APPLICATION_SUBMITTED, payload, source=SOURCE, key=app.id, traceparent=traceparent
    )
