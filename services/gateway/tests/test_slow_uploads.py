"""A slow-loris upload is cut off with 408: past the overall deadline, or below the minimum
rate once the grace has passed; nothing of it is stored. Driven with real slow bodies, through
the in-process fakes and through a real HTTP upstream."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
import uvicorn
from amo_tokens import ISSUED

from amo_gateway.app import create_app
from amo_gateway.settings import Settings
from amo_gateway.upload_pace import Pace, UploadTooSlow

from .conftest import gateway_settings

BOUNDARY = "amo-slow"
HEAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
    "Content-Type: application/pdf\r\n\r\n%PDF-1.4 "
).encode()
TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()
FORM = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def trickle(chunks: int, pause: float, size: int = 10):
    async def body():
        yield HEAD
        for _ in range(chunks):
            await asyncio.sleep(pause)
            yield b"x" * size
        yield TAIL

    return body()


def test_the_allowed_wait_follows_the_deadline_and_the_rate():
    pace = Pace(deadline_seconds=60, min_bytes_per_second=100, grace_seconds=5)
    assert pace.wait_allowed(0, 0) == 5  # the grace, before any byte
    assert pace.wait_allowed(1000, 2) == 8  # 1000 bytes keep 100 B/s up to 10 s
    assert pace.wait_allowed(10**9, 50) == 10  # however fast, the deadline holds
    assert pace.wait_allowed(100, 6) < 0  # 100 bytes in 6 s: below the rate already


async def test_a_steady_body_passes_and_a_trickle_is_cut():
    pace = Pace(deadline_seconds=5, min_bytes_per_second=1000, grace_seconds=0.2)

    async def steady():
        for _ in range(5):
            yield b"x" * 1000

    assert [c async for c in pace.kept(steady())] == [b"x" * 1000] * 5
    with pytest.raises(UploadTooSlow):
        async for _ in pace.kept(trickle(chunks=50, pause=0.1)):
            pass


@pytest.fixture
async def paced(services):
    async def start(**pace):
        app = create_app(
            gateway_settings(**pace),
            transport=httpx.ASGITransport(app=services.asgi()),
            tokens=ISSUED.verifier(),
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=30
        )
        opened.append((lifespan, client))
        return client

    opened: list = []
    yield start
    for lifespan, client in opened:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def assert_too_slow(response: httpx.Response) -> None:
    assert response.status_code == 408
    assert response.json() == {"detail": "upload too slow: send the file within the time allowed"}


async def test_a_trickled_upload_below_the_minimum_rate_gets_408(paced, services):
    client = await paced(upload_min_bytes_per_second=2000, upload_grace_seconds=0.3)
    app_id, token = services.add()
    response = await client.put(
        f"/v1/applications/{app_id}/documents/cnie",
        content=trickle(chunks=40, pause=0.1),
        headers={"Authorization": f"Bearer {token}", **FORM},
    )
    assert_too_slow(response)
    assert services.uploads and services.uploads[0]["chunks"]  # started, then cut off


async def test_an_upload_past_the_deadline_gets_408_however_fast_it_began(paced, services):
    client = await paced(
        upload_deadline_seconds=0.5, upload_min_bytes_per_second=1, upload_grace_seconds=10
    )
    app_id, token = services.add()
    response = await client.put(
        f"/v1/applications/{app_id}/documents/cnie",
        content=trickle(chunks=20, pause=0.1, size=10_000),
        headers={"Authorization": f"Bearer {token}", **FORM},
    )
    assert_too_slow(response)


async def test_a_pause_within_the_grace_is_fine(paced, services):
    client = await paced(upload_min_bytes_per_second=10, upload_grace_seconds=2)
    app_id, token = services.add()
    response = await client.put(
        f"/v1/applications/{app_id}/documents/cnie",
        content=trickle(chunks=3, pause=0.2),
        headers={"Authorization": f"Bearer {token}", **FORM},
    )
    assert response.status_code == 201


async def test_a_claim_attachment_is_held_to_the_same_pace(paced):
    # No member behind this account: the pace is a property of the route, checked on the way.
    client = await paced(upload_min_bytes_per_second=2000, upload_grace_seconds=0.3)
    response = await client.put(
        "/v1/claims/C1/documents/invoice",
        content=trickle(chunks=3, pause=0.1),
        headers={**ISSUED.bearer("amina@example.ma", ["citizen"]), **FORM},
    )
    assert response.status_code in (404, 502, 503)  # refused before any byte is relayed


async def test_a_slow_upload_through_a_real_http_upstream_gets_408(services):
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
        Settings(
            registration_url=url,
            documents_url=url,
            log_json=False,
            upload_min_bytes_per_second=2000,
            upload_grace_seconds=0.3,
        ),
        tokens=ISSUED.verifier(),
    )
    app_id, token = services.add()
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=30
            ) as client,
        ):
            response = await client.put(
                f"/v1/applications/{app_id}/documents/cnie",
                content=trickle(chunks=40, pause=0.1),
                headers={"Authorization": f"Bearer {token}", **FORM},
            )
    finally:
        server.should_exit = True
        await task
    assert_too_slow(response)
