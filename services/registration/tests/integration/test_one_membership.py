"""One membership per person on the real stack: racing creations, the release of an ended file,
survivors linked to the deceased's membership, look-alikes on the event, the card endpoint."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime
from uuid import uuid4

from amo_registration.domain import (
    record_card_change,
    record_card_issued,
    record_eligibility_decided,
)
from amo_registration.handlers import step_handler
from amo_shared.envelope import new_event, read_event
from amo_shared.events import (
    ApplicationSubmitted,
    CardBeneficiary,
    CardIssued,
    CardRevoked,
    ChangeReason,
    DecisionReason,
    EligibilityDecided,
)
from amo_shared.topics import APPLICATION_SUBMITTED, CARD_ISSUED, CARD_REVOKED, ELIGIBILITY_DECIDED

NOW = datetime.now(UTC)
RIB = "011780000000000000000002"
RIB = RIB[:22] + f"{97 - (int(RIB[:22]) * 100) % 97:02d}"


def unique_cnie() -> str:
    return f"AB{secrets.randbelow(900000) + 100000}"


def body(cnie: str, **applicant) -> dict:
    facts = {
        "cnie": cnie,
        "cnie_expiry": "2099-01-01",
        "first_name": "Amina",
        "last_name": "Alaoui",
        "birth_date": "1990-01-01",
        "nationality": "MA",
        "category": "public_employee",
        "recruitment_date": "2025-09-01",
    }
    return {"applicant": facts | applicant, "email": "a@b.ma", "phone": "0612345678", "rib": RIB}


def account() -> dict[str, str]:
    """A citizen's account as the gateway names it to registration (its `sub`)."""
    return {"X-Citizen": f"sub-{uuid4()}"}


async def new_application(
    client, cnie: str | None = None, owner: dict[str, str] | None = None
) -> tuple[str, dict]:
    owner = owner or account()
    response = await client.post("/applications", json=body(cnie or unique_cnie()), headers=owner)
    assert response.status_code == 201, response.text
    return response.json()["id"], owner


def incoming(topic, payload, key):
    event = new_event(topic, payload, source="tests", key=key)
    return read_event(event.headers(), event.payload.encode(), type(payload))


async def deliver(client, topic, record, payload, key):
    await step_handler(client.app.state.applications, record)(incoming(topic, payload, key))


def card(app_id: str, member_number: str, **changes) -> dict:
    return {
        "member_number": member_number,
        "application_id": app_id,
        "category": "public_employee",
        "status": "active",
        "valid_from": date(2026, 3, 2),
        "valid_until": date(2031, 3, 1),
        "beneficiaries": [
            CardBeneficiary(
                rank=0,
                relationship="self",
                first_name="Amina",
                last_name="Alaoui",
                birth_date=date(1990, 1, 1),
                coverage_from=date(2026, 3, 2),
            )
        ],
        "payer": "CNOPS",
        "issued_at": NOW,
    } | changes


