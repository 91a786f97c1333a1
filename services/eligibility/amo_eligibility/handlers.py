"""The eligibility service's route: a complete file is decided under the rules in force."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from amo_eligibility.adapters.repository import DecisionRepository, record_of
from amo_eligibility.domain import EligibilityDecision, RuleBook, decide
from amo_shared.envelope import IncomingEvent, new_event
from amo_shared.events import (
    DependantCoverage,
    DocumentsVerified,
    EligibilityDecided,
    Revalidation,
)
from amo_shared.subscriptions import Route
from amo_shared.topics import DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED

log = structlog.get_logger(__name__)

SOURCE = "eligibility"


def to_decided(
    verified: DocumentsVerified, decision: EligibilityDecision, decided_at: datetime
) -> EligibilityDecided:
    """The contract event of a domain decision; only an approval covers dependants, names a
    payer, coverage periods and revalidations (the domain leaves them empty on a rejection)."""
    return EligibilityDecided(
        application_id=verified.application_id,
        submission=verified.submission,
        decided_at=decided_at,
        outcome=decision.outcome,
        reasons=decision.contract_reasons(),
        rules_version=decision.rules_version,
        coverage_start=decision.coverage_start,
        coverage_until=decision.coverage_until,
        covered_dependants=decision.covered_dependants,
        dependant_coverage=[
            DependantCoverage(
                dependant=p.dependant,
                coverage_from=p.coverage_from,
                coverage_until=p.coverage_until,
            )
            for p in decision.dependant_coverage
        ],
        payer=decision.payer,
        revalidations=[
            Revalidation(what=due.what, dependant=due.subject, due_on=due.due_date)
            for due in decision.revalidations
        ],
        applicant=verified.applicant,
    )


def routes(decisions: DecisionRepository, rules: RuleBook) -> list[Route]:
    """documents.verified -> a decision and its eligibility.decided, stored together."""

    async def decide_application(event: IncomingEvent) -> None:
        verified: DocumentsVerified = event.payload
        if verified.outcome != "complete":
            return  # registration tells the applicant every missing document at once
        if await decisions.exists(verified.application_id, verified.submission):
            return  # a redelivery: the decision and its event are already stored
        # Decided as of the filing date: the same file gives the same decision on any replay,
        # and the fund's own delay never makes the rules harsher for the applicant.
        filed_on = verified.submitted_at.date()
        decision = decide(
            verified.applicant, rules.in_force(filed_on), as_of=filed_on, submitted_on=filed_on
        )
        decided = to_decided(verified, decision, datetime.now(UTC))
        outgoing = new_event(
            ELIGIBILITY_DECIDED,
            decided,
            source=SOURCE,
            key=verified.application_id,
            caused_by=event,
        )
        record = record_of(decided, as_of=filed_on)
        if await decisions.record(record, outgoing):
            log.info(
                "application decided",
                application_id=verified.application_id,
                submission=verified.submission,
                outcome=decision.outcome,
                rules_version=decision.rules_version,
                payer=decision.payer,
            )

    return [Route(DOCUMENTS_VERIFIED, DocumentsVerified, decide_application)]
