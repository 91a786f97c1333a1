"""Claim files in the `claims` collection, written through AggregateStore (CAS + outbox).

The document keeps the file whole under `file` and, beside it, the fields other parts read
by equality: `member_number`, `facility_id`, `status`, `payee`, `payee_id`,
`reimbursed_centimes`, `payment_run_id`, `payment` (docs/claims.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amo_claims.domain.filing import ClaimFile
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent

COLLECTION = "claims"

Step = Callable[[ClaimFile], tuple[ClaimFile, list[OutgoingEvent]] | None]


def file_of(doc: dict[str, Any]) -> ClaimFile:
    return ClaimFile.model_validate(doc["file"])


def fields_of(file: ClaimFile) -> dict[str, Any]:
    adjudication = file.adjudication
    decided = file.status.value in ("accepted", "paid")
    return {
        "file": file.model_dump(mode="json"),
        "member_number": file.claim.member_number,
        "beneficiary_rank": file.claim.beneficiary_rank,
        "filed_by": file.claim.filed_by.value,
        "facility_id": file.claim.facility_id,
        "status": file.status.value,
        "created_at": file.created_at,
        "payee": adjudication.payee.value if adjudication and decided else None,
        "payee_id": _payee_id(file) if adjudication and decided else None,
        "reimbursed_centimes": adjudication.total_reimbursed.centimes
        if adjudication and decided
        else 0,
    }


def _payee_id(file: ClaimFile) -> str | None:
    assert file.adjudication is not None
    if file.adjudication.payee.value == "facility":
        return file.claim.facility_id
    return file.claim.member_number


class ClaimFiles:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def ensure_indexes(self) -> None:
        for keys in ("status", "member_number", "payment_run_id", "facility_id"):
            await self.store.ensure_index(keys)
        await self.store.ensure_index([("member_number", 1), ("created_at", -1)])

    async def add(self, file: ClaimFile, events: list[OutgoingEvent] | None = None) -> None:
        doc = {"_id": file.id, **fields_of(file), "payment_run_id": None, "payment": None}
        if not await self.store.create(doc, events or []):
            raise RuntimeError("claim id taken")  # uuid4: never in practice

    async def get(self, claim_id: str) -> ClaimFile | None:
        doc = await self.store.get(claim_id)
        return None if doc is None else file_of(doc)

    async def document(self, claim_id: str) -> dict[str, Any] | None:
        return await self.store.get(claim_id)

    async def of_member(self, member_number: str, status: str | None = None) -> list[ClaimFile]:
        where: dict[str, Any] = {"member_number": member_number}
        if status:
            where["status"] = status
        docs = await self.store.find(where, sort=[("created_at", -1)])
        return [file_of(d) for d in docs]

    async def with_status(self, status: str, limit: int = 0) -> list[ClaimFile]:
        docs = await self.store.find({"status": status}, sort=[("created_at", 1)], limit=limit)
        return [file_of(d) for d in docs]

    async def count(self, status: str) -> int:
        return await self.store.count({"status": status})

    async def apply(self, claim_id: str, step: Step) -> ClaimFile | None:
        """Run `step` on the stored file and write what it returns with its events, by CAS
        (re-deciding on a lost race). Returns the file as it stands after."""
        after: ClaimFile | None = None

        def decide(doc: dict[str, Any]) -> Change | None:
            nonlocal after
            current = file_of(doc)
            result = step(current)
            if result is None:
                after = current
                return None
            after, events = result
            return Change(set=fields_of(after), events=events)

        if await self.store.mutate(claim_id, decide) is None:
            return None
        return after
