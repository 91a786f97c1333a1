"""End to end: a certificate without a text layer goes to the operators' review queue; a refusal
needs a second operator (four-eyes); the applicant then gets one notice with that reason,
re-uploads only that document, resubmits and gets a card."""

from __future__ import annotations

import io

import pikepdf

from amo_testkit import PDF, applicant, eventually, required_uploads


def scanned_certificate() -> bytes:
    """What a scanner makes of a certificate: a page, no text layer."""
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


async def test_a_refusal_with_four_eyes_then_re_upload_resubmit_and_card(applicants, operators):
    body = applicant("public_employee")
    app = await applicants.create(body)
    for kind, dependant in required_uploads(body):
        if kind == "work_certificate":
            r = await app.upload(kind, scanned_certificate(), filename="scan.pdf")
            assert r.status_code == 201 and r.json()["review"] == "document.no_text_layer"
        else:
            await app.upload_all([(kind, dependant)])
    assert (await app.submit()).status_code == 202
    await app.wait_for("in_review")

    client = app.client
    # A reviewer refuses, a supervisor confirms: two people, each with a role that may review.
    one, two = operators["op-reviewer-1@amo.test"], operators["op-supervisor-2@amo.test"]
    assert (await client.get("/v1/operator/reviews")).status_code == 401

    async def waiting_item():
        r = await client.get("/v1/operator/reviews", params={"status": "waiting"}, headers=one)
        assert r.status_code == 200, r.text
        return next((i for i in r.json() if i["application_id"] == app.id), None)

    item = await eventually(waiting_item, "the certificate waits in the review queue")
    assert (item["kind"], item["code"]) == ("work_certificate", "document.no_text_layer")
    assert body["cnie"] not in str(item)  # a masked CNIE at most
    base = f"/v1/operator/reviews/{item['id']}"

    assert (await client.post(f"{base}/claim", headers=one)).status_code == 200
    reason = "attestation sans cachet de l'employeur"
    r = await client.post(f"{base}/refuse", json={"reason": reason}, headers=one)
    assert r.status_code == 200 and r.json()["status"] == "refusal_pending"
    assert (await client.post(f"{base}/confirm", headers=one)).status_code == 409
    r = await client.post(f"{base}/confirm", headers=two)
    assert r.status_code == 200 and r.json()["status"] == "refused"

    view = await app.wait_for("incomplete")
    (fix,) = view["rounds"][0]["to_fix"]
    assert (fix["kind"], fix["status"], fix["code"]) == (
        "work_certificate",
        "refused",
        "review.refused",
    )
    assert reason in fix["message_fr"] and fix["message_ar"]

    # Only the refused document is uploaded again; the accepted ones are reused.
    assert (await app.upload("cnie", PDF)).status_code == 409
    assert (await app.upload("work_certificate", PDF)).status_code == 201
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("card_issued", "ineligible", "incomplete")
    assert view["status"] == "card_issued", view
    assert [r["submission"] for r in view["rounds"]] == [1, 2]
