"""The card's life end to end: the revalidation job suspends a child whose school certificate
lapsed and a new certificate uploaded through the gateway reinstates; operators act with reasons."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from amo_cards.__main__ import revalidate
from amo_shared.topics import CARD_REINSTATED, CARD_REVOKED, CARD_SUSPENDED
from amo_testkit import DOCUMENTS, applicant, content_for, pdf_with_text, value_of


def student_of_23() -> dict:
    born = date.today() - timedelta(days=23 * 365 + 30)
    child = {
        "relationship": "child",
        "first_name": "Sara",
        "last_name": "Alaoui",
        "birth_date": born.isoformat(),
        "student": True,
    }
    return applicant("public_employee", dependants=[child])


async def test_a_lapsed_school_certificate_suspends_the_child_and_a_new_one_reinstates(
    applicants, platform, bus
):
    app = await applicants.create(student_of_23())
    for kind in DOCUMENTS["public_employee"]:
        content, filename = content_for(kind)
        assert (await app.upload(kind, content, filename=filename)).status_code == 201
    for kind in ("birth_certificate", "school_certificate"):
        assert (await app.upload(kind, dependant=0)).status_code == 201
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("card_issued", "ineligible", "incomplete", "in_review")
    assert view["status"] == "card_issued", view
    number = view["card"]["member_number"]

    async with httpx.AsyncClient(base_url=platform.url("cards"), timeout=60) as cards:
        schedule = (await cards.get(f"/cards/{number}/schedule")).json()
    (due,) = [m for m in schedule if m["what"] == "proof" and m["rank"] == 1]
    assert due["document"] == "school_certificate"

    # What `make revalidate AS_OF=<due>` runs, against this platform's cards service.
    summary = revalidate(date.fromisoformat(due["on"]), platform.url("cards"))
    assert summary["changes"].get("suspended", 0) >= 1
    suspended = [value_of(r) for r in await bus.wait_records(CARD_SUSPENDED, key=number)]
    assert [(s["beneficiary_rank"], s["reason"]["code"]) for s in suspended] == [
        (1, "proof.school_certificate.overdue")
    ]
    again = revalidate(date.fromisoformat(due["on"]), platform.url("cards"))
    assert again["changed"] == 0

    renewed = pdf_with_text("ROYAUME DU MAROC", "CERTIFICAT DE SCOLARITE", "ANNEE SUIVANTE")
    upload = await app.upload("school_certificate", renewed, dependant=0)
    assert upload.status_code == 201, upload.text
    reinstated = [value_of(r) for r in await bus.wait_records(CARD_REINSTATED, key=number)]
    assert [(r["beneficiary_rank"], r["reason"]["code"]) for r in reinstated] == [
        (1, "proof.received")
    ]
    assert reinstated[0]["sequence"] == suspended[0]["sequence"] + 1


async def test_operators_suspend_reinstate_and_revoke_with_reasons(applicants, operators, bus):
    app = await applicants.file_complete("public_employee")
    view = await app.wait_for("card_issued", "ineligible", "incomplete", "in_review")
    assert view["status"] == "card_issued", view
    number, client = view["card"]["member_number"], applicants.client
    op = operators["op-supervisor-1@amo.test"]

    def act(action, reason, rank=None, headers=op):
        return client.post(
            f"/v1/operator/cards/{number}/{action}",
            json={"reason": reason, "beneficiary_rank": rank},
            headers=headers,
        )

    assert (await act("suspend", "operator.fraud_suspected", headers={})).status_code == 401
    reviewer = operators["op-reviewer-1@amo.test"]  # the queues only: cards are a supervisor's
    assert (await act("suspend", "operator.fraud_suspected", headers=reviewer)).status_code == 403
    assert (await act("reinstate", "operator.suspended_in_error")).status_code == 409
    assert (await act("suspend", "operator.fraud_suspected")).status_code == 200
    assert (await act("reinstate", "operator.suspended_in_error")).status_code == 200
    assert (await act("revoke", "operator.fraud_confirmed")).status_code == 200
    assert (await act("suspend", "operator.fraud_suspected")).status_code == 409
    assert (await act("suspend", "not.a.reason")).status_code in (409, 422)

    (revoked,) = [value_of(r) for r in await bus.wait_records(CARD_REVOKED, key=number)]
    assert revoked["operator"] == "op-supervisor-1@amo.test" and revoked["status"] == "revoked"
    assert revoked["reason"]["message_ar"] and revoked["sequence"] == 4
    assert len(await bus.records(CARD_SUSPENDED, key=number)) == 1
