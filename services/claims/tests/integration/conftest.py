"""Integration fixtures of the claims service; `stack`, `bus`, `run_app` and `wait` come from the
root conftest (one real stack per test session)."""

from __future__ import annotations

from uuid import uuid4

import pytest


@pytest.fixture(scope="module")
def database() -> str:
    return f"amo_test_claims_{uuid4().hex[:8]}"
