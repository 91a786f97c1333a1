"""On the running platform (the test stack's supervised services): hospital clients of the
stack's identity provider open the facility routes as the facility their tokens name, and an
applicant token is resolved by the real registration, which names no member before the card."""

from __future__ import annotations

import httpx

from amo_testkit import applicant


async def test_hospital_clients_tokens_open_the_facility_routes(platform, facilities):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        path = "/v1/facility/claims/0123456789abcdef"
        anonymous = await client.get(path)
        stranger = await client.get(path, headers={"Authorization": "Bearer " + "s" * 32})
        assert (anonymous.status_code, stranger.status_code) == (401, 401)
        for facility, auth in facilities.items():
            # Past the gateway's check: claims answers for this facility (no such claim of it).
            known = await client.get(path, headers=auth)
            assert known.status_code == 404, (facility, known.text)


async def test_an_applicant_token_names_no_member_before_the_card(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        created = await client.post("/v1/applications", json=applicant("public_employee"))
        assert created.status_code == 201, created.text
        mine = {"Authorization": f"Bearer {created.json()['token']}"}
        answers = [
            await client.get("/v1/claims", headers=mine),
            await client.get("/v1/claims", headers={"Authorization": "Bearer " + "u" * 43}),
        ]
        assert [a.status_code for a in answers] == [404, 404]
        assert {a.text for a in answers} == {'{"detail":"no card for this token"}'}
        assert (await client.get("/v1/claims")).status_code == 401