async def test_racing_creations_for_one_person_make_one_application(registration):
    cnie = unique_cnie()
    responses = await asyncio.gather(
        *(registration.post("/applications", json=body(cnie)) for _ in range(8))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 7, codes
    refused = next(r for r in responses if r.status_code == 409)
    created = next(r for r in responses if r.status_code == 201).json()
    # The refusal names the rule, not the other file.
    assert created["id"] not in refused.text and cnie not in refused.text
    assert "open application or a membership" in refused.json()["detail"]


async def test_an_ineligible_file_releases_the_person(registration):
    cnie = unique_cnie()
    app_id, auth = await new_application(registration, cnie)
    await registration.post(f"/applications/{app_id}/submit", headers=auth)
    assert (await registration.post("/applications", json=body(cnie))).status_code == 409
    refusal = EligibilityDecided(
        application_id=app_id,
        decided_at=NOW,
        outcome="rejected",
        reasons=[DecisionReason(code="waiting", passed=False, message_fr="f", message_ar="ع")],
        rules_version="r",
        applicant=body(cnie)["applicant"],
    )
    await deliver(registration, ELIGIBILITY_DECIDED, record_eligibility_decided, refusal, app_id)
    again = await asyncio.gather(
        *(registration.post("/applications", json=body(cnie)) for _ in range(4))
    )
    assert sorted(r.status_code for r in again) == [201, 409, 409, 409]


async def test_a_membership_holds_the_person_until_its_card_is_revoked(registration):
    cnie = unique_cnie()
    app_id, auth = await new_application(registration, cnie)
    await registration.post(f"/applications/{app_id}/submit", headers=auth)
    number = f"M{cnie[2:]}"
    await deliver(
        registration, CARD_ISSUED, record_card_issued, CardIssued(**card(app_id, number)), app_id
    )
    assert (await registration.post("/applications", json=body(cnie))).status_code == 409
    view = (await registration.get(f"/applications/{app_id}/card", headers=auth)).json()
    assert view["member_number"] == number and view["beneficiaries"][0]["rank"] == 0
    access = (await registration.get(f"/applications/{app_id}/access", headers=auth)).json()
    assert access["revalidation_open"] is True and access["uploads_open"] is False

    revoked = CardRevoked(
        **card(app_id, number, status="revoked", sequence=2),
        change="revoked",
        reason=ChangeReason(code="operator.fraud", message_fr="f", message_ar="ع"),
        effective_on=date(2026, 6, 1),
        changed_at=NOW,
    )
    await deliver(registration, CARD_REVOKED, record_card_change, revoked, number)
    card_now = (await registration.get(f"/applications/{app_id}/card", headers=auth)).json()
    assert (card_now["status"], card_now["sequence"]) == ("revoked", 2)
    assert [h["change"] for h in card_now["history"]] == ["revoked"]
    access = (await registration.get(f"/applications/{app_id}/access", headers=auth)).json()
    assert access["revalidation_open"] is False
    assert (await registration.post("/applications", json=body(cnie))).status_code == 201


async def test_no_card_yet_is_a_404_like_another_accounts_application(registration):
    app_id, auth = await new_application(registration)
    assert (await registration.get(f"/applications/{app_id}/card", headers=auth)).status_code == 404
    _, other = await new_application(registration)
    assert (
        await registration.get(f"/applications/{app_id}/card", headers=other)
    ).status_code == 404


async def test_a_survivor_names_a_known_membership(registration):
    deceased_id, deceased_auth = await new_application(registration)
    await registration.post(f"/applications/{deceased_id}/submit", headers=deceased_auth)
    number = f"M{unique_cnie()[2:]}9"
    await deliver(
        registration,
        CARD_ISSUED,
        record_card_issued,
        CardIssued(**card(deceased_id, number)),
        deceased_id,
    )
    survivor = {
        "category": "widow",
        "member_death_date": "2026-01-10",
        "survivor_pension": False,
        "recruitment_date": None,
    }
    unknown = await registration.post(
        "/applications", json=body(unique_cnie(), **survivor, deceased_member_number="M0")
    )
    assert unknown.status_code == 422
    [error] = unknown.json()["detail"]
    assert error["loc"] == ["body", "deceased_member_number"]
    assert error["msg"] == "no membership with this number"
    known = await registration.post(
        "/applications", json=body(unique_cnie(), **survivor, deceased_member_number=number)
    )
    assert known.status_code == 201, known.text
    stored = await registration.app.state.applications.get(known.json()["id"])
    assert stored.deceased_application_id == deceased_id


async def test_a_lookalike_under_another_cnie_is_named_on_the_event(
    registration, published, outbox
):
    first_id, _ = await new_application(registration)
    twin = body(unique_cnie(), first_name="AMÏNA", last_name=" alaoui ", birth_date="1977-07-07")
    original = body(unique_cnie(), birth_date="1977-07-07")
    first = (await registration.post("/applications", json=original)).json()
    second = (await registration.post("/applications", json=twin)).json()
    assert (await registration.post(f"/applications/{second['id']}/submit")).is_success
    await outbox(registration.app.state.runtime)
    [record] = await published(APPLICATION_SUBMITTED, key=second["id"])
    event = ApplicationSubmitted.model_validate_json(record.value)
    assert event.likely_duplicate_of == [first["id"]] and first_id not in event.likely_duplicate_of
    assert event.contact.email == "a@b.ma" and event.contact.language == "fr"
    assert event.applicant.bank_account.hint.endswith(RIB[-4:])
    assert RIB not in record.value.decode()
