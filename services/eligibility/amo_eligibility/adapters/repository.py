"""Eligibility decisions in Mongo: one record per submission (`_id` = `<application>:<n>`).

The record and its `eligibility.decided` event are written in one insert (AggregateStore), and
the `_id` makes a redelivered or replayed verdict find the decision already taken.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from amo_shared.aggregates import AggregateStore
from amo_shared.envelope import OutgoingEvent
from amo_shared.events import DecisionReason, DependantCoverage, EligibilityDecided, Revalidation

COLLECTION = "decisions"


class DecisionRecord(BaseModel):
    """A decision as operators see it: the outcome and every reason behind it."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    submission: int
    outcome: Literal["approved", "rejected"]
    decided_at: datetime
    # The day the rules were applied as of: the filing date, so a late decision is not harsher.
    as_of: date
    rules_version: str
    coverage_start: date | None = None
    coverage_until: date | None = None
    covered_dependants: list[int]
    reasons: list[DecisionReason]
    # Recorded from version 2026.2 on; older records read back with the defaults.
    payer: str | None = None
    dependant_coverage: list[DependantCoverage] = []
    revalidations: list[Revalidation] = []


def record_of(decided: EligibilityDecided, *, as_of: date) -> DecisionRecord:
    return DecisionRecord(
        application_id=decided.application_id,
        submission=decided.submission,
        outcome=decided.outcome,
        decided_at=decided.decided_at,
        as_of=as_of,
        rules_version=decided.rules_version,
        coverage_start=decided.coverage_start,
        coverage_until=decided.coverage_until,
        covered_dependants=decided.covered_dependants,
        reasons=decided.reasons,
        payer=decided.payer,
        dependant_coverage=decided.dependant_coverage,
        revalidations=decided.revalidations,
    )


def decision_id(application_id: str, submission: int) -> str:
    return f"{application_id}:{submission}"


class DecisionRepository:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def ensure_indexes(self) -> None:
        # `latest` looks an application's decisions up and takes the highest submission.
        await self.store.ensure_index([("application_id", 1), ("submission", -1)])

    async def exists(self, application_id: str, submission: int) -> bool:
        return await self.store.get(decision_id(application_id, submission)) is not None

    async def record(self, record: DecisionRecord, event: OutgoingEvent) -> bool:
        """Store the decision with its event; False when this submission was already decided."""
        doc = {
            "_id": decision_id(record.application_id, record.submission),
            **record.model_dump(mode="json"),
        }
        return await self.store.create(doc, events=[event])

    async def latest(self, application_id: str) -> DecisionRecord | None:
        docs = await self.store.find(
            {"application_id": application_id}, sort=[("submission", -1)], limit=1
        )
        return from_document(docs[0]) if docs else None


def from_document(doc: dict[str, Any]) -> DecisionRecord:
    return DecisionRecord.model_validate(
        {k: v for k, v in doc.items() if k in DecisionRecord.model_fields}
    )
