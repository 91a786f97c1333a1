"""Integration: uploads streamed through the internal API into the real S3 store and Mongo."""

from __future__ import annotations

import asyncio
import hashlib
import os
from uuid import uuid4

import pytest

from amo_documents.adapters.repository import COLLECTION
from amo_testkit import JPEG, image_bytes, pdf_carrying

MiB = 1024 * 1024
BOUNDARY = "amo-test-boundary-7d3f"


def app_id() -> str:
    return f"app-{uuid4().hex[:12]}"


def form(data: bytes, filename: str = "scan.pdf", content_type: str = "application/pdf") -> bytes:
    """A multipart body built by hand, so a test can stream it in chunks of its choice."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


HEADERS = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


async def chunked(body: bytes, size: int):
    for i in range(0, len(body), size):
        yield body[i : i + size]


def objects_under(s3, bucket: str, application: str) -> list[str]:
    return [
        o.object_name
        for o in s3.list_objects(bucket, prefix=f"applications/{application}/", recursive=True)
    ]


def unfinished_uploads(s3, bucket: str, application: str) -> list:
    return s3._list_multipart_uploads(bucket, prefix=f"applications/{application}/").uploads


async def stored(app, application: str) -> dict:
    return await app.state.runtime.db[COLLECTION].find_one({"_id": application})


async def test_a_pdf_reads_back_byte_identical_with_its_digest(client, app, s3, settings):
    application, data = app_id(), pdf_carrying(os.urandom(300_000))
    r = await client.put(
        f"/applications/{application}/documents/cnie",
        files={"file": ("photo.bin", data, "application/octet-stream")},
    )
    assert r.status_code == 201, r.text
    digest = hashlib.sha256(data).hexdigest()
    assert r.json() == {
        "kind": "cnie",
        "size": len(data),
        "sha256": digest,
        "content_type": "application/pdf",
    }
    record = (await stored(app, application))["documents"]["cnie"]
    assert record["filename"] == "photo.bin"
    assert read(s3, settings.s3_bucket, record["key"]) == data
    assert s3.stat_object(settings.s3_bucket, record["key"]).content_type == "application/pdf"


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
async def test_an_image_is_stored_re_encoded_and_its_digest_is_of_the_stored_bytes(
    client, app, s3, settings, fmt, content_type
):
    application, data = app_id(), image_bytes(fmt, (640, 480))
    r = await client.put(
        f"/applications/{application}/documents/cnie", files={"file": ("scan", data)}
    )
    assert r.status_code == 201, r.text
    record = (await stored(app, application))["documents"]["cnie"]
    body = read(s3, settings.s3_bucket, record["key"])
    assert r.json()["sha256"] == hashlib.sha256(body).hexdigest() == record["sha256"]
    assert r.json()["content_type"] == content_type and body[:3] == data[:3]


def read(s3, bucket: str, key: str) -> bytes:
    obj = s3.get_object(bucket, key)
    try:
        return obj.read()
    finally:
        obj.close()
        obj.release_conn()


async def test_upload_over_10_mib_is_refused_and_leaves_nothing(client, app, s3, settings):
    application = app_id()
    body = form(pdf_carrying(os.urandom(11 * MiB)))
    r = await client.put(
        f"/applications/{application}/documents/cnie",
        headers=HEADERS,
        content=chunked(body, 256 * 1024),
    )
    assert r.status_code == 413
    assert objects_under(s3, settings.s3_bucket, application) == []
    assert unfinished_uploads(s3, settings.s3_bucket, application) == []
    assert await stored(app, application) is None


async def test_text_named_pdf_is_refused_as_unsupported(client, app, s3, settings):
    application = app_id()
    r = await client.put(
        f"/applications/{application}/documents/work_certificate",
        files={"file": ("x.pdf", b"just some text\n" * 100, "application/pdf")},
    )
    assert r.status_code == 415
    assert objects_under(s3, settings.s3_bucket, application) == []
    assert await stored(app, application) is None


async def test_9_mib_streamed_in_small_chunks_is_stored_whole(client, app, s3, settings):
    application, data = app_id(), pdf_carrying(os.urandom(9 * MiB))
    r = await client.put(
        f"/applications/{application}/documents/birth_certificate?dependant=1",
        headers=HEADERS,
        content=chunked(form(data, "acte.pdf"), 7_001),
    )
    assert r.status_code == 201, r.text
    assert r.json()["dependant"] == 1 and r.json()["size"] == len(data)
    record = (await stored(app, application))["documents"]["birth_certificate:1"]
    assert "/birth_certificate-1/" in record["key"]
    obj = s3.get_object(settings.s3_bucket, record["key"])
    try:
        assert hashlib.sha256(obj.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    finally:
        obj.close()
        obj.release_conn()


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (
            form(pdf_carrying(b"x")).replace(b'name="file"', b'name="other"'),
            HEADERS,
        ),  # no `file` field
        (form(pdf_carrying(b"x"))[:-20], HEADERS),  # truncated form
        (pdf_carrying(b"x"), {"content-type": "application/pdf"}),  # not a form at all
    ],
)
async def test_malformed_forms_are_refused_and_leave_nothing(client, s3, settings, body, headers):
    application = app_id()
    r = await client.put(
        f"/applications/{application}/documents/cnie", headers=headers, content=body
    )
    assert r.status_code == 422
    assert objects_under(s3, settings.s3_bucket, application) == []


async def test_concurrent_uploads_of_different_kinds_are_all_recorded(client, app, s3, settings):
    application = app_id()
    kinds = [
        "cnie",
        "work_certificate",
        "marriage_certificate?dependant=0",
        "birth_certificate?dependant=1",
        "birth_certificate?dependant=2",
    ]
    replies = await asyncio.gather(
        *(
            client.put(
                f"/applications/{application}/documents/{kind}",
                files={"file": ("f.pdf", pdf_carrying(os.urandom(2000)), "application/pdf")},
            )
            for kind in kinds
        )
    )
    assert [r.status_code for r in replies] == [201] * len(kinds)
    doc = await stored(app, application)
    assert sorted(doc["documents"]) == sorted(
        [
            "cnie",
            "work_certificate",
            "marriage_certificate:0",
            "birth_certificate:1",
            "birth_certificate:2",
        ]
    )
    assert doc["_v"] == len(kinds) - 1  # one create, then one CAS per other upload
    assert len(objects_under(s3, settings.s3_bucket, application)) == len(kinds)


async def test_racing_reuploads_of_one_kind_keep_exactly_the_recorded_object(
    client, app, s3, settings
):
    application = app_id()
    replies = await asyncio.gather(
        *(
            client.put(
                f"/applications/{application}/documents/cnie",
                files={"file": (f"v{i}.pdf", pdf_carrying(os.urandom(1000)), "application/pdf")},
            )
            for i in range(4)
        )
    )
    assert [r.status_code for r in replies] == [201] * 4
    record = (await stored(app, application))["documents"]["cnie"]
    assert record["sha256"] in {r.json()["sha256"] for r in replies}
    # Every replaced object was deleted after its replacement was filed: no orphan, no loss.
    assert objects_under(s3, settings.s3_bucket, application) == [record["key"]]


async def test_listing_shows_metadata_and_never_storage_keys(client):
    application = app_id()
    await client.put(
        f"/applications/{application}/documents/cnie",
        files={"file": ("a.pdf", pdf_carrying(b"one"), "application/pdf")},
    )
    await client.put(
        f"/applications/{application}/documents/school_certificate?dependant=0",
        files={"file": ("b.jpg", JPEG, "image/jpeg")},
    )
    r = await client.get(f"/applications/{application}/documents")
    assert r.status_code == 200
    listing = r.json()
    assert [(d["kind"], d["dependant"], d["content_type"]) for d in listing] == [
        ("cnie", None, "application/pdf"),
        ("school_certificate", 0, "image/jpeg"),
    ]
    assert all(
        set(d)
        == {
            "kind",
            "dependant",
            "size",
            "sha256",
            "content_type",
            "uploaded_at",
            "status",
            "code",
            "review",
        }
        for d in listing
    )
    assert "applications/" not in r.text
    assert (await client.get(f"/applications/{app_id()}/documents")).json() == []
