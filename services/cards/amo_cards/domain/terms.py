"""The card terms in force from a date (validity, payer, revalidation periods) and their book.

They change by decree or by law (54-23 moves the management of the scheme from CNOPS to CNSS),
so they are dated data, checked strictly: an unknown field in a terms file fails at load.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from amo_shared.dated import DatedBook
from amo_shared.events import DocumentKind


class CardTerms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    effective_from: date
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    # The managing body that pays when the decision names none: data, because the law moves it.
    payer: str = Field(min_length=1)
    validity_years: int = Field(ge=1, le=20)
    # A reminder goes this many days before a proof is due.
    reminder_days: int = Field(30, ge=1, le=180)
    # A renewal proof accepted moves the next due this many months on (a kind not listed: 12).
    renewal_months: dict[DocumentKind, int] = Field(default_factory=dict)

    def months_until_next(self, kind: DocumentKind) -> int:
        return self.renewal_months.get(kind, 12)


# Every terms version, oldest first; `in_force(day)` is the one that applies on that day.
CardTermsBook = DatedBook[CardTerms]
