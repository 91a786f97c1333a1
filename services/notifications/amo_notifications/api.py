"""Internal HTTP of the notifications service: what the ledger says, for operators.

Counts only, and per application the kinds and channels sent: never an address or a text.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from amo_notifications.adapters.ledger import Ledger
from amo_notifications.adapters.recipients import Recipients
from amo_notifications.domain import Progress

router = APIRouter(tags=["notifications"])


def ledger(request: Request) -> Ledger:
    return request.app.state.ledger  # built once by the app factory


def recipients(request: Request) -> Recipients:
    return request.app.state.recipients


LedgerDep = Annotated[Ledger, Depends(ledger)]
RecipientsDep = Annotated[Recipients, Depends(recipients)]


@router.get("/operations/notifications")
async def summary(ledger: LedgerDep, recipients: RecipientsDep) -> dict[str, int]:
    return {
        "sent": await ledger.count(Progress.SENT),
        "pending": await ledger.count(Progress.PENDING),
        "applications_waiting_for_contact": await recipients.waiting_count(),
    }


@router.get("/operations/notifications/{application_id}")
async def of_application(application_id: str, ledger: LedgerDep) -> list[dict[str, Any]]:
    return [
        {"kind": r["kind"], "channel": r["channel"], "status": r["status"]}
        for r in await ledger.of_application(application_id)
    ]
