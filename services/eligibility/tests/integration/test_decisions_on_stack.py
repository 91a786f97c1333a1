"""Eligibility on the real stack: a complete file gives one decision, recorded and published once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from amo_eligibility.app import SERVICE, create_app
from amo_eligibility.settings import Settings
from amo_shared.envelope import new_event
from amo_shared.events import (
    ApplicantFacts,
    Category,
    Dependant,
    DocumentsVerified,
    DocumentVerdict,
    EligibilityDecided,
)
from amo_shared.topics import DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED

FILED = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)


def settings(stack, database) -> Settings:
    return Settings(
        **stack.kafka_settings("eligibility"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
        outbox_poll_seconds=0.2,
    )


def verified(app_id: str, *, outcome="complete", submission=1, nationality="MA"):
    applicant = ApplicantFacts(
        cnie="ZX998877",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 4, 12),
        nationality=nationality,
        category=Category.PUBLIC_EMPLOYEE,
        recruitment_date=date(2024, 1, 15),
    )
    payload = DocumentsVerified(
        application_id=app_id,
        submission=submission,
        verified_at=FILED,
        outcome=outcome,
        verdicts=[DocumentVerdict(kind="cnie", status="accepted")],
        applicant=applicant,
        submitted_at=FILED,
    )
    return new_event(DOCUMENTS_VERIFIED, payload, source="documents", key=app_id)


async def relayed(app, app_id: str, submission: int, wait):
    decisions = app.state.decisions.store

    async def done():
        doc = await decisions.get(f"{app_id}:{submission}")
        return doc if doc and not doc["outbox_pending"] else None

    return await wait(done, f"decision {app_id}:{submission} relayed")


async def decided_for(bus, app_id: str) -> list[EligibilityDecided]:
    return [
        EligibilityDecided.model_validate_json(r.value)
        for r in await bus.read(ELIGIBILITY_DECIDED)
        if r.key == app_id.encode()
    ]


async def test_a_complete_file_redelivered_or_replayed_is_decided_once(
    stack, bus, database, run_app, wait
):
    app_id = f"app-{uuid4().hex[:8]}"
    event = verified(app_id)
    app = create_app(settings(stack, database))
    async with run_app(app) as client:
        await bus.publish(event)
        await bus.publish(event)
        last = await bus.publish(event.model_copy(update={"id": str(uuid4())}))  # re-verified copy
        await bus.wait_consumed(SERVICE, last)
        await relayed(app, app_id, 1, wait)
        response = await client.get(f"/decisions/{app_id}")
    published = await decided_for(bus, app_id)
    assert len(published) == 1
    decision = published[0]
    assert decision.outcome == "approved" and decision.rules_version == "2025.1"
    assert decision.coverage_start == date(2025, 3, 10)  # recruited > 3 months before filing
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "approved" and body["as_of"] == "2025-03-10"
    assert body["reasons"] == [r.model_dump(mode="json") for r in decision.reasons]
    assert all(r["message_fr"] and r["message_ar"] for r in body["reasons"])
    assert "ZX998877" not in response.text


async def test_an_incomplete_file_is_not_decided(stack, bus, database, run_app):
    app_id = f"app-{uuid4().hex[:8]}"
    app = create_app(settings(stack, database))
    async with run_app(app) as client:
        await bus.wait_consumed(SERVICE, await bus.publish(verified(app_id, outcome="incomplete")))
        response = await client.get(f"/decisions/{app_id}")
    assert response.status_code == 404
    assert await decided_for(bus, app_id) == []


async def test_the_latest_submission_decision_is_shown(stack, bus, database, run_app, wait):
    app_id = f"app-{uuid4().hex[:8]}"
    app = create_app(settings(stack, database))
    async with run_app(app) as client:
        await bus.publish(verified(app_id, submission=1, nationality="FR"))
        await bus.wait_consumed(SERVICE, await bus.publish(verified(app_id, submission=2)))
        await relayed(app, app_id, 2, wait)
        response = await client.get(f"/decisions/{app_id}")
    assert (response.json()["submission"], response.json()["outcome"]) == (2, "approved")
    assert [(d.submission, d.outcome) for d in await decided_for(bus, app_id)] == [
        (1, "rejected"),
        (2, "approved"),
    ]


async def test_the_published_decision_carries_payer_coverage_end_and_each_dependants_period(
    stack, bus, database, run_app, wait
):
    app_id = f"app-{uuid4().hex[:8]}"
    filed = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    widow = ApplicantFacts(
        cnie="ZX998877",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1975, 4, 12),
        nationality="MA",
        category=Category.WIDOW,
        member_death_date=date(2025, 10, 20),
        survivor_pension=False,
        deceased_member_number="M123456789012",
        dependants=[
            Dependant(
                relationship="child",
                first_name="Sara",
                last_name="Alaoui",
                birth_date=date(2010, 2, 2),
            ),
            Dependant(
                relationship="spouse",
                first_name="Ali",
                last_name="Alaoui",
                birth_date=date(1970, 1, 1),
                insured_elsewhere=True,
            ),
        ],
    )
    event = new_event(
        DOCUMENTS_VERIFIED,
        DocumentsVerified(
            application_id=app_id,
            verified_at=filed,
            outcome="complete",
            verdicts=[DocumentVerdict(kind="cnie", status="accepted")],
            applicant=widow,
            submitted_at=filed,
        ),
        source="documents",
        key=app_id,
    )
    app = create_app(settings(stack, database))
    async with run_app(app) as client:
        await bus.wait_consumed(SERVICE, await bus.publish(event))
        await relayed(app, app_id, 1, wait)
        response = await client.get(f"/decisions/{app_id}")
    [decision] = await decided_for(bus, app_id)
    assert (decision.outcome, decision.rules_version, decision.payer) == (
        "approved",
        "2026.2",
        "CNOPS",
    )
    assert decision.coverage_start == date(2025, 10, 21)  # the day after the death
    assert decision.coverage_until == date(2027, 10, 20)  # the death + 24 months
    assert decision.covered_dependants == [0]  # the spouse is insured elsewhere
    assert [
        (d.dependant, d.coverage_from, d.coverage_until) for d in decision.dependant_coverage
    ] == [(0, date(2025, 10, 21), date(2027, 10, 20))]
    assert [(r.what, r.due_on) for r in decision.revalidations] == [
        ("survivor_pension", date(2027, 10, 20))
    ]
    body = response.json()
    assert (body["payer"], body["coverage_until"]) == ("CNOPS", "2027-10-20")
    assert body["dependant_coverage"] == [
        {"dependant": 0, "coverage_from": "2025-10-21", "coverage_until": "2027-10-20"}
    ]
