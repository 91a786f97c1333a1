"""Internal operator endpoints for payment runs and their pain.001 files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse

from amo_claims.operator_api import operator_id
from amo_claims.payment_runs import PaymentRuns
from amo_claims.reference_api import CurrentReference
from amo_shared.lease import LeaseHeld

router = APIRouter(prefix="/operator/payment-runs", tags=["payments"])


def payment_runs(request: Request) -> PaymentRuns:
    return request.app.state.payment_runs  # type: ignore[no-any-return]


Runs = Annotated[PaymentRuns, Depends(payment_runs)]
Operator = Annotated[str, Depends(operator_id)]


def run_view(doc: dict[str, Any], *, detail: bool = False) -> dict[str, Any]:
    view = {
        "id": doc["_id"],
        "status": doc["status"],
        "claims": doc.get("claims", 0),
        "transfers": len(doc.get("transfers", [])),
        "control_sum": doc.get("control_sum", "0.00"),
        "held": doc.get("held", {}),
        "by": doc.get("by"),
        "created_at": doc.get("created_at"),
        "completed_at": doc.get("completed_at"),
    }
    if detail:
        view["transfers"] = [
            {
                "payee": t["payee"],
                "payee_id": t["payee_id"],
                "amount": t["amount"],
                "claims": t["claim_ids"],
                "end_to_end_id": t["end_to_end_id"],
            }
            for t in doc.get("transfers", [])
        ]
    return view


@router.post("", status_code=status.HTTP_201_CREATED)
async def start_run(runs: Runs, operator: Operator, reference: CurrentReference) -> Any:
    try:
        doc = await runs.run(operator, reference)
    except LeaseHeld:
        raise HTTPException(status.HTTP_409_CONFLICT, "a payment run is in progress") from None
    if doc is None:
        return JSONResponse(
            {
                "id": None,
                "status": "nothing_to_pay",
                "claims": 0,
                "transfers": 0,
                "control_sum": "0.00",
            },
            status_code=status.HTTP_200_OK,
        )
    return JSONResponse(_json(run_view(doc)), status_code=status.HTTP_201_CREATED)


@router.get("/{run_id}")
async def read_run(run_id: str, runs: Runs, _: Operator) -> dict[str, Any]:
    doc = await runs.get(run_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "payment run not found")
    return run_view(doc, detail=True)


@router.get("/{run_id}/pain.001")
async def read_file(run_id: str, runs: Runs, _: Operator) -> Response:
    doc = await runs.get(run_id)
    if doc is None or not doc.get("pain001"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "payment file not found")
    return Response(doc["pain001"], media_type="application/xml")


def _json(view: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in view.items()}
