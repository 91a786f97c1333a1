"""End to end, through the real gateway: a document for a dependant the application does not
declare is refused before a byte is stored, and an upload that trickles is cut off with 408
(the gateway's default pace: 10 s of grace, then 4 KiB/s on average), nothing of it stored."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from amo_testkit import PDF, applicant

pytestmark = pytest.mark.stack

CHILD = {
    "relationship": "child",
    "first_name": "Sara",
    "last_name": "Alaoui",
    "birth_date": "2015-01-01",
}


async def stored(platform, application_id: str) -> list:
    async with httpx.AsyncClient(base_url=platform.url("documents")) as documents:
        listing = await documents.get(f"/applications/{application_id}/documents")
    assert listing.status_code == 200
    return listing.json()


async def test_only_declared_dependants_take_documents(applicants, platform):
    app = await applicants.create(applicant("public_employee", dependants=[CHILD]))
    assert (await app.upload("birth_certificate", PDF, dependant=0)).status_code == 201
    for index in (1, 2, 99):
        r = await app.upload("birth_certificate", PDF, dependant=index)
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"] == ["query", "dependant"]
    assert [d["dependant"] for d in await stored(platform, app.id)] == [0]


async def trickled_put(url: str, path: str, headers: dict[str, str], head: bytes) -> bytes:
    """PUT `head`, then a byte a second (chunked), as a slow-loris client would, while reading:
    what the server answered, once it answers. (A client that keeps writing after the answer,
    as httpx does, gets its connection reset and never reads the answer.)"""
    host, port = httpx.URL(url).host, httpx.URL(url).port
    reader, writer = await asyncio.open_connection(host, port)
    lines = [f"PUT {path} HTTP/1.1", f"Host: {host}:{port}", "Transfer-Encoding: chunked"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    writer.write(b"%x\r\n%s\r\n" % (len(head), head))
    answer = asyncio.create_task(reader.readuntil(b"\r\n\r\n"))
    try:
        for _ in range(60):  # far below the minimum rate, for a minute at most
            done, _ = await asyncio.wait({answer}, timeout=1)
            if done:
                head = answer.result()
                length = re.search(rb"(?i)content-length: *([0-9]+)", head)
                return head + await reader.readexactly(int(length.group(1)) if length else 0)
            writer.write(b"1\r\n \r\n")
            await writer.drain()
        raise AssertionError("the trickle was never cut off")
    finally:
        answer.cancel()
        writer.close()


async def test_a_trickled_upload_is_cut_off_with_408(applicants, platform):
    app = await applicants.create(applicant("public_employee"))
    boundary = "amo-trickle"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + PDF[:64]
    answer = await trickled_put(
        platform.gateway,
        f"/v1/applications/{app.id}/documents/cnie",
        {**app.auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        head,
    )
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 408"), answer
    assert b"too slow" in rest
    assert await stored(platform, app.id) == []
