"""From a received claim to the fund's decision: the claim.submitted consumer's work, and the
events of a claim's life. Keyed by member number, so one member's claims are decided one at a
time, in order: the duplicate check reads the member's accepted claims without a race."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import structlog

from amo_claims.adapters.approvals import ApprovalBook
from amo_claims.adapters.claim_files import ClaimFiles
from amo_claims.adapters.reference_store import ReferenceStore
from amo_claims.adapters.repository import MemberRegister
from amo_claims.domain import Adjudication, LineKey, Reference, adjudicate
from amo_claims.domain.approvals import PriorApproval
from amo_claims.domain.filing import (
    ClaimFile,
    FileStatus,
    decided_status,
    required_missing,
    review_reasons,
)
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.events import AdjudicatedLine, ClaimAdjudicated, ClaimSubmitted
from amo_shared.topics import CLAIM_ADJUDICATED, CLAIM_SUBMITTED

log = structlog.get_logger(__name__)
SOURCE = "claims"
PAID_STATUSES = (FileStatus.ACCEPTED.value, FileStatus.PAID.value)


def submitted_event(file: ClaimFile, traceparent: str | None = None) -> OutgoingEvent:
    claim = file.claim
    assert file.submitted_at is not None
    payload = ClaimSubmitted(
        claim_id=file.id,
        member_number=claim.member_number,
        beneficiary_rank=claim.beneficiary_rank,
        filed_by=claim.filed_by.value,
        facility_id=claim.facility_id,
        submission=file.submission,
        submitted_at=file.submitted_at,
        lines=len(claim.lines),
        billed_centimes=sum(line.billed.centimes for line in claim.lines),
    )
    return new_event(
        CLAIM_SUBMITTED,
        payload,
        source=SOURCE,
        key=claim.member_number,
        subject=file.id,
        traceparent=traceparent,
    )


def adjudicated_event(file: ClaimFile) -> OutgoingEvent:
    claim, decision = file.claim, file.adjudication
    assert decision is not None and file.decided_at is not None
    payload = ClaimAdjudicated(
        claim_id=file.id,
        member_number=claim.member_number,
        beneficiary_rank=claim.beneficiary_rank,
        filed_by=claim.filed_by.value,
        facility_id=claim.facility_id,
        outcome="accepted" if file.status is FileStatus.ACCEPTED else "rejected",
        payee=decision.payee.value,
        reimbursed_centimes=decision.total_reimbursed.centimes
        if file.status is FileStatus.ACCEPTED
        else 0,
        scheme=decision.scheme.value,
        tariff_version=decision.tariff_version,
        lines=[
            AdjudicatedLine(
                line_no=line.line_no,
                status=line.status.value,
                reason=line.reason.value,
                reimbursed_centimes=line.reimbursed.centimes,
            )
            for line in decision.lines
        ],
        decided_at=file.decided_at,
        operator=file.operator,
    )
    return new_event(
        CLAIM_ADJUDICATED, payload, source=SOURCE, key=claim.member_number, subject=file.id
    )


class Adjudicator:
    def __init__(
        self,
        claims: ClaimFiles,
        members: MemberRegister,
        references: ReferenceStore,
        approvals: ApprovalBook,
        fallback: Reference,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.claims = claims
        self.members = members
        self.references = references
        self.approvals = approvals
        self.fallback = fallback
        self.today = today

    async def decide(self, claim_id: str, submission: int) -> str:
        """Decide a received claim; 'unchanged' when it is decided already (a redelivery)."""
        file = await self.claims.get(claim_id)
        if file is None or file.status is not FileStatus.RECEIVED:
            return "unchanged"
        if file.submission != submission:
            return "unchanged"  # an older submission's event: the newer one decides
        reference = await self.references.current() or self.fallback
        rules = reference.rules(file.submitted_at.date() if file.submitted_at else self.today())
        member = await self.members.get(file.claim.member_number)
        approvals = await self._approvals(file)
        history = await self._history(file)
        now = datetime.now(UTC)
        missing = required_missing(file, rules, reference)
        decision: Adjudication | None = None
        if not missing and member is not None:
            decision = adjudicate(
                file.claim, reference, member.coverage(), history, self.today(), approvals
            )
        elif not missing:
            decision = None  # the member left the register: cannot happen before a card event
        outcome = "unchanged"

        def step(current: ClaimFile) -> tuple[ClaimFile, list[OutgoingEvent]] | None:
            nonlocal outcome
            if current.status is not FileStatus.RECEIVED or current.submission != submission:
                return None
            if missing:
                outcome = FileStatus.INCOMPLETE.value
                return current.model_copy(
                    update={"status": FileStatus.INCOMPLETE, "missing": missing}
                ), []
            assert decision is not None
            why = review_reasons(decision, rules)
            if why:
                outcome = FileStatus.IN_REVIEW.value
                return current.model_copy(
                    update={
                        "status": FileStatus.IN_REVIEW,
                        "adjudication": decision,
                        "review_why": why,
                        "missing": (),
                    }
                ), []
            after = current.model_copy(
                update={
                    "status": decided_status(decision),
                    "adjudication": decision,
                    "decided_at": now,
                    "missing": (),
                }
            )
            outcome = after.status.value
            return after, [adjudicated_event(after)]

        if decision is None and not missing:
            log.warning("claim for a member not in the register", claim_id=claim_id)
            return "unchanged"
        await self.claims.apply(claim_id, step)
        return outcome

    async def _approvals(self, file: ClaimFile) -> dict[str, PriorApproval]:
        found: dict[str, PriorApproval] = {}
        for ref in {
            line.prior_approval_ref for line in file.claim.lines if line.prior_approval_ref
        }:
            approval = await self.approvals.get(ref)
            if approval is not None:
                found[ref] = approval
        return found

    async def _history(self, file: ClaimFile) -> set[LineKey]:
        keys: set[LineKey] = set()
        for status in PAID_STATUSES:
            for other in await self.claims.of_member(file.claim.member_number, status):
                if other.id != file.id and other.adjudication is not None:
                    keys |= other.adjudication.paid_keys(other.claim)
        return keys


Decide = Callable[[str, int], Awaitable[str]]
