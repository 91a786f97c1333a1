"""An item of the operators' review queue and its four-eyes life.

    waiting --claim--> claimed --approve--> approved
       |  \\                \\--refuse--> refusal_pending --confirm (another operator)--> refused
       |   \\--approve / refuse (claims it on the way)      \\--overrule (another operator)--> waiting

A refusal needs a second, different operator; every step records who, when and why. Each step
is a compare-and-set of the item, so of two racing operators one wins and the other is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from amo_documents.domain.verification import Concern
from amo_shared.events import DocumentKind

ReviewStatus = Literal["waiting", "claimed", "refusal_pending", "approved", "refused"]
Action = Literal["claim", "approve", "refuse", "confirm", "overrule"]
STATUSES: tuple[ReviewStatus, ...] = (
    "waiting",
    "claimed",
    "refusal_pending",
    "approved",
    "refused",
)
FINAL: frozenset[ReviewStatus] = frozenset({"approved", "refused"})


class ReviewConflict(ValueError):
    """The step does not fit the item's state (another operator was first, or four-eyes)."""


@dataclass(frozen=True)
class Step:
    action: Action
    operator: str
    at: datetime
    reason: str = ""


@dataclass
class ReviewItem:
    id: str
    application_id: str
    submission: int
    subject: Literal["document", "identity"]
    kind: DocumentKind
    dependant: int | None
    code: str
    created_at: datetime
    sha256: str | None = None
    likely_duplicate_of: tuple[str, ...] = ()
    cnie_masked: str | None = None
    status: ReviewStatus = "waiting"
    claimed_by: str | None = None
    refused_by: str | None = None
    refusal_reason: str = ""
    history: list[Step] = field(default_factory=list)
    # True once the application's verdict has taken this item's final word.
    settled: bool = False

    @classmethod
    def opened(
        cls, application_id: str, submission: int, concern: Concern, cnie: str | None, at: datetime
    ) -> ReviewItem:
        return cls(
            id=concern.item_id,
            application_id=application_id,
            submission=submission,
            subject=concern.subject,
            kind=concern.slot.kind,
            dependant=concern.slot.dependant,
            code=concern.code,
            created_at=at,
            sha256=concern.sha256,
            likely_duplicate_of=concern.likely_duplicate_of,
            cnie_masked=mask_cnie(cnie),
        )

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def act(self, action: Action, operator: str, at: datetime, reason: str = "") -> bool:
        """Take one step; False when it changes nothing (the same operator claiming again)."""
        if not operator:
            raise ReviewConflict("an operator is required")
        step = getattr(self, f"_{action}")
        changed: bool = step(operator, reason)
        if changed:
            self.history.append(Step(action, operator, at, reason))
        return changed

    def _claim(self, operator: str, reason: str) -> bool:
        if self.status == "claimed" and self.claimed_by == operator:
            return False
        if self.status != "waiting":
            raise ReviewConflict(f"the item is {self.status}: it cannot be claimed")
        self.status, self.claimed_by = "claimed", operator
        return True

    def _take(self, operator: str, reason: str) -> None:
        if self.status == "claimed" and self.claimed_by != operator:
            raise ReviewConflict("another operator has claimed this item")
        if self.status not in ("waiting", "claimed"):
            raise ReviewConflict(f"the item is {self.status}: it cannot be decided")
        if not reason.strip():
            raise ReviewConflict("a decision needs a reason")
        self.claimed_by = operator

    def _approve(self, operator: str, reason: str) -> bool:
        self._take(operator, reason)
        self.status = "approved"
        return True

    def _refuse(self, operator: str, reason: str) -> bool:
        self._take(operator, reason)
        self.status, self.refused_by, self.refusal_reason = "refusal_pending", operator, reason
        return True

    def _second(self, operator: str) -> None:
        if self.status != "refusal_pending":
            raise ReviewConflict(f"the item is {self.status}: no refusal waits for a second look")
        if operator == self.refused_by:
            raise ReviewConflict("four-eyes: another operator must confirm or overrule a refusal")

    def _confirm(self, operator: str, reason: str) -> bool:
        self._second(operator)
        self.status = "refused"
        return True

    def _overrule(self, operator: str, reason: str) -> bool:
        self._second(operator)
        self.status, self.claimed_by, self.refused_by, self.refusal_reason = (
            "waiting",
            None,
            None,
            "",
        )
        return True

    def deciders(self) -> tuple[str, ...]:
        """Who took the final word: the approver, or the refuser and the confirmer."""
        if self.status == "approved":
            return (self.history[-1].operator,)
        if self.status == "refused":
            return (self.refused_by or "", self.history[-1].operator)
        return ()


def mask_cnie(cnie: str | None) -> str | None:
    """`AB****56`: enough for an operator to tell two files apart, not to read the number."""
    if not cnie:
        return None
    keep = 2 if len(cnie) > 5 else 1
    return cnie[:keep] + "*" * (len(cnie) - 2 * keep) + cnie[-keep:]
