"""The application documents aggregate in Mongo (`application_documents`), through AggregateStore.

Shape: `{_id: <application id>, documents: {<slot>: upload}, verifications: {"<submission>": record},
identity_cleared, identity_duplicate, renewals: {<slot>: [upload]}, awaiting_review}` where a slot
is `<kind>` or `<kind>:<dependant>`. This module only maps the aggregate to and from
that document; the decisions are the aggregate's, and every write is a compare-and-set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date
from typing import Any

from amo_documents.domain import (
    ApplicationDocuments,
    Concern,
    Decision,
    ReviewDecision,
    Slot,
    Submission,
    Upload,
    Verification,
)
from amo_documents.domain.checks import Mrz
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent
from amo_shared.events import ApplicantFacts, Category, DocumentVerdict

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

    async def file_upload(
        self, application_id: str, slot: Slot, upload: Upload, quota_bytes: int | None = None
    ) -> Upload | None:
        """File `upload` in `slot` (within `quota_bytes` in all); returns the upload it
        replaced, whose object may then go."""
        replaced: list[Upload | None] = [None]

        def act(documents: ApplicationDocuments) -> list[OutgoingEvent] | None:
            current = documents.documents.get(slot)
            if current is not None and current.key == upload.key:
                replaced[0] = None  # already filed: our own earlier write went through
                return None
            replaced[0] = documents.file(slot, upload, quota_bytes)
            return []

        await self.update(application_id, act)
        return replaced[0]

    async def referenced_keys(self, application_ids: Iterable[str]) -> set[str]:
        """Every object key the records of these applications point to (one lookup by id each)."""
        keys: set[str] = set()
        for application_id in sorted(set(application_ids)):
            doc = await self.store.get(application_id)
            if doc:
                keys |= from_document(doc).keys()
        return keys

    async def awaiting_review(self) -> list[str]:
        """Applications whose verdict still waits for operators (the reconciler's round)."""
        return [str(d["_id"]) for d in await self.store.find({"awaiting_review": True})]


def to_fields(documents: ApplicationDocuments) -> dict[str, Any]:
    return {
        "documents": {
            slot.name: _upload_fields(slot, u) for slot, u in documents.documents.items()
        },
        "verifications": {
            str(n): _verification_fields(v) for n, v in documents.verifications.items()
        },
        "identity_cleared": sorted(documents.identity_cleared),
        "identity_duplicate": _decision_fields(documents.identity_duplicate),
        "renewals": {
            slot.name: [_upload_fields(slot, u) for u in uploads]
            for slot, uploads in documents.renewals.items()
        },
        # The reconciler looks for verdicts still waiting for operators by this flag.
        "awaiting_review": any(v.waiting for v in documents.verifications.values()),
    }


def from_document(doc: dict[str, Any]) -> ApplicationDocuments:
    duplicate = doc.get("identity_duplicate")
    return ApplicationDocuments(
        application_id=str(doc["_id"]),
        documents={Slot.named(name): _upload(r) for name, r in doc.get("documents", {}).items()},
        verifications={
            int(n): _verification(str(doc["_id"]), int(n), r)
            for n, r in doc.get("verifications", {}).items()
        },
        identity_cleared=frozenset(doc.get("identity_cleared") or ()),
        identity_duplicate=_decision(duplicate) if duplicate else None,
        renewals={
            Slot.named(name): [_upload(r) for r in records]
            for name, records in (doc.get("renewals") or {}).items()
        },
    )


def _upload_fields(slot: Slot, upload: Upload) -> dict[str, Any]:
    # kind and dependant are repeated in the record so an operator reads it without parsing slots.
    d = upload.decision
    return {
        "key": upload.key,
        "kind": str(slot.kind),
        "dependant": slot.dependant,
        "size": upload.size,
        "sha256": upload.sha256,
        "content_type": upload.content_type,
        "filename": upload.filename,
        "uploaded_at": upload.uploaded_at,
        "review": upload.review,
        "mrz": asdict(upload.mrz) if upload.mrz else None,
        "decision": None
        if d is None
        else {"status": d.status, "at": d.at, "code": d.code, "reason": d.reason, "by": list(d.by)},
    }


def _upload(record: dict[str, Any]) -> Upload:
    d, mrz = record.get("decision"), record.get("mrz")
    return Upload(
        key=str(record["key"]),
        size=int(record.get("size", 0)),
        sha256=str(record.get("sha256", "")),
        content_type=str(record.get("content_type", "")),
        uploaded_at=record["uploaded_at"],
        filename=str(record.get("filename") or ""),
        review=record.get("review"),
        mrz=Mrz(**mrz) if mrz else None,
        decision=None
        if not d
        else Decision(d["status"], d["at"], d.get("code"), d.get("reason"), tuple(d.get("by", ()))),
    )


def _decision_fields(d: ReviewDecision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"approved": d.approved, "at": d.at, "by": list(d.by), "reason": d.reason}


def _decision(r: dict[str, Any]) -> ReviewDecision:
    return ReviewDecision(bool(r["approved"]), r["at"], tuple(r.get("by", ())), r.get("reason", ""))


def _concern_fields(c: Concern) -> dict[str, Any]:
    return {
        "item_id": c.item_id,
        "subject": c.subject,
        "slot": c.slot.name,
        "code": c.code,
        "sha256": c.sha256,
        "likely_duplicate_of": list(c.likely_duplicate_of),
    }


def _concern(r: dict[str, Any]) -> Concern:
    return Concern(
        r["item_id"],
        r["subject"],
        Slot.named(r["slot"]),
        r["code"],
        r.get("sha256"),
        tuple(r.get("likely_duplicate_of", ())),
    )


def _verification_fields(v: Verification) -> dict[str, Any]:
    sub = v.submission
    return {
        "outcome": v.outcome,
        "verified_at": v.verified_at,
        "verdicts": [verdict.model_dump(mode="json") for verdict in v.verdicts],
        "checklist_version": v.checklist_version,
        "event_id": v.event_id,
        "caused_by": v.caused_by,
        # The facts the final verdict repeats once operators have decided.
        "submitted_at": sub.submitted_at,
        "applicant": sub.applicant.model_dump(mode="json"),
        "likely_duplicate_of": list(sub.likely_duplicate_of),
        "concerns": [_concern_fields(c) for c in v.concerns],
        # Keyed by position: item ids hold dots, which a field name cannot.
        "decided": [
            {"item_id": item, **(_decision_fields(d) or {})} for item, d in v.decided.items()
        ],
        "settled_event_id": v.settled_event_id,
    }


def _verification(application_id: str, number: int, record: dict[str, Any]) -> Verification:
    submission = Submission(
        application_id,
        number,
        record.get("submitted_at") or record["verified_at"],
        ApplicantFacts.model_validate(record["applicant"])
        if record.get("applicant")
        else _UNKNOWN_APPLICANT,
        tuple(record.get("likely_duplicate_of", ())),
    )
    return Verification(
        submission=submission,
        outcome=record["outcome"],
        verdicts=tuple(DocumentVerdict.model_validate(v) for v in record.get("verdicts", [])),
        verified_at=record["verified_at"],
        checklist_version=str(record.get("checklist_version", "")),
        event_id=str(record.get("event_id", "")),
        caused_by=str(record.get("caused_by", "")),
        concerns=tuple(_concern(c) for c in record.get("concerns", [])),
        decided={str(d["item_id"]): _decision(d) for d in record.get("decided", [])},
        settled_event_id=record.get("settled_event_id"),
    )


# Verifications recorded before the facts were kept: enough to read them, never to re-emit.
_UNKNOWN_APPLICANT = ApplicantFacts(
    first_name="-",
    last_name="-",
    birth_date=date(1900, 1, 1),
    nationality="MA",
    category=Category.RETIREE,
)
