"""Where members are paid: the bank details registration sealed, as eligibility.decided
carried them, kept sealed (collection `payees`, `_id` = application id); opened only while a
payment file is written."""

from __future__ import annotations

from typing import Any

from amo_shared.aggregates import AggregateStore, Change
from amo_shared.events import EligibilityDecided, SealedValue

COLLECTION = "payees"


class Payees:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def record(self, decided: EligibilityDecided) -> str:
        account = decided.applicant.bank_account
        if decided.outcome != "approved" or account is None:
            return "ignored"
        fields = {"account": account.model_dump(mode="json"), "submission": decided.submission}
        if await self.store.create({"_id": decided.application_id, **fields}):
            return "created"

        def decide(doc: dict[str, Any]) -> Change | None:
            # The newest submission's details win; a redelivered older one changes nothing.
            return Change(set=fields) if decided.submission > doc["submission"] else None

        await self.store.mutate(decided.application_id, decide)
        return "updated"

    async def account(self, application_id: str) -> SealedValue | None:
        doc = await self.store.get(application_id)
        return None if doc is None else SealedValue.model_validate(doc["account"])
