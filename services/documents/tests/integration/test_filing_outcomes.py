"""Integration: what happens to an upload's object when its record's write fails, on the real stack.

An uncertain outcome (the write reached the server, the answer was lost) keeps the object the
record may point to; only a certain refusal removes it. A replaced object goes once the new
record is stored.
"""

from __future__ import annotations

import os
from uuid import uuid4

import pytest
from pymongo.errors import AutoReconnect

from amo_documents.adapters.repository import COLLECTION
from amo_shared.aggregates import ConcurrentWriteError
from amo_testkit import pdf_carrying


def app_id() -> str:
    return f"app-{uuid4().hex[:12]}"


def objects_under(s3, bucket: str, application: str) -> list[str]:
    return sorted(
        o.object_name
        for o in s3.list_objects(bucket, prefix=f"applications/{application}/", recursive=True)
    )


def read_object(s3, bucket: str, key: str) -> bytes:
    obj = s3.get_object(bucket, key)
    try:
        return obj.read()
    finally:
        obj.close()
        obj.release_conn()


class WritesThenDrops:
    """The record's write reaches the server, then the connection drops before the answer."""

    def __init__(self, real):
        self.real = real

    async def file_upload(self, application_id, slot, upload, quota_bytes=None):
        await self.real.file_upload(application_id, slot, upload, quota_bytes)
        raise AutoReconnect("connection closed")

    def __getattr__(self, name):
        return getattr(self.real, name)


class RefusesBeforeWriting:
    """Every compare-and-set was lost: the write certainly did not happen."""

    def __init__(self, real):
        self.real = real

    async def file_upload(self, application_id, slot, upload, quota_bytes=None):
        raise ConcurrentWriteError("gave up")

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def uploads(app):
    return app.state.uploads


async def put(client, application: str, data: bytes, kind: str = "cnie"):
    return await client.put(
        f"/applications/{application}/documents/{kind}",
        files={"file": ("scan.pdf", data, "application/pdf")},
    )


async def record_of(app, application: str, slot: str = "cnie") -> dict | None:
    doc = await app.state.runtime.db[COLLECTION].find_one({"_id": application})
    return (doc or {}).get("documents", {}).get(slot)


async def test_a_write_that_reached_the_server_keeps_the_object_its_record_points_to(
    client, app, s3, settings, uploads, monkeypatch
):
    application, data = app_id(), pdf_carrying(os.urandom(5000))
    monkeypatch.setattr(uploads, "repository", WritesThenDrops(uploads.repository))
    r = await put(client, application, data)
    assert r.status_code == 503  # the applicant is told to send it again
    assert "AutoReconnect" not in r.text
    record = await record_of(app, application)
    assert record is not None, "the write went through"
    assert objects_under(s3, settings.s3_bucket, application) == [record["key"]]
    assert read_object(s3, settings.s3_bucket, record["key"]) == data


async def test_an_uncertain_reupload_keeps_both_objects(
    client, app, s3, settings, uploads, monkeypatch
):
    application = app_id()
    assert (await put(client, application, pdf_carrying(b"first"))).status_code == 201
    first = (await record_of(app, application))["key"]
    monkeypatch.setattr(uploads, "repository", WritesThenDrops(uploads.repository))
    assert (await put(client, application, pdf_carrying(b"second"))).status_code == 503
    second = (await record_of(app, application))["key"]
    assert second != first  # each upload has its own key: the record never points to a lost one
    # Which one the record names was uncertain, so neither was removed.
    assert objects_under(s3, settings.s3_bucket, application) == sorted([first, second])


async def test_a_certain_refusal_removes_the_new_object_and_keeps_the_filed_one(
    client, app, s3, settings, uploads, monkeypatch
):
    application = app_id()
    assert (await put(client, application, pdf_carrying(b"kept"))).status_code == 201
    kept = (await record_of(app, application))["key"]
    monkeypatch.setattr(uploads, "repository", RefusesBeforeWriting(uploads.repository))
    assert (await put(client, application, pdf_carrying(b"refused"))).status_code == 503
    assert (await record_of(app, application))["key"] == kept
    assert objects_under(s3, settings.s3_bucket, application) == [kept]


async def test_replacing_a_document_leaves_exactly_one_object_for_the_slot(
    client, app, s3, settings
):
    application = app_id()
    for n in range(3):
        assert (await put(client, application, pdf_carrying(bytes([n]) * 100))).status_code == 201
    assert (
        await put(client, application, pdf_carrying(b"work"), kind="work_certificate")
    ).status_code == 201
    cnie, work = (
        await record_of(app, application),
        await record_of(app, application, "work_certificate"),
    )
    assert objects_under(s3, settings.s3_bucket, application) == sorted([cnie["key"], work["key"]])
    assert read_object(s3, settings.s3_bucket, cnie["key"]) == pdf_carrying(bytes([2]) * 100)
