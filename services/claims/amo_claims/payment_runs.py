"""Payment runs: every accepted, unpaid claim paid once, in one ISO 20022 file per run.

Steps, each durable before the next, so a crash anywhere resumes without paying twice:
1. `collecting`: each payable claim is taken by CAS (`payment_run_id` set where it was None);
2. `filed`: the transfers and the pain.001 are computed from the run's claims and stored;
   from here the run's claims are fixed, and the file is the same if computed again;
3. each claim of the run -> `paid` with its claim.paid event in the same CAS;
4. `completed`.
One run at a time (a lease); an unfinished run is finished before a new one starts.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

import structlog

from amo_claims.adapters.claim_files import ClaimFiles
from amo_claims.adapters.pain001 import pain001
from amo_claims.adapters.payees import Payees
from amo_claims.adapters.repository import MemberRegister
from amo_claims.domain import Money, Reference
from amo_claims.domain.payments import PayableClaim, Transfer, control_sum, transfers
from amo_claims.settings import Settings
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import new_event
from amo_shared.events import ClaimPaid
from amo_shared.lease import Lease
from amo_shared.rib import iban_of
from amo_shared.sealed import unseal
from amo_shared.topics import CLAIM_PAID

log = structlog.get_logger(__name__)
COLLECTION = "payment_runs"
UNFINISHED = ("collecting", "filed")


class PaymentRuns:
    def __init__(
        self,
        runs: AggregateStore,
        claims: ClaimFiles,
        payees: Payees,
        members: MemberRegister,
        lease: Lease,
        settings: Settings,
    ) -> None:
        self.runs = runs
        self.claims = claims
        self.payees = payees
        self.members = members
        self.lease = lease
        self.settings = settings

    async def ensure_indexes(self) -> None:
        await self.runs.ensure_index("status")

    async def get(self, run_id: str) -> dict[str, Any] | None:
        return await self.runs.get(run_id)

    async def run(self, operator: str, reference: Reference) -> dict[str, Any] | None:
        """The run finished now (resumed or new); None when nothing was payable."""
        async with self.lease:
            for status in UNFINISHED:
                for doc in await self.runs.find({"status": status}, limit=1):
                    return await self._finish(doc, reference)
            run_id = f"PR-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"
            doc = {"_id": run_id, "status": "collecting", "by": operator, "held": {}}
            doc["created_at"] = datetime.now(UTC)
            await self.runs.create(doc)
            return await self._finish(await self._must(run_id), reference)

    async def _must(self, run_id: str) -> dict[str, Any]:
        doc = await self.runs.get(run_id)
        assert doc is not None
        return doc

    async def _finish(self, doc: dict[str, Any], reference: Reference) -> dict[str, Any] | None:
        run_id = doc["_id"]
        if doc["status"] == "collecting":
            held = await self._collect(run_id, reference)
            taken = await self.claims.store.find({"payment_run_id": run_id})
            if not taken:
                await self.runs.collection.delete_one({"_id": run_id, "status": "collecting"})
                return None
            items = transfers(run_id, [_payable(c) for c in taken])
            accounts = {t.end_to_end_id: await self._iban(t, reference) for t in items}
            xml = pain001(
                run_id,
                doc["created_at"],
                items,
                accounts,
                payer_name=self.settings.payer_name,
                payer_iban=self.settings.payer_iban,
                payer_bic=self.settings.payer_bic,
            )
            await self.runs.mutate(
                run_id,
                lambda _d: Change(
                    set={
                        "status": "filed",
                        "held": held,
                        "claims": len(taken),
                        "transfers": [_transfer_doc(t) for t in items],
                        "control_sum": control_sum(items).in_dh(),
                        "pain001": xml.decode(),
                        "filed_at": datetime.now(UTC),
                    }
                ),
            )
            doc = await self._must(run_id)
        await self._pay(doc)
        await self.runs.mutate(
            run_id,
            lambda _d: Change(set={"status": "completed", "completed_at": datetime.now(UTC)}),
        )
        return await self._must(run_id)

    async def _collect(self, run_id: str, reference: Reference) -> dict[str, int]:
        held: dict[str, int] = {}
        for claim in await self.claims.store.find({"status": "accepted", "payment_run_id": None}):
            why = await self._unpayable(claim, reference)
            if why:
                held[why] = held.get(why, 0) + 1
                continue
            await self.lease.renew()
            await self.claims.store.mutate(
                claim["_id"],
                lambda d: (
                    Change(set={"payment_run_id": run_id})
                    if d["status"] == "accepted" and d.get("payment_run_id") is None
                    else None
                ),
            )
        return held

    async def _unpayable(self, claim: dict[str, Any], reference: Reference) -> str | None:
        if claim["payee"] == "facility":
            listed = reference.facilities(datetime.now(UTC).date()).facilities.get(
                claim["payee_id"] or ""
            )
            return None if listed is not None and listed.account else "facility_account_missing"
        member = await self.members.get(claim["member_number"])
        if member is None or await self.payees.account(member.application_id) is None:
            return "member_account_missing"
        return None

    async def _iban(self, transfer: Transfer, reference: Reference) -> str:
        if transfer.payee == "facility":
            facility = reference.facilities(datetime.now(UTC).date()).facilities[transfer.payee_id]
            assert facility.account is not None
            return iban_of(facility.account)
        keyring = self.settings.keyring()
        if keyring is None:
            raise RuntimeError("AMO_CLAIMS_DATA_KEYS is not set: members cannot be paid")
        member = await self.members.get(transfer.payee_id)
        assert member is not None
        sealed = await self.payees.account(member.application_id)
        assert sealed is not None
        return iban_of(unseal(sealed, keyring))

    async def _pay(self, run: dict[str, Any]) -> None:
        paid_at = run.get("filed_at") or datetime.now(UTC)
        for transfer in run["transfers"]:
            for claim_id in transfer["claim_ids"]:
                await self.claims.store.mutate(claim_id, _paid(run["_id"], transfer, paid_at))
                if self.settings.payment_pace_seconds:
                    await asyncio.sleep(self.settings.payment_pace_seconds)
                await self.lease.renew()


def _paid(run_id: str, transfer: dict[str, Any], paid_at: datetime):  # type: ignore[no-untyped-def]
    def decide(doc: dict[str, Any]) -> Change | None:
        if doc["status"] != "accepted" or doc.get("payment_run_id") != run_id:
            return None  # paid already (a resumed run), or not this run's
        payment = {"run_id": run_id, "end_to_end_id": transfer["end_to_end_id"], "paid_at": paid_at}
        event = new_event(
            CLAIM_PAID,
            ClaimPaid(
                claim_id=doc["_id"],
                member_number=doc["member_number"],
                payee=doc["payee"],
                payee_id=doc["payee_id"],
                amount_centimes=doc["reimbursed_centimes"],
                payment_run_id=run_id,
                end_to_end_id=transfer["end_to_end_id"],
                paid_at=paid_at,
            ),
            source="claims",
            key=doc["_id"],
        )
        file = dict(doc["file"], status="paid")
        return Change(set={"status": "paid", "payment": payment, "file": file}, events=[event])

    return decide


def _payable(doc: dict[str, Any]) -> PayableClaim:
    return PayableClaim(
        claim_id=doc["_id"],
        payee=doc["payee"],
        payee_id=doc["payee_id"],
        amount=Money(doc["reimbursed_centimes"]),
    )


def _transfer_doc(t: Transfer) -> dict[str, Any]:
    return {
        "payee": t.payee,
        "payee_id": t.payee_id,
        "amount": t.amount.in_dh(),
        "amount_centimes": t.amount.centimes,
        "claim_ids": list(t.claim_ids),
        "end_to_end_id": t.end_to_end_id,
    }
