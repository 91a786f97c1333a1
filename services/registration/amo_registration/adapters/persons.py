"""The persons register: one document per person (`_id` = the person key), naming the application
that holds the person, so two applications for one person cannot both be created.

Race-proof by construction: a claim is an insert keyed by the person, or a compare-and-set that
takes over from an application that no longer holds the person (ineligible, or its card revoked
or expired). Two racing claims: one insert or one CAS wins, the other sees the winner.
Releasing is lazy: nothing is written when an application ends, the next claim looks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from amo_registration.domain import Application
from amo_shared.aggregates import AggregateStore, Change, ConcurrentWriteError

PERSONS = "persons"
# A claim whose application was never written (the creation crashed in between) holds the
# person this long at most; a creation takes milliseconds.
UNFINISHED_CLAIM = timedelta(minutes=2)
_ATTEMPTS = 10

Holder = Callable[[str], Awaitable[Application | None]]


class PersonRegister:
    def __init__(self, store: AggregateStore, holder: Holder):
        self.store = store
        self.holder = holder

    async def claim(self, person_key: str, application_id: str, now: datetime) -> bool:
        """True when `application_id` holds the person (now or already); False when another
        open application or membership does."""
        mine = {"application_id": application_id, "claimed_at": now.isoformat()}
        for _ in range(_ATTEMPTS):
            if await self.store.create({"_id": person_key, **mine}):
                return True
            current = await self.store.get(person_key)
            if current is None:
                continue
            if current["application_id"] == application_id:
                return True
            if await self._held(current, now):
                return False
            if await self.store.cas(current, Change(set=mine)):
                return True
        raise ConcurrentWriteError("too many concurrent claims on one person")

    async def _held(self, current: dict, now: datetime) -> bool:
        holder = await self.holder(current["application_id"])
        if holder is None:
            claimed_at = datetime.fromisoformat(current["claimed_at"])
            return now - claimed_at < UNFINISHED_CLAIM
        return holder.holds_person
