"""The review queue in Mongo (`review_items`), one aggregate per item, through AggregateStore.

Every step is a compare-and-set of the item: of two operators acting at once, the second one
decides again on what the first stored (and is refused if it no longer fits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amo_documents.domain.reviews import ReviewItem, Step
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.events import DocumentKind

REVIEWS = "review_items"


class ReviewRepository:
    def __init__(self, store: AggregateStore):
        self.store = store

    async def ensure_indexes(self) -> None:
        await self.store.ensure_index([("status", 1), ("created_at", 1)])
        await self.store.ensure_index([("settled", 1), ("status", 1)])

    async def open(self, item: ReviewItem) -> None:
        """Create the item unless it exists (a redelivered submission opens nothing twice)."""
        await self.store.create({"_id": item.id, **to_fields(item)})

    async def get(self, item_id: str) -> ReviewItem | None:
        doc = await self.store.get(item_id)
        return from_document(doc) if doc else None

    async def listing(self, status: str | None, limit: int = 200) -> list[ReviewItem]:
        where = {"status": status} if status else {}
        docs = await self.store.find(where, sort=[("created_at", 1)], limit=limit)
        return [from_document(d) for d in docs]

    async def unsettled(self) -> list[ReviewItem]:
        found: list[ReviewItem] = []
        for status in ("approved", "refused"):
            docs = await self.store.find({"settled": False, "status": status})
            found += [from_document(d) for d in docs]
        return found

    async def update(self, item_id: str, act: Callable[[ReviewItem], bool]) -> ReviewItem | None:
        """Run `act` on the stored item and store it if it changed; None if no such item."""
        last: list[ReviewItem] = []

        def decide(doc: dict[str, Any]) -> Change | None:
            item = from_document(doc)
            last[:] = [item]
            return Change(set=to_fields(item)) if act(item) else None

        if await self.store.mutate(item_id, decide) is None:
            return None
        return last[0]


def to_fields(item: ReviewItem) -> dict[str, Any]:
    return {
        "application_id": item.application_id,
        "submission": item.submission,
        "subject": item.subject,
        "kind": str(item.kind),
        "dependant": item.dependant,
        "code": item.code,
        "created_at": item.created_at,
        "sha256": item.sha256,
        "likely_duplicate_of": list(item.likely_duplicate_of),
        "cnie_masked": item.cnie_masked,
        "status": item.status,
        "claimed_by": item.claimed_by,
        "refused_by": item.refused_by,
        "refusal_reason": item.refusal_reason,
        "history": [
            {"action": s.action, "operator": s.operator, "at": s.at, "reason": s.reason}
            for s in item.history
        ],
        "settled": item.settled,
    }


def from_document(doc: dict[str, Any]) -> ReviewItem:
    return ReviewItem(
        id=str(doc["_id"]),
        application_id=doc["application_id"],
        submission=int(doc["submission"]),
        subject=doc["subject"],
        kind=DocumentKind(doc["kind"]),
        dependant=doc.get("dependant"),
        code=doc["code"],
        created_at=doc["created_at"],
        sha256=doc.get("sha256"),
        likely_duplicate_of=tuple(doc.get("likely_duplicate_of", ())),
        cnie_masked=doc.get("cnie_masked"),
        status=doc["status"],
        claimed_by=doc.get("claimed_by"),
        refused_by=doc.get("refused_by"),
        refusal_reason=doc.get("refusal_reason", ""),
        history=[
            Step(s["action"], s["operator"], s["at"], s.get("reason", ""))
            for s in doc.get("history", [])
        ],
        settled=bool(doc.get("settled")),
    )
