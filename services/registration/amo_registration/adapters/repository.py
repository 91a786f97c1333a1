"""Applications in Mongo, every write a compare-and-set through the shared AggregateStore.

Fields are stored in their JSON form (dates as ISO strings): BSON has no plain date type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from amo_registration.domain import Application
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent

COLLECTION = "applications"

# A step changes the application in place and returns the events to publish with the change,
# or None when there is nothing to write (a repeated or no-op step).
Step = Callable[[Application], Sequence[OutgoingEvent] | None]


class DuplicateApplication(RuntimeError):
    """An application with this id exists already (ids are random: a bug, not a user error)."""


def to_document(app: Application) -> dict[str, Any]:
    fields = app.model_dump(mode="json")
    fields["_id"] = fields.pop("id")
    return fields


def from_document(doc: dict[str, Any]) -> Application:
    # Store bookkeeping (_v, outbox) is ignored by the model.
    return Application.model_validate({**doc, "id": doc["_id"]})


class ApplicationRepository:
    def __init__(self, store: AggregateStore):
        self.store = store

    async def add(self, app: Application) -> None:
        if not await self.store.create(to_document(app)):
            raise DuplicateApplication(app.id)

    async def ensure_indexes(self) -> None:
        # Survivors name the deceased by member number; submissions look for look-alikes.
        await self.store.ensure_index("member_number")
        await self.store.ensure_index("lookalike_key")
        # A citizen's own applications (their list, the member they stand for in claims).
        await self.store.ensure_index("owner")

    async def get(self, application_id: str) -> Application | None:
        doc = await self.store.get(application_id)
        return None if doc is None else from_document(doc)

    async def by_member_number(self, member_number: str) -> Application | None:
        doc = await self.store.find_one({"member_number": member_number})
        return None if doc is None else from_document(doc)

    async def owned_by(self, owner: str, limit: int = 100) -> list[Application]:
        """The applications this account filed, oldest first."""
        docs = await self.store.find({"owner": owner}, sort=(("created_at", 1),), limit=limit)
        return [from_document(d) for d in docs]

    async def lookalikes(self, app: Application, limit: int) -> list[str]:
        """Ids of other applications with the same folded names and birth date under another
        identity (the same person's earlier files are not duplicates)."""
        docs = await self.store.find({"lookalike_key": app.lookalike_key}, limit=limit + 50)
        others = [from_document(d) for d in docs if d["_id"] != app.id]
        return sorted(o.id for o in others if o.person_key != app.person_key)[:limit]

    async def apply(self, application_id: str, step: Step) -> Application | None:
        """Run `step` on the stored application and write the outcome and its events at once.

        On a lost race the step runs again on the fresh state. Returns the application as it
        stands afterwards, or None when it does not exist.
        """
        outcome: dict[str, Application] = {}

        def decide(doc: dict[str, Any]) -> Change | None:
            app = from_document(doc)
            outcome["app"] = app
            events = step(app)
            if events is None:
                return None
            fields = to_document(app)
            del fields["_id"]
            return Change(set=fields, events=list(events))

        doc = await self.store.mutate(application_id, decide)
        return None if doc is None else outcome["app"]
