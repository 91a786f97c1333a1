"""Uploads pass through the gateway as a stream: the documents service receives the first bytes
while the applicant is still sending, so the gateway never holds a whole file.

The services stand behind a real HTTP server (uvicorn on a free port), as in production.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket

import httpx
import pytest
import uvicorn
from amo_tokens import ISSUED

from amo_gateway.app import create_app
from amo_gateway.settings import Settings

MB = 1024 * 1024
CHUNK = 64 * 1024
BOUNDARY = "amo-test-boundary"


@pytest.fixture
async def served(services):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            services.asgi(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        Settings(registration_url=url, documents_url=url, log_json=False),
        tokens=ISSUED.verifier(),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=60
        ) as client,
    ):
        yield client
    server.should_exit = True
    await task


def multipart(size: int, arrived, halfway_reached: asyncio.Event):
    """A multipart body of `size` file bytes, sent in small chunks; halfway through it waits
    until the upstream has seen bytes, which only a streaming gateway allows."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    digest = hashlib.sha256()

    async def body():
        yield head
        digest.update(head)
        sent = 0
        while sent < size:
            chunk = bytes([sent // CHUNK % 251]) * min(CHUNK, size - sent)
            digest.update(chunk)
            yield chunk
            sent += len(chunk)
            if sent >= size // 2 and not halfway_reached.is_set():
                halfway_reached.set()
                # Deadlock guard, not a timing assertion: a buffering gateway never gets here.
                await asyncio.wait_for(arrived(), timeout=30)
        yield tail
        digest.update(tail)

    return body(), digest


async def test_a_30_mb_upload_reaches_documents_before_the_request_ends(served, services):
    app_id, token = services.add()
    size = 30 * MB

    async def upstream_has_bytes():
        while not (services.uploads and services.uploads[0]["chunks"]):
            await asyncio.sleep(0.01)

    halfway = asyncio.Event()
    stream, digest = multipart(size, upstream_has_bytes, halfway)
    response = await served.put(
        f"/v1/applications/{app_id}/documents/cnie",
        content=stream,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )
    assert response.status_code == 201, response.text
    (upload,) = services.uploads
    # Every byte arrived, unchanged, with the client's boundary, in many pieces.
    assert response.json()["size"] == sum(upload["chunks"]) > size
    assert response.json()["sha256"] == digest.hexdigest()
    assert upload["content_type"] == f"multipart/form-data; boundary={BOUNDARY}"
    assert len(upload["chunks"]) > 100 and max(upload["chunks"]) < 4 * MB


async def test_an_early_refusal_from_documents_is_relayed(served, services):
    services.upload_limit = 1 * MB
    app_id, token = services.add()
    halfway = asyncio.Event()

    async def nothing():
        return None

    stream, _ = multipart(20 * MB, nothing, halfway)
    response = await served.put(
        f"/v1/applications/{app_id}/documents/cnie",
        content=stream,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )
    assert response.status_code == 413 and response.json() == {"detail": "file too large"}
