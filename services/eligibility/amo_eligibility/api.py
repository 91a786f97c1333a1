"""Internal HTTP of the eligibility service: an application's latest decision, for operators.

Reached only through the gateway, which authenticates operators.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from amo_eligibility.adapters.repository import DecisionRecord, DecisionRepository

router = APIRouter(tags=["decisions"])


def decision_repository(request: Request) -> DecisionRepository:
    return request.app.state.decisions  # built once by the app factory


Decisions = Annotated[DecisionRepository, Depends(decision_repository)]


@router.get("/decisions/{application_id}", response_model=DecisionRecord)
async def latest_decision(application_id: str, decisions: Decisions) -> DecisionRecord:
    record = await decisions.latest(application_id)
    if record is None:
        raise HTTPException(status_code=404, detail="no decision for this application")
    return record
