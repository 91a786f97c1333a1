"""Prior approvals in the `prior_approvals` collection (AggregateStore: CAS + outbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amo_claims.domain.approvals import PriorApproval
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent

COLLECTION = "prior_approvals"

Step = Callable[[PriorApproval], tuple[PriorApproval, list[OutgoingEvent]] | None]


def _approval(doc: dict[str, Any]) -> PriorApproval:
    return PriorApproval.model_validate(doc["approval"])


def _fields(approval: PriorApproval) -> dict[str, Any]:
    return {
        "approval": approval.model_dump(mode="json"),
        "facility_id": approval.facility_id,
        "status": approval.status.value,
        "requested_at": approval.requested_at,
    }


class ApprovalBook:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def ensure_indexes(self) -> None:
        await self.store.ensure_index([("status", 1), ("requested_at", 1)])
        await self.store.ensure_index("facility_id")

    async def add(self, approval: PriorApproval) -> None:
        if not await self.store.create({"_id": approval.id, **_fields(approval)}):
            raise RuntimeError("approval id taken")

    async def get(self, approval_id: str) -> PriorApproval | None:
        doc = await self.store.get(approval_id)
        return None if doc is None else _approval(doc)

    async def with_status(self, status: str) -> list[PriorApproval]:
        docs = await self.store.find({"status": status}, sort=[("requested_at", 1)])
        return [_approval(d) for d in docs]

    async def apply(self, approval_id: str, step: Step) -> PriorApproval | None:
        after: PriorApproval | None = None

        def decide(doc: dict[str, Any]) -> Change | None:
            nonlocal after
            current = _approval(doc)
            result = step(current)
            if result is None:
                after = current
                return None
            after, events = result
            return Change(set=_fields(after), events=events)

        if await self.store.mutate(approval_id, decide) is None:
            return None
        return after
