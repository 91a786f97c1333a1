"""Fixtures of the end-to-end tier: an applicant driving the gateway (`bus`, the independent Kafka
client, comes from the root conftest)."""

from __future__ import annotations

import httpx
import pytest

from amo_testkit import Applicants


@pytest.fixture
async def applicants(platform):
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        yield Applicants(client)
