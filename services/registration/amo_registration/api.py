"""Internal HTTP API, called only by the gateway: create, read, submit, and the upload check.

Every read or write after creation needs the applicant's bearer token; an unknown id and a wrong
token get the same 404, so ids cannot be probed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from amo_registration.adapters.repository import COLLECTION, ApplicationRepository
from amo_registration.domain import Application, Contact, InvalidApplication, create, submit
from amo_registration.domain.access import mask_cnie, new_token, token_digest, token_matches
from amo_registration.events import application_submitted
from amo_shared.events import ApplicantFacts
from amo_shared.limits import EMAIL_MAX, PHONE_MAX

router = APIRouter(prefix="/applications", tags=["applications"])

# Compared against when the id is unknown, so both failures cost the same.
_NO_SUCH_DIGEST = token_digest("no such application")


class NewApplication(BaseModel):
    applicant: ApplicantFacts
    email: str = Field(min_length=3, max_length=EMAIL_MAX)
    phone: str = Field(min_length=3, max_length=PHONE_MAX)


def repository(request: Request) -> ApplicationRepository:
    return ApplicationRepository(request.app.state.runtime.store(COLLECTION))


Repository = Annotated[ApplicationRepository, Depends(repository)]


def bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


async def authorised(
    application_id: str, repo: Repository, authorization: Annotated[str | None, Header()] = None
) -> Application:
    app = await repo.get(application_id)
    matches = token_matches(bearer(authorization), app.token_sha256 if app else _NO_SUCH_DIGEST)
    if app is None or not matches:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "application not found")
    return app


Authorised = Annotated[Application, Depends(authorised)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_application(body: NewApplication, repo: Repository) -> Any:
    token, digest = new_token()
    try:
        app = create(
            body.applicant,
            Contact(email=body.email, phone=body.phone),
            datetime.now(UTC),
            token_sha256=digest,
        )
    except InvalidApplication as exc:
        # FastAPI's own error shape, so the gateway relays domain and schema errors alike.
        detail = [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    await repo.add(app)
    return {"id": app.id, "status": app.status.value, "token": token}


@router.get("/{application_id}")
async def read_application(app: Authorised) -> dict[str, Any]:
    return view(app)


@router.post("/{application_id}/submit", status_code=status.HTTP_202_ACCEPTED)
async def submit_application(
    app: Authorised, repo: Repository, traceparent: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    now = datetime.now(UTC)

    def step(current: Application):
        return [application_submitted(current, traceparent)] if submit(current, now) else None

    after = await repo.apply(app.id, step)
    return view(after or app)


@router.get("/{application_id}/access")
async def upload_access(app: Authorised) -> dict[str, Any]:
    return {"status": app.status.value, "uploads_open": app.uploads_open}


def view(app: Application) -> dict[str, Any]:
    """What the applicant sees: never the token digest, the contact details or the full CNIE."""
    timeline = []
    for entry in app.timeline:
        item = entry.model_dump(mode="json", include={"status", "at", "submission"})
        if entry.reasons is not None:
            item["reasons"] = entry.reasons.model_dump(mode="json")
        timeline.append(item)
    fields = app.model_dump(
        mode="json", include={"id", "status", "submission", "created_at", "submitted_at", "card"}
    )
    return {
        **fields,
        "category": app.applicant.category.value,
        "cnie": mask_cnie(app.applicant.cnie),
        "timeline": timeline,
        "reasons": app.refusal.model_dump(mode="json") if app.refusal else None,
    }
