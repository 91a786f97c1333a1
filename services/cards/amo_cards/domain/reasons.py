"""The dated catalogue of reasons a card changes, each worded in French and Arabic."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from amo_shared.dated import DatedBook
from amo_shared.events import ChangeReason, DocumentKind

OperatorAction = Literal["suspend", "reinstate", "revoke"]


class UnknownReason(LookupError):
    """A code the catalogue in force does not have (or not for this operator action)."""


class ReasonText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fr: str = Field(min_length=1)
    ar: str = Field(min_length=1)
    # The operator actions that may cite this reason; empty: the platform's own.
    operator: list[OperatorAction] = Field(default_factory=list)


class ReasonCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    effective_from: date
    sources: list[str] = Field(default_factory=list)
    reasons: dict[str, ReasonText]

    def reason(self, code: str) -> ChangeReason:
        text = self.reasons.get(code)
        if text is None:
            raise UnknownReason(f"no reason {code!r} in the catalogue {self.version}")
        return ChangeReason(code=code, message_fr=text.fr, message_ar=text.ar)

    def for_operator(self, code: str, action: OperatorAction) -> ChangeReason:
        text = self.reasons.get(code)
        if text is None or action not in text.operator:
            raise UnknownReason(f"not a reason an operator may give to {action} a card")
        return self.reason(code)

    def overdue(self, what: DocumentKind) -> ChangeReason:
        code = f"proof.{what.value}.overdue"
        return self.reason(code if code in self.reasons else "proof.overdue")


ReasonBook = DatedBook[ReasonCatalogue]
