"""`GET /members/me` on the real stack: the gateway resolves a citizen's account to the member its
application became; an account with no card, or asking for a number that is not its own, gets
the same 404, whose text says nothing about which. An account holding several cards (a guardian
filing for orphans) names the one it means."""

from __future__ import annotations

import secrets

from amo_registration.domain import record_card_issued
from amo_shared.events import CardIssued
from amo_shared.topics import CARD_ISSUED

from .test_one_membership import account, card, deliver, new_application

NO_CARD = {"detail": "no card for this account"}


async def issue(registration, app_id: str, auth: dict) -> str:
    await registration.post(f"/applications/{app_id}/submit", headers=auth)
    number = f"M{secrets.randbelow(10**8):08d}"
    issued = CardIssued(**card(app_id, number))
    await deliver(registration, CARD_ISSUED, record_card_issued, issued, app_id)
    return number


async def test_an_account_resolves_to_its_member_once_the_card_is_issued(registration):
    app_id, auth = await new_application(registration)
    other_id, other_auth = await new_application(registration)
    await registration.post(f"/applications/{app_id}/submit", headers=auth)
    before = await registration.get("/members/me", headers=auth)
    assert before.status_code == 404

    number = await issue(registration, app_id, auth)
    me = await registration.get("/members/me", headers=auth)
    assert me.status_code == 200, me.text
    assert me.json() == {"application_id": app_id, "member_number": number}
    # The other account opens its own file, which has no card; naming this card is no help.
    other = await registration.get("/members/me", headers=other_auth)
    named = await registration.get("/members/me", params={"member": number}, headers=other_auth)
    assert other.status_code == named.status_code == 404 and other_id not in other.text
    assert other.json() == named.json() == before.json() == NO_CARD
    assert number not in named.text


async def test_an_account_with_two_cards_names_the_one_it_means(registration):
    guardian = account()
    first_id, _ = await new_application(registration, owner=guardian)
    second_id, _ = await new_application(registration, owner=guardian)
    first, second = (
        await issue(registration, first_id, guardian),
        await issue(registration, second_id, guardian),
    )
    unnamed = await registration.get("/members/me", headers=guardian)
    assert unnamed.status_code == 409 and first not in unnamed.text and second not in unnamed.text
    for app_id, number in ((first_id, first), (second_id, second)):
        me = await registration.get("/members/me", params={"member": number}, headers=guardian)
        assert me.json() == {"application_id": app_id, "member_number": number}
    listed = (await registration.get("/applications", headers=guardian)).json()
    assert [(a["id"], a["member_number"]) for a in listed] == [
        (first_id, first),
        (second_id, second),
    ]


async def test_no_account_named_is_401_and_never_a_member(registration):
    app_id, auth = await new_application(registration)
    await issue(registration, app_id, auth)
    for headers in ({"X-Citizen": ""}, {"X-Citizen": "   "}):
        answer = await registration.get("/members/me", headers=headers)
        assert answer.status_code == 401 and "member_number" not in answer.text


async def test_the_lookup_uses_an_index_on_the_owner(registration):
    indexes = await registration.app.state.applications.store.collection.index_information()
    assert any([key for key, _ in index["key"]] == ["owner"] for index in indexes.values()), indexes
