"""Integration (real stack): a renewal proof after the card is checked, kept and announced once
on `documents.revalidated`; other kinds are 409 and a proof without a text layer is refused."""

from __future__ import annotations

from uuid import uuid4

from amo_shared.events import DocumentRevalidated
from amo_shared.topics import DOCUMENTS_REVALIDATED
from amo_testkit import JPEG, pdf_carrying, value_of

RENEWAL = {"X-Renewal": "1"}


async def test_a_renewal_proof_is_announced_once_and_only_renewal_kinds_are_taken(client, app, bus):
    application = f"app-{uuid4().hex[:12]}"
    path = f"/applications/{application}/documents/school_certificate"
    proof = pdf_carrying(b"2026-2027")
    r = await client.put(
        path, params={"dependant": 0}, files={"file": ("c.pdf", proof)}, headers=RENEWAL
    )
    assert r.status_code == 201, r.text
    again = await client.put(
        path, params={"dependant": 0}, files={"file": ("c.pdf", proof)}, headers=RENEWAL
    )
    assert again.status_code == 201
    (record,) = await bus.wait_records(DOCUMENTS_REVALIDATED, application, 1)
    event = DocumentRevalidated.model_validate(value_of(record))
    assert (event.kind, event.dependant, event.sha256) == (
        "school_certificate",
        0,
        r.json()["sha256"],
    )
    doc = await app.state.runtime.db["application_documents"].find_one({"_id": application})
    assert len(doc["renewals"]["school_certificate:0"]) == 1 and doc["outbox"] == []

    photo = f"/applications/{application}/documents/photo"
    assert (
        await client.put(photo, files={"file": ("p.jpg", JPEG)}, headers=RENEWAL)
    ).status_code == 409
    scan = await client.put(
        path, params={"dependant": 0}, files={"file": ("s.jpg", JPEG)}, headers=RENEWAL
    )
    assert scan.status_code == 422 and scan.json()["detail"][0]["type"] == "document.no_text_layer"
    assert len(await bus.records(DOCUMENTS_REVALIDATED, key=application)) == 1
