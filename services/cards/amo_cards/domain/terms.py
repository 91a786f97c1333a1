"""The card terms in force from a date (validity, payer) and the book of every version.

Both change by decree or by law (54-23 moves the management of the scheme from CNOPS to CNSS),
so they are dated data, checked strictly: an unknown field in a terms file fails at load.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from amo_shared.dated import DatedBook


class CardTerms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    effective_from: date
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    # The managing body that pays: data, because the law moves it from one body to another.
    payer: str = Field(min_length=1)
    validity_years: int = Field(ge=1, le=20)


# Every terms version, oldest first; `in_force(day)` is the one that applies on that day.
CardTermsBook = DatedBook[CardTerms]
