"""Pure rules of the documents service: what an upload is, the application's documents (filing,
replacing, verifying a submission) and the verdict on them."""

from amo_documents.domain.documents import (
    ALREADY_VERIFIED,
    AlreadyVerified,
    ApplicationDocuments,
    FilingRefused,
    Submission,
    Upload,
    Verdict,
    Verification,
)
from amo_documents.domain.verification import Slot

__all__ = [
    "ALREADY_VERIFIED",
    "AlreadyVerified",
    "ApplicationDocuments",
    "FilingRefused",
    "Slot",
    "Submission",
    "Upload",
    "Verdict",
    "Verification",
]
