"""A claim file's life: drafted by a member (or handed in by a facility), its attachments, then
received, and decided: incomplete (every missing paper at once), in review (an operator looks
first), accepted or rejected; paid by a payment run. Pure: the repository stores what this
decides."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from .adjudication import Adjudication, LineStatus
from .claim import Claim, FiledBy
from .money import Money
from .reference import Reference
from .registries import ClaimRules
from .tariffs import Act, CareKind, Frozen, NoTariffInForce, Scheme


class FileStatus(StrEnum):
    DRAFT = "draft"
    RECEIVED = "received"
    INCOMPLETE = "incomplete"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"


OPEN_FOR_PAPERS = frozenset({FileStatus.DRAFT, FileStatus.INCOMPLETE})


class FilingRefused(ValueError):
    """A step this claim cannot take now (409)."""


class Attachment(Frozen):
    kind: str
    sha256: str
    size: int
    content_type: str
    object_key: str


class ClaimFile(Frozen):
    id: str
    claim: Claim
    status: FileStatus
    created_at: dt.datetime
    submission: int = 0
    submitted_at: dt.datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    missing: tuple[str, ...] = ()
    adjudication: Adjudication | None = None
    review_why: tuple[str, ...] = ()
    decided_at: dt.datetime | None = None
    operator: str | None = None
    decision_reason: str | None = None

    @property
    def uploads_open(self) -> bool:
        return self.claim.filed_by is FiledBy.MEMBER and self.status in OPEN_FOR_PAPERS

    def attached(
        self, attachment: Attachment, rules: ClaimRules, reference: Reference
    ) -> ClaimFile:
        if not self.uploads_open:
            raise FilingRefused(f"attachments are closed while the claim is {self.status.value}")
        kept = tuple(a for a in self.attachments if a.kind != attachment.kind)
        after = self.model_copy(update={"attachments": (*kept, attachment)})
        return after.model_copy(update={"missing": required_missing(after, rules, reference)})

    def submitted(self, at: dt.datetime) -> ClaimFile | None:
        """Handed in (again); None when it is already in (a repeated submit)."""
        if self.status not in OPEN_FOR_PAPERS:
            if self.submission > 0:
                return None
            raise FilingRefused(f"the claim is {self.status.value}")
        return self.model_copy(
            update={
                "status": FileStatus.RECEIVED,
                "submission": self.submission + 1,
                "submitted_at": at,
            }
        )


def required_missing(file: ClaimFile, rules: ClaimRules, reference: Reference) -> tuple[str, ...]:
    """Every paper a member's claim still needs, at once (none for direct billing)."""
    if file.claim.filed_by is FiledBy.FACILITY:
        return ()
    wanted = list(rules.attachments.always)
    for line in file.claim.lines:
        if line.medicine_code is not None:
            wanted += rules.attachments.medicine
            continue
        act = _act(reference, file, line.item_code, line.date)
        if act is not None and act.kind is CareKind.HOSPITAL:
            wanted += rules.attachments.hospital
        elif act is not None and act.letter in rules.attachments.prescribed_letters:
            wanted += rules.attachments.prescribed_act
    held = {a.kind for a in file.attachments}
    return tuple(dict.fromkeys(k for k in wanted if k not in held))


def _act(reference: Reference, file: ClaimFile, code: str, on: dt.date) -> Act | None:
    # Which papers an act calls for does not depend on the scheme: the first table naming it.
    for scheme in Scheme:
        try:
            act = reference.tariffs(scheme, on).acts.get(code)
        except NoTariffInForce:
            continue
        if act is not None:
            return act
    return None


def decided_status(adjudication: Adjudication) -> FileStatus:
    paid = any(line.status is LineStatus.ACCEPTED for line in adjudication.lines)
    return FileStatus.ACCEPTED if paid else FileStatus.REJECTED


def reimbursed(file: ClaimFile) -> Money:
    return file.adjudication.total_reimbursed if file.adjudication else Money.zero()
