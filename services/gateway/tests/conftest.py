"""Fakes of registration and documents (one ASGI app, answering as their internal APIs do) and
the gateway wired to them through an in-process transport, trusting the test issuer's tokens."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

import httpx
import pytest
from amo_tokens import ISSUED
from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from amo_gateway.app import create_app
from amo_gateway.settings import Settings
from amo_shared.rib import rib_key


def citizen() -> tuple[str, str]:
    """A new citizen's account: (its subject, an access token of the test issuer for it)."""
    username = f"citizen-{uuid.uuid4().hex[:12]}@example.ma"
    return f"sub-{username}", ISSUED.token(username, ["citizen"])


def citizen_bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# One citizen for tests about forms rather than whose they are.
CITIZEN = citizen_bearer(citizen()[1])


@dataclass
class FakeServices:
    """In-memory registration (applications and their owners) and documents (uploads)."""

    applications: dict[str, dict] = field(default_factory=dict)
    created: list[dict] = field(default_factory=list)
    uploads: list[dict] = field(default_factory=list)
    traceparents: list[str | None] = field(default_factory=list)
    upload_limit: int | None = None
    not_ready: set[str] = field(default_factory=set)

    def add(self, status: str = "draft", owner: str | None = None) -> tuple[str, str]:
        """An application of a new citizen (or of `owner`): its id and the citizen's token."""
        subject, token = citizen()
        app_id = str(uuid.uuid4())
        self.applications[app_id] = {"owner": owner or subject, "status": status}
        return app_id, token

    def asgi(self) -> FastAPI:
        api = FastAPI()

        def owned(app_id: str, x_citizen: str | None) -> dict:
            app = self.applications.get(app_id)
            if app is None or not x_citizen or x_citizen != app["owner"]:
                raise HTTPException(404, "application not found")
            return app

        @api.get("/readyz")
        async def readyz(request: Request):
            # One fake answers for both hosts: each can be made not ready on its own.
            if request.url.hostname in self.not_ready:
                return JSONResponse(
                    {"status": "not ready", "missing": ["database"]}, status_code=503
                )
            return {"status": "ready"}

        @api.post("/applications", status_code=201)
        async def create(body: dict, x_citizen: str = Header()):
            self.created.append(body)
            if body["applicant"]["category"] == "retiree" and not body["applicant"].get(
                "pension_fund"
            ):
                return JSONResponse(
                    {
                        "detail": [
                            {
                                "loc": ["body", "pension_fund"],
                                "msg": "required",
                                "type": "value_error",
                            }
                        ]
                    },
                    status_code=422,
                )
            app_id, _ = self.add(owner=x_citizen)
            return {"id": app_id, "status": "draft"}

        @api.get("/applications")
        async def mine(x_citizen: str = Header()):
            return [
                {"id": i, "status": a["status"]}
                for i, a in self.applications.items()
                if a["owner"] == x_citizen
            ]

        @api.get("/applications/{app_id}")
        async def read(app_id: str, x_citizen: str | None = Header(None)):
            return {"id": app_id, "status": owned(app_id, x_citizen)["status"]}

        @api.post("/applications/{app_id}/submit", status_code=202)
        async def submit(
            app_id: str,
            x_citizen: str | None = Header(None),
            traceparent: str | None = Header(None),
        ):
            self.traceparents.append(traceparent)
            app = owned(app_id, x_citizen)
            app["status"] = "submitted"
            return {"id": app_id, "status": "submitted"}

        @api.get("/applications/{app_id}/access")
        async def access(app_id: str, x_citizen: str | None = Header(None)):
            status = owned(app_id, x_citizen)["status"]
            return {
                "status": status,
                "uploads_open": status in ("draft", "incomplete"),
                "revalidation_open": status == "card_issued",
            }

        @api.get("/applications/{app_id}/card")
        async def card(app_id: str, x_citizen: str | None = Header(None)):
            if owned(app_id, x_citizen)["status"] != "card_issued":
                raise HTTPException(404, "no card for this application yet")
            return {"member_number": "M00000017", "status": "active", "beneficiaries": []}

        @api.put("/applications/{app_id}/documents/{kind}")
        async def upload(app_id: str, kind: str, request: Request, dependant: int | None = None):
            record = {
                "app_id": app_id,
                "kind": kind,
                "dependant": dependant,
                "chunks": [],
                "content_type": request.headers.get("content-type"),
                "authorization": request.headers.get("authorization"),
            }
            self.uploads.append(record)
            digest = hashlib.sha256()
            async for chunk in request.stream():
                if chunk:
                    record["chunks"].append(len(chunk))
                    digest.update(chunk)
                if self.upload_limit is not None and sum(record["chunks"]) > self.upload_limit:
                    return JSONResponse({"detail": "file too large"}, status_code=413)
            body = {
                "kind": kind,
                "size": sum(record["chunks"]),
                "sha256": digest.hexdigest(),
                "content_type": "application/pdf",
            }
            if dependant is not None:
                body["dependant"] = dependant
            return JSONResponse(body, status_code=201)

        return api


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


def gateway_settings(**overrides) -> Settings:
    return Settings(
        registration_url="http://registration",
        documents_url="http://documents",
        log_json=False,
        **overrides,
    )


@pytest.fixture
async def gateway(services):
    app = create_app(
        gateway_settings(),
        transport=httpx.ASGITransport(app=services.asgi()),
        tokens=ISSUED.verifier(),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as client,
    ):
        yield client


# 22 digits and their key: a well-formed Moroccan RIB.
VALID_RIB = "0117800000123456789012" + rib_key("0117800000123456789012")


def valid_body(**changes) -> dict:
    body = {
        "cnie": "ab123456",
        "cnie_expiry": "2099-01-01",
        "rib": VALID_RIB,
        "first_name": "Amina",
        "last_name": "Alaoui",
        "birth_date": "1990-01-01",
        "nationality": "MA",
        "category": "public_employee",
        "recruitment_date": "2025-09-01",
        "email": "amina@example.ma",
        "phone": "0612345678",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def body():
    return valid_body
