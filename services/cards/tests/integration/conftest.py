"""Integration fixtures of the cards service; `stack`, `bus`, `run_app` and `wait` come from the
root conftest (one real stack per test session)."""

from __future__ import annotations

from uuid import uuid4

import pytest


@pytest.fixture(scope="module")
def database() -> str:
    return f"amo_test_cards_{uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def signing_keys(tmp_path, monkeypatch):
    """Each test's own signing keys: never a `cards-keys/` in the working tree."""
    monkeypatch.setenv("AMO_CARDS_SIGNING_KEYS_DIR", str(tmp_path / "cards-keys"))
