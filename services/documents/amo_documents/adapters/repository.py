"""The application documents aggregate in Mongo (`application_documents`), through AggregateStore.

Shape: `{_id: <application id>, documents: {<slot>: upload}, verifications: {"<submission>": record}}`
where a slot is `<kind>` or `<kind>:<dependant>`. This module only maps the aggregate to and from
that document; the decisions are the aggregate's, and every write is a compare-and-set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from amo_documents.domain import ApplicationDocuments, Slot, Upload, Verification
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent
from amo_shared.events import DocumentVerdict

COLLECTION = "application_documents"

# Changes the aggregate and returns the events it causes, or None when there is nothing to store.
Act = Callable[[ApplicationDocuments], list[OutgoingEvent] | None]


class DocumentsRepository:
    def __init__(self, store: AggregateStore):
        self.store = store

    async def get(self, application_id: str) -> ApplicationDocuments | None:
        doc = await self.store.get(application_id)
        return from_document(doc) if doc else None

    async def update(self, application_id: str, act: Act) -> ApplicationDocuments:
        """Run `act` on the application's documents (empty if none yet) and store the result with
        its events in one write; on a lost race `act` runs again on what the other writer stored.

        Returns the aggregate as `act` left it in the attempt that counted.
        """
        doc = await self.store.get(application_id)
        if doc is None:
            fresh = ApplicationDocuments(application_id)
            events = act(fresh)
            if events is None:
                return fresh
            if await self.store.create({"_id": application_id, **to_fields(fresh)}, events):
                return fresh
            # Lost the insert to a concurrent writer: decide again on what it wrote.
        last: list[ApplicationDocuments] = []

        def decide(stored: dict[str, Any]) -> Change | None:
            documents = from_document(stored)
            last[:] = [documents]
            events = act(documents)
            return None if events is None else Change(set=to_fields(documents), events=events)

        if await self.store.mutate(application_id, decide) is None:
            raise RuntimeError("application documents vanished: aggregates are never deleted")
        return last[0]

    async def file_upload(self, application_id: str, slot: Slot, upload: Upload) -> Upload | None:
        """File `upload` in `slot`; returns the upload it replaced, whose object may then go."""
        replaced: list[Upload | None] = [None]

        def act(documents: ApplicationDocuments) -> list[OutgoingEvent] | None:
            current = documents.documents.get(slot)
            if current is not None and current.key == upload.key:
                replaced[0] = None  # already filed: our own earlier write went through
                return None
            replaced[0] = documents.file(slot, upload)
            return []

        await self.update(application_id, act)
        return replaced[0]

    async def referenced_keys(self, application_ids: Iterable[str]) -> set[str]:
        """Every object key the records of these applications point to (one lookup by id each)."""
        keys: set[str] = set()
        for application_id in sorted(set(application_ids)):
            doc = await self.store.get(application_id)
            keys |= {
                str(u["key"]) for u in (doc or {}).get("documents", {}).values() if u.get("key")
            }
        return keys


def to_fields(documents: ApplicationDocuments) -> dict[str, Any]:
    return {
        "documents": {
            slot.name: _upload_fields(slot, u) for slot, u in documents.documents.items()
        },
        "verifications": {
            str(n): _verification_fields(v) for n, v in documents.verifications.items()
        },
    }


def from_document(doc: dict[str, Any]) -> ApplicationDocuments:
    return ApplicationDocuments(
        application_id=str(doc["_id"]),
        documents={Slot.named(name): _upload(r) for name, r in doc.get("documents", {}).items()},
        verifications={
            int(n): _verification(int(n), r) for n, r in doc.get("verifications", {}).items()
        },
    )


def _upload_fields(slot: Slot, upload: Upload) -> dict[str, Any]:
    # kind and dependant are repeated in the record so an operator reads it without parsing slots.
    return {
        "key": upload.key,
        "kind": str(slot.kind),
        "dependant": slot.dependant,
        "size": upload.size,
        "sha256": upload.sha256,
        "content_type": upload.content_type,
        "filename": upload.filename,
        "uploaded_at": upload.uploaded_at,
    }


def _upload(record: dict[str, Any]) -> Upload:
    return Upload(
        key=str(record["key"]),
        size=int(record.get("size", 0)),
        sha256=str(record.get("sha256", "")),
        content_type=str(record.get("content_type", "")),
        uploaded_at=record["uploaded_at"],
        filename=str(record.get("filename") or ""),
    )


def _verification_fields(v: Verification) -> dict[str, Any]:
    return {
        "outcome": v.outcome,
        "verified_at": v.verified_at,
        "verdicts": [verdict.model_dump(mode="json") for verdict in v.verdicts],
        "checklist_version": v.checklist_version,
        "event_id": v.event_id,
        "caused_by": v.caused_by,
    }


def _verification(submission: int, record: dict[str, Any]) -> Verification:
    return Verification(
        submission=submission,
        outcome=record["outcome"],
        verdicts=tuple(DocumentVerdict.model_validate(v) for v in record.get("verdicts", [])),
        verified_at=record["verified_at"],
        checklist_version=str(record.get("checklist_version", "")),
        event_id=str(record.get("event_id", "")),
        caused_by=str(record.get("caused_by", "")),
    )
