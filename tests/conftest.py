"""Fixtures of the end-to-end tier: citizens driving the gateway, each signed in with an account
of the session's identity provider (`bus`, the independent Kafka client, comes from the root
conftest)."""

from __future__ import annotations

import httpx
import pytest

from amo_localstack.citizens import CitizenAccounts
from amo_testkit import Applicants


@pytest.fixture(scope="session")
def citizens(platform) -> CitizenAccounts:
    return CitizenAccounts(platform.stack.cfg)


@pytest.fixture
async def applicants(platform, citizens):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        yield Applicants(client, citizens)
