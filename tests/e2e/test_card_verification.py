"""A card anyone can verify: the printable card's statement checked with the JWKS alone."""

from __future__ import annotations

import io

import pikepdf
from joserfc import jws
from joserfc.jwk import KeySet

from amo_testkit import applicant


async def test_the_cards_statement_is_verified_with_only_the_published_keys(applicants):
    app = await applicants.file_complete("public_employee")
    view = await app.wait_for("card_issued", "ineligible", "incomplete", "in_review")
    assert view["status"] == "card_issued", view
    client = applicants.client
    pdf = await client.get(f"/v1/applications/{app.id}/card.pdf?lang=ar", headers=app.auth)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(pdf.content)) as document:
        token = str(document.docinfo["/Subject"])

    # A verifier holding only the JWKS document (and joserfc) checks the statement offline.
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert all(key["kid"] and "d" not in key for key in jwks["keys"])
    statement = jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])
    assert view["card"]["member_number"] in statement.payload.decode()
    assert applicant("public_employee")["cnie"] not in statement.payload.decode()

    verdict = (await client.get("/v1/cards/verify", params={"token": token})).json()
    assert verdict["genuine"] is True and verdict["card"]["status"] == "active"
    assert verdict["claims"]["member_number"] == view["card"]["member_number"]
    head, body, signature = token.split(".")
    for forged in (
        f"{head}.{body[:-2]}AA.{signature}",
        f"{head}.{body}.{signature[::-1]}",
        "x.y.z",
    ):
        answer = await client.get("/v1/cards/verify", params={"token": forged})
        assert answer.status_code == 200 and answer.json()["genuine"] is False


async def test_another_citizen_gets_no_card(applicants):
    mine = await applicants.file_complete("public_employee")
    await mine.wait_for("card_issued", "ineligible", "incomplete", "in_review")
    other = await applicants.citizen()
    path = f"/v1/applications/{mine.id}/card.pdf"
    response = await applicants.client.get(path, headers=other.header())
    assert response.status_code == 404
    assert (
        await applicants.client.get(path, headers={"Authorization": "Bearer x"})
    ).status_code == 401
    assert (await applicants.client.get(path, headers=mine.auth)).status_code == 200
