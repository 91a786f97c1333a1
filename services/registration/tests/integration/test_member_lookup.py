"""`GET /members/me` on the real stack: the gateway resolves an applicant token to the member its
application became; every token that opens no card (unknown, wrong scheme, no card yet) gets the
same 404, whose text says nothing about which."""

from __future__ import annotations

import secrets

from amo_registration.domain import record_card_issued
from amo_shared.events import CardIssued
from amo_shared.topics import CARD_ISSUED

from .test_one_membership import card, deliver, new_application


async def test_a_token_resolves_to_its_member_once_the_card_is_issued(registration):
    app_id, auth = await new_application(registration)
    other_id, other_auth = await new_application(registration)
    await registration.post(f"/applications/{app_id}/submit", headers=auth)
    before = await registration.get("/members/me", headers=auth)
    assert before.status_code == 404

    number = f"M{secrets.randbelow(10**8):08d}"
    issued = CardIssued(**card(app_id, number))
    await deliver(registration, CARD_ISSUED, record_card_issued, issued, app_id)

    me = await registration.get("/members/me", headers=auth)
    assert me.status_code == 200, me.text
    assert me.json() == {"application_id": app_id, "member_number": number}
    # The other applicant's token opens their own file, which has no card.
    other = await registration.get("/members/me", headers=other_auth)
    assert other.status_code == 404 and other_id not in other.text
    assert other.json() == before.json() == {"detail": "no card for this token"}


async def test_unknown_missing_or_malformed_tokens_get_the_same_404(registration):
    app_id, auth = await new_application(registration)
    await registration.post(f"/applications/{app_id}/submit", headers=auth)
    number = f"M{secrets.randbelow(10**8):08d}"
    issued = CardIssued(**card(app_id, number))
    await deliver(registration, CARD_ISSUED, record_card_issued, issued, app_id)
    token = auth["Authorization"].removeprefix("Bearer ")
    answers = [
        await registration.get("/members/me"),
        await registration.get("/members/me", headers={"Authorization": "Bearer "}),
        await registration.get("/members/me", headers={"Authorization": f"Basic {token}"}),
        await registration.get("/members/me", headers={"Authorization": f"Bearer {token}x"}),
        await registration.get("/members/me", headers={"Authorization": f"Bearer {token[:-1]}"}),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert {a.text for a in answers} == {'{"detail":"no card for this token"}'}
    assert all(number not in a.text for a in answers)
    assert (await registration.get("/members/me", headers=auth)).json()["member_number"] == number


async def test_the_lookup_uses_an_index_on_the_token_digest(registration):
    indexes = await registration.app.state.applications.store.collection.index_information()
    assert any(
        [key for key, _ in index["key"]] == ["token_sha256"] for index in indexes.values()
    ), indexes
