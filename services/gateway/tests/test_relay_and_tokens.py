"""Citizens' token checks, relaying of the owners' answers, uploads gating, the checklist, /health and
the trace context carried upstream."""

from __future__ import annotations

import socket

import httpx
import pytest
from amo_tokens import ISSUED

from amo_gateway.app import create_app
from amo_gateway.settings import Settings

from .conftest import citizen, citizen_bearer

PDF = {"file": ("scan.pdf", b"%PDF-1.7 fake", "application/pdf")}


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


async def test_a_citizen_creates_lists_reads_and_submits_their_own(gateway, services, body):
    subject, token = citizen()
    auth = citizen_bearer(token)
    created = (await gateway.post("/v1/applications", json=body(), headers=auth)).json()
    assert set(created) == {"id", "status"} and created["status"] == "draft"
    # Registration is told whose it is by the verified token's subject, nothing the client said.
    assert services.applications[created["id"]]["owner"] == subject
    assert (await gateway.get(f"/v1/applications/{created['id']}", headers=auth)).json()[
        "status"
    ] == "draft"
    assert [a["id"] for a in (await gateway.get("/v1/applications", headers=auth)).json()] == [
        created["id"]
    ]
    submitted = await gateway.post(f"/v1/applications/{created['id']}/submit", headers=auth)
    assert submitted.status_code == 202 and submitted.json()["status"] == "submitted"
    _, other = citizen()
    assert (await gateway.get("/v1/applications", headers=citizen_bearer(other))).json() == []


async def test_an_asserted_account_header_is_never_believed(gateway, services, body):
    mine, _ = services.add()
    _, theirs = citizen()
    forged = {**citizen_bearer(theirs), "X-Citizen": services.applications[mine]["owner"]}
    assert (await gateway.get(f"/v1/applications/{mine}", headers=forged)).status_code == 404


@pytest.mark.parametrize(
    "roles,status", [(["reviewer"], 403), (["hospital"], 403), ([], 403), (["citizen"], 201)]
)
async def test_only_a_citizens_account_files_an_application(gateway, body, roles, status):
    auth = ISSUED.bearer(f"someone-{len(roles)}", roles)
    assert (await gateway.post("/v1/applications", json=body(), headers=auth)).status_code == status


async def test_creating_needs_a_valid_citizens_token(gateway, services, body):
    for headers in (
        {},
        {"Authorization": "Bearer not-a-jwt"},
        ISSUED.bearer("x", ["citizen"], exp=1),
    ):
        response = await gateway.post("/v1/applications", json=body(), headers=headers)
        assert response.status_code == 401
    assert services.created == []


@pytest.mark.parametrize(
    "method,suffix", [("GET", ""), ("POST", "/submit"), ("PUT", "/documents/cnie")]
)
async def test_every_call_on_an_application_needs_a_bearer_token(gateway, services, method, suffix):
    app_id, _ = services.add()
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        response = await gateway.request(
            method, f"/v1/applications/{app_id}{suffix}", headers=headers
        )
        assert response.status_code == 401
    assert services.uploads == []


@pytest.mark.parametrize(
    "method,suffix", [("GET", ""), ("POST", "/submit"), ("PUT", "/documents/cnie")]
)
async def test_another_citizens_token_gets_404(gateway, services, method, suffix):
    mine, _ = services.add()
    _, theirs = services.add()
    response = await gateway.request(
        method,
        f"/v1/applications/{mine}{suffix}",
        headers={"Authorization": f"Bearer {theirs}"},
        files=PDF if method == "PUT" else None,
    )
    assert response.status_code == 404
    assert services.applications[mine]["status"] == "draft" and services.uploads == []


