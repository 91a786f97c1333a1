"""One aggregate per application in `application_documents`: its documents and its verifications.

Shape: `{_id: <application id>, documents: {<slot>: record}, verifications: {"<submission>": record}}`
where a slot is `<kind>` or `<kind>:<dependant>`. Every write goes through `AggregateStore`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amo_shared.aggregates import AggregateStore, Change

from amo_documents.domain.verification import StoredFile

COLLECTION = "application_documents"

Decide = Callable[[dict[str, Any]], Change | None]


class ApplicationDocuments:
    def __init__(self, store: AggregateStore):
        self.store = store

    async def get(self, application_id: str) -> dict[str, Any] | None:
        return await self.store.get(application_id)

    async def write(self, application_id: str, decide: Decide) -> dict[str, Any]:
        """Apply `decide` to the application's aggregate, creating it if absent.

        `decide` sets top-level fields only (a new aggregate is built from them). Returns the
        aggregate as it was before the change.
        """
        doc = await self.store.get(application_id)
        if doc is None:
            fresh: dict[str, Any] = {"_id": application_id, "documents": {}, "verifications": {}}
            change = decide(fresh)
            if change is None:
                return fresh
            if await self.store.create({**fresh, **change.set}, change.events):
                return fresh
            # Lost the insert race to a concurrent writer: decide again on what it wrote.
        before = await self.store.mutate(application_id, decide)
        if before is None:
            raise RuntimeError("application documents vanished: aggregates are never deleted")
        return before

    async def record_upload(self, application_id: str, slot: str, record: dict[str, Any]) -> str | None:
        """File `record` in `slot`; returns the S3 key of the document it replaced, if any."""

        def decide(doc: dict[str, Any]) -> Change:
            return Change(set={"documents": {**doc.get("documents", {}), slot: record}})

        before = await self.write(application_id, decide)
        replaced = before.get("documents", {}).get(slot)
        return replaced["key"] if replaced else None


def stored_files(doc: dict[str, Any]) -> dict[str, StoredFile]:
    """The aggregate's documents as the verdict sees them."""
    return {
        slot: StoredFile(size=int(record.get("size", 0)), content_type=str(record.get("content_type", "")))
        for slot, record in doc.get("documents", {}).items()
    }


def public_records(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Stored documents' metadata for the API: no S3 key, no client file name."""
    fields = ("kind", "dependant", "size", "sha256", "content_type", "uploaded_at")
    records = (doc or {}).get("documents", {})
    return [{f: records[slot].get(f) for f in fields} for slot in sorted(records)]
