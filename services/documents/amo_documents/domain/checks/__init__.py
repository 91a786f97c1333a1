"""Content checks: each upload's bytes parsed for what they really are (PDF structure, fully
decoded image, text layer, MRZ), refused with a stable reason code when they cannot be trusted."""

from amo_documents.domain.checks.examine import ContentRefused, Examined, examine
from amo_documents.domain.checks.mrz import Mrz, find_mrz, mrz_matches

__all__ = ["ContentRefused", "Examined", "Mrz", "examine", "find_mrz", "mrz_matches"]