async def test_upload_is_relayed_with_its_content_type_and_dependant(gateway, services):
    app_id, token = services.add()
    response = await gateway.put(
        f"/v1/applications/{app_id}/documents/birth_certificate?dependant=1",
        headers={"Authorization": f"Bearer {token}"},
        files=PDF,
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "birth_certificate" and response.json()["dependant"] == 1
    (upload,) = services.uploads
    assert upload["content_type"].startswith("multipart/form-data; boundary=")
    assert upload["dependant"] == 1 and upload["authorization"] is None  # the token stays here


@pytest.mark.parametrize(
    "path", ["school_certificate", "kafala_judgment", "cnie?dependant=0", "cnie?dependant=-1"]
)
async def test_dependant_index_goes_with_dependants_documents_only(gateway, services, path):
    app_id, token = services.add()
    response = await gateway.put(
        f"/v1/applications/{app_id}/documents/{path}",
        headers={"Authorization": f"Bearer {token}"},
        files=PDF,
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "query",
        "dependant",
    ]


async def test_a_birth_certificate_is_the_orphans_own_or_a_dependants(gateway, services):
    # An orphan under 16 is filed by a guardian with the child's own birth certificate.
    app_id, token = services.add()
    response = await gateway.put(
        f"/v1/applications/{app_id}/documents/birth_certificate",
        headers={"Authorization": f"Bearer {token}"},
        files=PDF,
    )
    assert response.status_code == 201 and response.json().get("dependant") is None


@pytest.mark.parametrize("status", ["submitted", "documents_verified", "card_issued"])
async def test_uploads_are_closed_once_the_file_left_the_applicant(gateway, services, status):
    app_id, token = services.add(status=status)
    response = await gateway.put(
        f"/v1/applications/{app_id}/documents/cnie",
        headers={"Authorization": f"Bearer {token}"},
        files=PDF,
    )
    assert response.status_code == 409
    # After the card only renewal proofs are taken (a CNIE is none); before, the status says why.
    assert status in response.json()["detail"] or "renewal" in response.json()["detail"]
    assert services.uploads == []


async def test_uploads_reopen_when_documents_are_incomplete(gateway, services):
    app_id, token = services.add(status="incomplete")
    response = await gateway.put(
        f"/v1/applications/{app_id}/documents/work_certificate",
        headers={"Authorization": f"Bearer {token}"},
        files=PDF,
    )
    assert response.status_code == 201


async def test_the_card_is_relayed_to_its_owner_and_404_before_it_exists(gateway, services):
    app_id, token = services.add()
    auth = {"Authorization": f"Bearer {token}"}
    assert (await gateway.get(f"/v1/applications/{app_id}/card", headers=auth)).status_code == 404
    services.applications[app_id]["status"] = "card_issued"
    response = await gateway.get(f"/v1/applications/{app_id}/card", headers=auth)
    assert response.status_code == 200 and response.json()["member_number"] == "M00000017"
    assert (await gateway.get(f"/v1/applications/{app_id}/card")).status_code == 401
    _, theirs = services.add(status="card_issued")
    other = {"Authorization": f"Bearer {theirs}"}
    assert (await gateway.get(f"/v1/applications/{app_id}/card", headers=other)).status_code == 404


async def test_an_unreachable_service_is_a_plain_503(body):
    app = create_app(
        Settings(
            registration_url=closed_port_url(),
            documents_url=closed_port_url(),
            cards_url=closed_port_url(),
            claims_url=closed_port_url(),
            log_json=False,
        ),
        tokens=ISSUED.verifier(),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw,
    ):
        response = await gw.post(
            "/v1/applications", json=body(), headers=citizen_bearer(citizen()[1])
        )
        assert response.status_code == 503
        assert response.json() == {
            "detail": "the registration service is unavailable, try again later"
        }
        health = await gw.get("/health")
    assert health.status_code == 503
    assert health.json()["status"] == "degraded"
    assert health.json()["missing"] == ["registration", "documents", "cards", "claims"]


async def test_a_failing_service_is_a_plain_502(body):
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="Traceback (most recent call last): ...")

    app = create_app(
        Settings(log_json=False), transport=httpx.MockTransport(broken), tokens=ISSUED.verifier()
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw,
    ):
        response = await gw.post(
            "/v1/applications", json=body(), headers=citizen_bearer(citizen()[1])
        )
    assert response.status_code == 502 and "Traceback" not in response.text


async def test_health_says_ok_only_when_every_upstream_is_ready(gateway, services):
    response = await gateway.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "service": "gateway",
        "status": "ok",
        "registration": "ok",
        "documents": "ok",
        "cards": "ok",
        "claims": "ok",
    }
    services.not_ready.add("documents")
    response = await gateway.get("/health")
    assert response.status_code == 503 and response.json()["status"] == "degraded"


async def test_checklist_lists_every_document_at_once(gateway):
    response = await gateway.get(
        "/v1/checklist",
        params={
            "category": "public_employee",
            "nationality": "ma",
            "dependants": "spouse,child_student",
        },
    )
    assert response.status_code == 200
    kinds = [(d["kind"], d["dependant"]) for d in response.json()["documents"]]
    assert ("cnie", None) in kinds and ("work_certificate", None) in kinds
    assert ("marriage_certificate", 0) in kinds and ("school_certificate", 1) in kinds
    assert all(d["label_fr"] for d in response.json()["documents"])
    foreign = await gateway.get(
        "/v1/checklist", params={"category": "retiree", "nationality": "SN"}
    )
    assert foreign.json()["documents"][0]["kind"] == "residence_card"


def test_public_names_are_kept():
    schema = create_app(Settings(log_json=False)).openapi()
    assert schema["info"]["title"] == "AMO applicant API"
    # Kept, not exhaustive: new routes (cards, reviews, ...) join these.
    assert {
        "/v1/applications",
        "/v1/applications/{application_id}",
        "/v1/applications/{application_id}/submit",
        "/v1/applications/{application_id}/card",
        "/v1/applications/{application_id}/documents/{kind}",
        "/v1/checklist",
        "/livez",
        "/readyz",
        "/health",
        "/metrics",
    } <= set(schema["paths"])
    body = schema["components"]["schemas"]["NewApplication"]["properties"]
    assert {
        "cnie",
        "cnie_expiry",
        "rib",
        "language",
        "guardian",
        "deceased_member_number",
        "retirement_date",
        "first_name",
        "last_name",
        "birth_date",
        "nationality",
        "residence_permit",
        "residence_permit_expiry",
        "category",
        "employer",
        "email",
        "phone",
        "recruitment_date",
        "previous_scheme",
        "pension_fund",
        "pension_number",
        "member_death_date",
        "survivor_pension",
        "dependants",
    } == set(body)


async def test_the_callers_trace_continues_upstream_and_a_new_one_starts_without_it(
    gateway, services
):
    app_id, token = services.add()
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    auth = {"Authorization": f"Bearer {token}"}
    await gateway.post(
        f"/v1/applications/{app_id}/submit",
        headers={**auth, "traceparent": f"00-{trace}-00f067aa0ba902b7-01"},
    )
    await gateway.post(f"/v1/applications/{app_id}/submit", headers=auth)
    continued, started = services.traceparents
    assert continued.split("-")[1] == trace and continued.split("-")[2] != "00f067aa0ba902b7"
    assert started.startswith("00-") and started.split("-")[1] != trace
