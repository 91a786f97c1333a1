"""Registration on the real stack: the internal API, the outbox to Kafka, and racing writers."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from uuid import uuid4

from amo_registration.domain import record_documents_verified
from amo_registration.handlers import step_handler
from amo_shared.envelope import IncomingEvent, new_event, read_event
from amo_shared.events import EVENT_TYPES, ApplicationSubmitted, DocumentsVerified, DocumentVerdict
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED

RIB = "011780000000000000000001"
RIB = RIB[:22] + f"{97 - (int(RIB[:22]) * 100) % 97:02d}"
APPLICANT = {
    "cnie": "AB123456",
    "cnie_expiry": "2099-01-01",
    "first_name": "Amina",
    "last_name": "Alaoui",
    "birth_date": "1990-01-01",
    "nationality": "MA",
    "category": "public_employee",
    "recruitment_date": "2025-09-01",
}


def unique_cnie() -> str:
    # One membership per person: every application of these tests is someone else's.
    return f"AB{secrets.randbelow(900000) + 100000}"


def account() -> dict[str, str]:
    """A citizen's account as the gateway names it to registration (its `sub`)."""
    return {"X-Citizen": f"sub-{uuid4()}"}


async def new_application(client, cnie: str | None = None) -> tuple[str, dict]:
    applicant = APPLICANT | {"cnie": cnie or unique_cnie()}
    owner = account()
    response = await client.post(
        "/applications",
        json={"applicant": applicant, "email": "a@b.ma", "phone": "0612345678", "rib": RIB},
        headers=owner,
    )
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id", "status"}  # no token: the account is the key
    return response.json()["id"], owner


def incomplete_verdict(app_id: str, submission: int) -> IncomingEvent:
    payload = DocumentsVerified(
        application_id=app_id,
        submission=submission,
        verified_at=datetime.now(UTC),
        outcome="incomplete",
        verdicts=[DocumentVerdict(kind="work_certificate", status="missing")],
        applicant=APPLICANT,
        submitted_at=datetime.now(UTC),
    )
    event = new_event(DOCUMENTS_VERIFIED, payload, source="documents", key=app_id)
    return read_event(event.headers(), event.payload.encode(), DocumentsVerified)


def handler(client):
    return step_handler(client.app.state.applications, record_documents_verified)


async def test_create_submit_and_exactly_one_event_on_kafka(registration, published, outbox):
    app_id, auth = await new_application(registration, "AB123456")
    view = (await registration.get(f"/applications/{app_id}", headers=auth)).json()
    assert view["status"] == "draft" and view["cnie"] == "AB****56" and "AB123456" not in str(view)
    # Another account's id and an unknown id: the same 404; no account named at all: 401.
    assert (await registration.get(f"/applications/{app_id}")).status_code == 404
    assert (await registration.get(f"/applications/{app_id}", headers=account())).json() == {
        "detail": "application not found"
    }
    anonymous = await registration.get(f"/applications/{app_id}", headers={"X-Citizen": " "})
    assert anonymous.status_code == 401
    mine = (await registration.get("/applications", headers=auth)).json()
    assert [a["id"] for a in mine] == [app_id] and mine[0]["cnie"] == "AB****56"
    assert (await registration.get("/applications", headers=account())).json() == []
    assert (await registration.get("/applications/unknown", headers=auth)).status_code == 404
    assert (await registration.get(f"/applications/{app_id}/access", headers=auth)).json() == {
        "status": "draft",
        "uploads_open": True,
        "revalidation_open": False,
    }

    first = await registration.post(f"/applications/{app_id}/submit", headers=auth)
    second = await registration.post(f"/applications/{app_id}/submit", headers=auth)
    assert first.status_code == second.status_code == 202
    assert first.json()["status"] == "submitted" and second.json() == first.json()

    await outbox(registration.app.state.runtime)
    records = await published(APPLICATION_SUBMITTED, key=app_id)
    assert len(records) == 1
    headers = {k: v.decode() for k, v in records[0].headers}
    assert headers["ce_type"] == EVENT_TYPES[ApplicationSubmitted]
    assert headers["ce_subject"] == app_id and headers["ce_source"] == "registration"
    event = read_event(headers, records[0].value, ApplicationSubmitted)
    assert event.payload.submission == 1 and event.payload.applicant.cnie == "AB123456"
    stored = await registration.app.state.applications.store.get(app_id)
    assert stored["owner"] == auth["X-Citizen"] and "token_sha256" not in stored
    assert RIB not in str(stored) and RIB not in str(
        records[0].value
    )  # sealed at rest and on Kafka
    assert view["bank_account"] == "•••• " + RIB[-4:]


async def test_ten_racing_submits_publish_one_event(registration, published, outbox):
    app_id, auth = await new_application(registration)
    responses = await asyncio.gather(
        *(registration.post(f"/applications/{app_id}/submit", headers=auth) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {202}
    await outbox(registration.app.state.runtime)
    assert len(await published(APPLICATION_SUBMITTED, key=app_id)) == 1


async def test_a_resubmission_racing_a_late_verdict_keeps_both(registration, published, outbox):
    app_id, auth = await new_application(registration)
    await registration.post(f"/applications/{app_id}/submit", headers=auth)
    handle = handler(registration)
    await handle(incomplete_verdict(app_id, 1))
    late = incomplete_verdict(app_id, 1)  # a second verdict on the first filing, in flight

    resubmitted, _ = await asyncio.gather(
        registration.post(f"/applications/{app_id}/submit", headers=auth), handle(late)
    )
    assert resubmitted.status_code == 202
    view = (await registration.get(f"/applications/{app_id}", headers=auth)).json()
    assert (view["status"], view["submission"]) == ("submitted", 2)
    assert [e["status"] for e in view["timeline"]].count("incomplete") == 2
    await outbox(registration.app.state.runtime)
    records = await published(APPLICATION_SUBMITTED, key=app_id)
    assert [ApplicationSubmitted.model_validate_json(r.value).submission for r in records] == [1, 2]


async def test_relay_racing_new_events_publishes_each_once(registration, published, outbox):
    runtime = registration.app.state.runtime
    await runtime.relay.stop()  # one drainer only: ours, racing the writers below
    handle = handler(registration)
    apps = [await new_application(registration) for _ in range(8)]
    done = asyncio.Event()

    async def file_twice(app_id, auth):
        await registration.post(f"/applications/{app_id}/submit", headers=auth)
        await handle(incomplete_verdict(app_id, 1))
        await registration.post(f"/applications/{app_id}/submit", headers=auth)

    async def drain_meanwhile():
        while not done.is_set():
            await runtime.relay.drain()
            await asyncio.sleep(0)
        await runtime.relay.drain()

    drainer = asyncio.create_task(drain_meanwhile())
    await asyncio.gather(*(file_twice(*app) for app in apps))
    done.set()
    await drainer
    await outbox(runtime)
    for app_id, _ in apps:
        records = await published(APPLICATION_SUBMITTED, key=app_id)
        assert [ApplicationSubmitted.model_validate_json(r.value).submission for r in records] == [
            1,
            2,
        ]
