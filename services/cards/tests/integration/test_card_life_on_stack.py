"""The card's life on the real stack: the job's idempotency, a proof redelivered, operators
racing, and a statement verified with the published keys only."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime
from uuid import uuid4

import pikepdf
from joserfc import jws
from joserfc.jwk import KeySet

from amo_cards.app import SERVICE, create_app
from amo_cards.settings import Settings
from amo_shared.envelope import new_event
from amo_shared.events import (
    ApplicantFacts,
    Category,
    Dependant,
    DependantCoverage,
    DocumentKind,
    DocumentRevalidated,
    EligibilityDecided,
    Revalidation,
)
from amo_shared.topics import (
    CARD_REINSTATED,
    CARD_SUSPENDED,
    DOCUMENTS_REVALIDATED,
    ELIGIBILITY_DECIDED,
)

OPERATOR = {"X-Operator": "op-reviewer-1"}


def settings(stack, database, tmp_path) -> Settings:
    return Settings(
        **stack.kafka_settings("cards"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
        outbox_poll_seconds=0.2,
        signing_keys_dir=str(tmp_path / "keys"),
    )


def decided(app_id: str, due: date):
    applicant = ApplicantFacts(
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1975, 4, 12),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
        dependants=[
            Dependant(
                relationship="child",
                first_name="Sara",
                last_name="Alaoui",
                birth_date=date(2004, 1, 1),
                student=True,
            )
        ],
    )
    payload = EligibilityDecided(
        application_id=app_id,
        decided_at=datetime.now(UTC),
        outcome="approved",
        reasons=[],
        rules_version="t",
        coverage_start=date(2026, 1, 1),
        covered_dependants=[0],
        dependant_coverage=[
            DependantCoverage(
                dependant=0, coverage_from=date(2026, 1, 1), coverage_until=date(2029, 12, 31)
            )
        ],
        payer="CNOPS",
        revalidations=[Revalidation(what=DocumentKind.SCHOOL_CERTIFICATE, dependant=0, due_on=due)],
        applicant=applicant,
    )
    return new_event(ELIGIBILITY_DECIDED, payload, source="eligibility", key=app_id)


async def issued(app, app_id, wait):
    store = app.state.cards.store

    async def ready():
        doc = await store.get(app_id)
        return doc if doc and not doc["outbox_pending"] else None

    return await wait(ready, "card issued")


async def test_job_proof_and_operators(stack, bus, database, run_app, wait, tmp_path):
    app_id, due = f"app-{uuid4().hex[:8]}", date(2027, 1, 10)
    app = create_app(settings(stack, database, tmp_path))
    async with run_app(app) as client:
        await bus.publish(decided(app_id, due))
        number = (await issued(app, app_id, wait))["member_number"]

        # The job as of the due day suspends the child once; the same day again changes nothing.
        first = (await client.post("/operations/revalidate", params={"as_of": "2027-01-10"})).json()
        again = (await client.post("/operations/revalidate", params={"as_of": "2027-01-10"})).json()
        assert first["changes"].get("suspended", 0) >= 1 and again["changed"] == 0
        card = (await client.get(f"/cards/{number}")).json()
        assert card["beneficiaries"][1]["status"] == "suspended" and card["sequence"] == 2

        # A renewal proof, delivered twice under two event ids: one reinstatement.
        proof = DocumentRevalidated(
            application_id=app_id,
            kind="school_certificate",
            dependant=0,
            sha256="b" * 64,
            accepted_at=datetime(2027, 1, 20, tzinfo=UTC),
        )
        one = new_event(DOCUMENTS_REVALIDATED, proof, source="documents", key=app_id)
        await bus.publish(one)
        sent = await bus.publish(one.model_copy(update={"id": str(uuid4())}))
        await bus.wait_consumed(SERVICE, sent)
        card = (await client.get(f"/cards/{number}")).json()
        assert card["beneficiaries"][1]["status"] == "active" and card["sequence"] == 3
        assert card["dues"][0]["due_on"] == "2028-01-10"

        # Operators: 401 without the header, racing suspensions: one wins, the other 409.
        path = f"/operator/cards/{number}/suspend"
        body = {"reason": "operator.fraud_suspected", "beneficiary_rank": None}
        assert (await client.post(path, json=body)).status_code == 401
        assert (
            await client.post(path, json={**body, "reason": "free text"}, headers=OPERATOR)
        ).status_code == 422
        answers = await asyncio.gather(
            *(client.post(path, json=body, headers=OPERATOR) for _ in range(4))
        )
        assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
        back = {"reason": "operator.suspended_in_error", "beneficiary_rank": None}
        assert (
            await client.post(f"/operator/cards/{number}/reinstate", json=back, headers=OPERATOR)
        ).status_code == 200
        assert (
            await client.post(f"/operator/cards/{number}/reinstate", json=back, headers=OPERATOR)
        ).status_code == 409

        # The statement: verified with nothing but the JWKS document and joserfc.
        pdf = await client.get(f"/cards/{number}/card.pdf", params={"lang": "ar"})
        keys = (await client.get("/.well-known/jwks.json")).json()
        with pikepdf.open(io.BytesIO(pdf.content)) as document:
            token = str(document.docinfo["/Subject"])
        claims = jws.deserialize_compact(token, KeySet.import_key_set(keys), algorithms=["EdDSA"])
        assert number in claims.payload.decode()
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert (await client.get("/cards/verify", params={"token": forged})).json()[
            "genuine"
        ] is False
        verdict = (await client.get("/cards/verify", params={"token": token})).json()
        assert verdict["genuine"] is True and verdict["card"]["status"] == "active"
        await wait(lambda: _relayed(app, app_id), "events relayed")
    changes = await bus.records(CARD_SUSPENDED, key=number)
    assert [c for c in changes if b'"beneficiary_rank":1' in c.value]
    assert len(await bus.records(CARD_REINSTATED, key=number)) == 2


async def _relayed(app, app_id):
    doc = await app.state.cards.store.get(app_id)
    return not doc["outbox_pending"]
