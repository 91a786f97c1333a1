"""A filed upload and the decision taken on it (by a verdict, or by operators in review)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from amo_documents.domain.checks import Mrz


@dataclass(frozen=True)
class Decision:
    """Accepted by a verdict or an operator, or refused by operators (four-eyes)."""

    status: Literal["accepted", "refused"]
    at: datetime
    code: str | None = None
    reason: str | None = None  # the operator's words, for a refusal
    by: tuple[str, ...] = ()  # operator ids; empty when automation decided


@dataclass(frozen=True)
class Upload:
    """One received upload. `key` names its object and is unique per upload; `filename` is the
    client's, kept as metadata only. `sha256` is of the stored bytes (a re-encoded image's)."""

    key: str
    size: int
    sha256: str
    content_type: str
    uploaded_at: datetime
    filename: str = ""
    # What an operator must decide about it (e.g. `document.no_text_layer`), None if nothing.
    review: str | None = None
    mrz: Mrz | None = None
    decision: Decision | None = None

    def decided(self, decision: Decision) -> Upload:
        return replace(self, decision=decision)

    @property
    def verified(self) -> bool:
        return self.decision is not None and self.decision.status == "accepted"
