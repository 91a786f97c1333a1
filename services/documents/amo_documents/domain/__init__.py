"""Pure rules of the documents service: what an upload is and what its content may be, the
application's documents (filing, replacing, verifying a submission, settling reviews), the
review queue's items and the verdict on them."""

from amo_documents.domain.documents import ApplicationDocuments
from amo_documents.domain.filed import Decision, Upload
from amo_documents.domain.verdicts import (
    ALREADY_VERIFIED,
    AlreadyVerified,
    FilingConflict,
    FilingRefused,
    QuotaExceeded,
    ReviewDecision,
    Submission,
    Verdict,
    Verification,
)
from amo_documents.domain.verification import Concern, Slot

__all__ = [
    "ALREADY_VERIFIED",
    "AlreadyVerified",
    "ApplicationDocuments",
    "Concern",
    "Decision",
    "FilingConflict",
    "FilingRefused",
    "QuotaExceeded",
    "ReviewDecision",
    "Slot",
    "Submission",
    "Upload",
    "Verdict",
    "Verification",
]
