"""The documents service in process against the real local stack, one Mongo database per module."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest
import pytest_asyncio
from minio import Minio

from amo_documents.app import create_app
from amo_documents.settings import Settings


@pytest.fixture(scope="module")
def settings(stack) -> Settings:
    return Settings(
        **stack.kafka_settings("documents"),
        mongo_url=stack.mongo_url,
        mongo_database=f"amo_test_{uuid4().hex[:8]}",
        s3_endpoint=stack.s3_endpoint,
        s3_access_key=stack.s3_access_key,
        s3_secret_key=stack.s3_secret_key,
        s3_bucket=stack.s3_bucket,
        outbox_poll_seconds=0.1,
        log_json=False,
    )


@pytest_asyncio.fixture(scope="module")
async def app(stack, settings):
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await stack.harden()  # the version guard, now that the collections exist
        yield app


@pytest_asyncio.fixture(scope="module")
async def client(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://documents", timeout=60
    ) as c:
        yield c


@pytest.fixture(scope="module")
def s3(stack) -> Minio:
    return Minio(
        stack.s3_endpoint,
        access_key=stack.s3_access_key,
        secret_key=stack.s3_secret_key,
        secure=False,
    )
