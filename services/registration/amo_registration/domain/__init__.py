"""The registration domain, pure: the application's state machine and its checks."""

from amo_registration.domain.application import (
    Application,
    CardEvent,
    Contact,
    Reasons,
    Status,
    TimelineEntry,
    create,
    submit,
)
from amo_registration.domain.identity import fold, lookalike_key, person_key
from amo_registration.domain.steps import (
    StepOutOfPlace,
    record_card_change,
    record_card_issued,
    record_documents_verified,
    record_eligibility_decided,
)
from amo_registration.domain.validation import (
    ORPHAN_SELF_FILING_AGE,
    InvalidApplication,
    validate_facts,
)

__all__ = [
    "ORPHAN_SELF_FILING_AGE",
    "Application",
    "CardEvent",
    "Contact",
    "InvalidApplication",
    "Reasons",
    "Status",
    "StepOutOfPlace",
    "TimelineEntry",
    "create",
    "fold",
    "lookalike_key",
    "person_key",
    "record_card_change",
    "record_card_issued",
    "record_documents_verified",
    "record_eligibility_decided",
    "submit",
    "validate_facts",
]
