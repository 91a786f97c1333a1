"""Integration fixtures of the notifications service; `stack`, `bus`, `run_app` and `wait` come
from the root conftest (one real stack per test session, Mailpit included)."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest


@pytest.fixture(scope="module")
def database() -> str:
    return f"amo_test_notifications_{uuid4().hex[:8]}"


@pytest.fixture
def mailbox(stack):
    """Messages Mailpit holds for one address, through its search API."""

    async def messages(address: str) -> list[dict]:
        async with httpx.AsyncClient(base_url=stack.mailpit_url, timeout=10) as client:
            r = await client.get("/api/v1/search", params={"query": f"to:{address}"})
            r.raise_for_status()
            return r.json()["messages"]

    return messages
