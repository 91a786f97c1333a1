"""From a received claim to the fund's decision: the claim.submitted consumer's work, and the
events of a claim's life. Keyed by member number, so one member's claims are decided in order;
the paid-lines register (adapters/line_keys.py) makes the same act paid once even when two
decisions race (two consumers, or an operator's review beside the consumer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime

import structlog

from amo_claims.adapters.approvals import ApprovalBook
from amo_claims.adapters.claim_files import ClaimFiles
from amo_claims.adapters.line_keys import LineKeys
from amo_claims.adapters.reference_store import ReferenceStore
from amo_claims.adapters.repository import MemberRegister
from amo_claims.domain import Adjudication, LineKey, LineStatus, Reason, Reference, adjudicate
from amo_claims.domain.approvals import PriorApproval
from amo_claims.domain.filing import ClaimFile, FileStatus, decided_status, required_missing
from amo_claims.domain.overrule import overruled
from amo_claims.domain.review import review_reasons
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.events import AdjudicatedLine, ClaimAdjudicated, ClaimSubmitted
from amo_shared.topics import CLAIM_ADJUDICATED, CLAIM_SUBMITTED

log = structlog.get_logger(__name__)
SOURCE = "claims"


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
        line_keys: LineKeys,
        fallback: Reference,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.claims = claims
        self.members = members
        self.references = references
        self.approvals = approvals
        self.line_keys = line_keys
        self.fallback = fallback
        self.today = today

    async def decide(self, claim_id: str, submission: int) -> str:
        """Decide a received claim; 'unchanged' when it is decided already (a redelivery) or
        when this event is an older submission's (the newer one decides)."""
        file = await self.claims.get(claim_id)
        if file is None or file.status is not FileStatus.RECEIVED:
            return "unchanged"
        if file.submission != submission:
            return "unchanged"
        reference = await self.references.current() or self.fallback
        assert file.submitted_at is not None  # received: submitted
        rules = reference.rules(file.submitted_at.date())
        missing = required_missing(file, rules, reference)
        if missing:
            incomplete = {"status": FileStatus.INCOMPLETE, "missing": missing}
            return await self._write(file, submission, incomplete)
        member = await self.members.get(file.claim.member_number)
        if member is None:
            # The API files claims only for members in the register, which never forgets one.
            log.warning("claim for a member not in the register", claim_id=claim_id)
            return "unchanged"
        history = await self.line_keys.held_by_others(file.id, file.claim)
        approvals = await self._approvals(file)
        decision = adjudicate(
            file.claim, reference, member.coverage(), history, self.today(), approvals
        )
        why = review_reasons(decision, rules)
        if why:
            review = {"status": FileStatus.IN_REVIEW, "adjudication": decision, "review_why": why}
            return await self._write(file, submission, {**review, "missing": ()})
        decision = await take_paid_lines(self.line_keys, file, decision)
        decided = {
            "status": decided_status(decision),
            "adjudication": decision,
            "decided_at": datetime.now(UTC),
            "missing": (),
        }
        return await self._write(file, submission, decided, announce=True)

    async def _write(
        self, file: ClaimFile, submission: int, update: Mapping[str, object], announce: bool = False
    ) -> str:
        outcome = "unchanged"

        def step(current: ClaimFile) -> tuple[ClaimFile, list[OutgoingEvent]] | None:
            nonlocal outcome
            if current.status is not FileStatus.RECEIVED or current.submission != submission:
                return None  # decided meanwhile (a concurrent redelivery)
            after = current.model_copy(update=dict(update))
            outcome = after.status.value
            return after, [adjudicated_event(after)] if announce else []

        after = await self.claims.apply(file.id, step)
        if after is not None:
            await release_unpaid(self.line_keys, after)
        return outcome

    async def _approvals(self, file: ClaimFile) -> dict[str, PriorApproval]:
        found: dict[str, PriorApproval] = {}
        refs = {line.prior_approval_ref for line in file.claim.lines if line.prior_approval_ref}
        for ref in sorted(refs):
            approval = await self.approvals.get(ref)
            if approval is not None:
                found[ref] = approval
        return found


async def take_paid_lines(keys: LineKeys, file: ClaimFile, decision: Adjudication) -> Adjudication:
    """Take the keys of the lines the decision pays, before the claim is written accepted; a
    line whose key another claim took meanwhile is a duplicate after all."""
    claim = file.claim
    taken = await keys.take(file.id, sorted(decision.paid_keys(claim)))
    if not taken:
        return decision
    duplicates = [
        line.line_no
        for line in decision.lines
        if line.status is LineStatus.ACCEPTED
        and LineKey.of(claim, claim.lines[line.line_no - 1]) in taken
    ]
    return overruled(decision, duplicates, Reason.DUPLICATE)


async def release_unpaid(keys: LineKeys, file: ClaimFile) -> None:
    """Free the keys a claim holds for lines it does not pay, as the claim stands now."""
    if file.status in (FileStatus.RECEIVED, FileStatus.DRAFT):
        return  # not decided: a decision under way may hold keys it is about to write
    paid = file.status in (FileStatus.ACCEPTED, FileStatus.PAID) and file.adjudication
    keep = file.adjudication.paid_keys(file.claim) if paid and file.adjudication else frozenset()
    await keys.release_except(file.id, keep)


Decide = Callable[[str, int], Awaitable[str]]
