"""The register of paid lines (collection `claim_lines`), so the same act is paid once.

One document per line key (member, beneficiary rank, prescriber INPE, item, date): `_id` is a
digest of the key (no personal data in clear), `claim_id` the claim whose accepted line holds
it, or None once released. A key is taken by inserting it (unique `_id`) or, when released, by
CAS: two claims racing for the same act cannot both hold it. A key held by the same claim is a
redelivery of that claim's decision, not a duplicate.

Order (adapters' callers): take the keys first, then CAS the claim to accepted; a crash between
the two leaves keys held by a claim still `received`, which the redelivered claim.submitted
(same claim id) takes again as its own, then releases whatever it no longer pays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable

from amo_claims.domain import Claim, LineKey
from amo_shared.aggregates import AggregateStore, Change

COLLECTION = "claim_lines"


def digest(key: LineKey) -> str:
    member, rank, provider, item, day = key
    text = "\x1f".join((member, str(rank), provider, item, day.isoformat()))
    return hashlib.sha256(text.encode()).hexdigest()


class LineKeys:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def ensure_indexes(self) -> None:
        await self.store.ensure_index("claim_id")

    async def held_by_others(self, claim_id: str, claim: Claim) -> set[LineKey]:
        """The keys of this claim's lines already paid on another claim: its history."""
        held: set[LineKey] = set()
        for line in claim.lines:
            key = LineKey.of(claim, line)
            doc = await self.store.get(digest(key))
            if doc is not None and doc["claim_id"] not in (None, claim_id):
                held.add(key)
        return held

    async def take(self, claim_id: str, keys: Iterable[LineKey]) -> set[LineKey]:
        """Take each key for this claim; returns the keys another claim holds (duplicates)."""
        taken_by_others: set[LineKey] = set()
        for key in keys:
            if not await self._take(claim_id, key):
                taken_by_others.add(key)
        return taken_by_others

    async def _take(self, claim_id: str, key: LineKey) -> bool:
        _id = digest(key)
        if await self.store.create({"_id": _id, "claim_id": claim_id}):
            return True
        holder: str | None = None

        def claim_if_free(doc: dict[str, object]) -> Change | None:
            nonlocal holder
            current = doc["claim_id"]
            if current is None:
                holder = claim_id
                return Change(set={"claim_id": claim_id})
            holder = current if isinstance(current, str) else None
            return None

        if await self.store.mutate(_id, claim_if_free) is None:
            return False  # cannot happen: a key document is never deleted
        return holder == claim_id

    async def release_except(self, claim_id: str, keep: Collection[LineKey] = ()) -> int:
        """Free the keys this claim holds but no longer pays (a claim rejected in review, a
        decision that changed on redelivery). Returns how many were freed."""
        kept = {digest(k) for k in keep}
        freed = 0
        for doc in await self.store.find({"claim_id": claim_id}):
            if doc["_id"] in kept:
                continue

            def free(current: dict[str, object]) -> Change | None:
                if current["claim_id"] != claim_id:
                    return None
                return Change(set={"claim_id": None})

            await self.store.mutate(doc["_id"], free)
            freed += 1
        return freed
