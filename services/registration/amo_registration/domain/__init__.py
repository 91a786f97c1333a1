"""The registration domain, pure: the application's state machine and its checks."""

from amo_registration.domain.application import (
    Application,
    Card,
    Contact,
    Reasons,
    Status,
    TimelineEntry,
    create,
    submit,
)
from amo_registration.domain.steps import (
    StepOutOfPlace,
    record_card_issued,
    record_documents_verified,
    record_eligibility_decided,
)
from amo_registration.domain.validation import InvalidApplication, validate_facts

__all__ = [
    "Application",
    "Card",
    "Contact",
    "InvalidApplication",
    "Reasons",
    "Status",
    "StepOutOfPlace",
    "TimelineEntry",
    "create",
    "record_card_issued",
    "record_documents_verified",
    "record_eligibility_decided",
    "submit",
    "validate_facts",
]
