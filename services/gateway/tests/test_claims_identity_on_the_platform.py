"""On the running platform (the test stack's supervised services): hospital clients of the
stack's identity provider open the facility routes as the facility their tokens name, and a
citizen's account is resolved by the real registration, which names no member before the card."""

from __future__ import annotations

import httpx

from amo_localstack.citizens import CitizenAccounts
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


async def test_a_citizen_names_no_member_before_the_card(platform):
    accounts = CitizenAccounts(platform.stack.cfg, batch=2)
    citizen, other = accounts.new(), accounts.new()
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        mine = citizen.header()
        created = await client.post(
            "/v1/applications", json=applicant("public_employee"), headers=mine
        )
        assert created.status_code == 201, created.text
        answers = [
            await client.get("/v1/claims", headers=mine),
            await client.get("/v1/claims", headers=other.header()),
        ]
        assert [a.status_code for a in answers] == [404, 404]
        assert {a.text for a in answers} == {'{"detail":"no card for this account"}'}
        assert (await client.get("/v1/claims")).status_code == 401
        garbage = {"Authorization": "Bearer " + "u" * 43}
        assert (await client.get("/v1/claims", headers=garbage)).status_code == 401
