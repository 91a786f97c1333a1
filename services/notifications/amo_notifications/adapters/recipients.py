"""Each application's recipient (contact, first names) and the notices waiting for it, in Mongo:
one aggregate per application (`_id` = application id), every write a compare-and-set.

A notice whose application's contact is not known yet (its `application.submitted` not read
yet: topics have no order between them) waits in the same document, and the submission that
brings the contact releases it. Both happen under one compare-and-set of one document, so a
notice can never wait after its contact has arrived.
"""

from __future__ import annotations

from typing import Any

from amo_notifications.domain import Notice
from amo_notifications.messages import Recipient
from amo_shared.aggregates import AggregateStore, Change

COLLECTION = "recipients"


class Recipients:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def remember(
        self, application_id: str, recipient: Recipient | None, names: list[str]
    ) -> list[Notice]:
        """Keep the contact (None: the submission had none) and names; the notices waiting."""
        contact = _contact(recipient)
        fields = {"contact": contact, "first_names": names}
        if await self.store.create({"_id": application_id, **fields, "waiting": []}):
            return []

        def decide(doc: dict[str, Any]) -> Change | None:
            if doc.get("contact") == contact and doc.get("first_names") == names:
                return None
            return Change(set=fields)

        doc = await self.store.mutate(application_id, decide)
        return [Notice.model_validate(n) for n in (doc or {}).get("waiting", [])]

    async def recipient_or_wait(self, notice: Notice) -> Recipient | None:
        """The recipient, or None once `notice` waits in the application's document for it."""
        app = notice.application_id
        found: dict[str, Any] = {}

        def decide(doc: dict[str, Any]) -> Change | None:
            found.clear()
            recipient = _recipient(doc)
            if recipient is not None:
                found["recipient"] = recipient
                return None
            waiting = doc.get("waiting", [])
            if any(n.get("event") == notice.event for n in waiting):
                return None
            return Change(set={"waiting": [*waiting, notice.model_dump(mode="json")]})

        for _ in range(2):
            if await self.store.mutate(app, decide) is not None:
                return found.get("recipient")
            doc = {"_id": app, "contact": None, "first_names": [], "waiting": []}
            doc["waiting"] = [notice.model_dump(mode="json")]
            if await self.store.create(doc):
                return None
            # created meanwhile by the submission or another notice: decide on what is there
        raise RuntimeError("the recipient document vanished while being written")

    async def released(self, application_id: str, events: set[str]) -> None:
        """Take the notices of `events` off the waiting list (they have been sent)."""

        def decide(doc: dict[str, Any]) -> Change | None:
            waiting = doc.get("waiting", [])
            kept = [n for n in waiting if n.get("event") not in events]
            return Change(set={"waiting": kept}) if len(kept) != len(waiting) else None

        await self.store.mutate(application_id, decide)

    async def get(self, application_id: str) -> Recipient | None:
        doc = await self.store.get(application_id)
        return _recipient(doc) if doc else None

    async def waiting_count(self) -> int:
        """Applications with a notice waiting for their contact (for operators)."""
        docs = await self.store.find({"contact": None})
        return sum(1 for d in docs if d.get("waiting"))


def _contact(recipient: Recipient | None) -> dict[str, str] | None:
    if recipient is None:
        return None
    return {"email": recipient.email, "phone": recipient.phone, "language": recipient.language}


def _recipient(doc: dict[str, Any]) -> Recipient | None:
    contact = doc.get("contact")
    if not contact:
        return None
    return Recipient(
        email=contact["email"],
        phone=contact["phone"],
        language=contact.get("language", "fr"),
        first_names=tuple(doc.get("first_names") or ()),
    )
