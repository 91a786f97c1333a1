"""Internal HTTP of the reference registries: search the tariffs (per scheme), medicines,
facilities and ALD list in force on a date. Public data; the gateway relays it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from amo_claims.adapters.reference_store import ReferenceStore
from amo_claims.domain import Reference, Scheme
from amo_claims.reference_search import Registry, search

router = APIRouter(prefix="/reference", tags=["reference"])

Q_MAX = 100
SIZE_MAX = 100


async def current_reference(request: Request) -> Reference:
    store: ReferenceStore = request.app.state.reference_store
    reference = await store.current()
    if reference is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no reference data imported yet")
    return reference


CurrentReference = Annotated[Reference, Depends(current_reference)]


@router.get("/{registry}")
async def search_registry(
    registry: Registry,
    reference: CurrentReference,
    q: Annotated[str, Query(max_length=Q_MAX)] = "",
    scheme: Scheme | None = None,
    day: Annotated[date | None, Query(alias="date")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=SIZE_MAX)] = 20,
) -> dict[str, Any]:
    return search(
        reference, registry, q=q, scheme=scheme, on=day or date.today(), page=page, size=size
    )
