"""Integration: the orphan sweep and the S3 readiness check, on the real stack, in a bucket of their own
(the sweep judges every object of its bucket against this module's records only)."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest

from amo_documents.adapters.s3 import DocumentStorage, StorageMisconfigured, StorageUnavailable
from amo_documents.app import create_app
from amo_documents.settings import Settings
from amo_documents.uploads import Uploads
from amo_testkit import PDF, eventually, pdf_carrying

GRACE = timedelta(hours=1)


@pytest.fixture(scope="module")
def settings(settings: Settings) -> Settings:
    # The tier's settings, with a bucket of this module's own: the sweep lists a whole bucket.
    return settings.model_copy(
        update={
            "s3_bucket": f"amo-sweep-{uuid4().hex[:8]}",
            "orphan_grace_seconds": GRACE.total_seconds(),
        }
    )


def app_id() -> str:
    return f"app-{uuid4().hex[:12]}"


def objects_under(s3, bucket: str, application: str) -> list[str]:
    return sorted(
        o.object_name
        for o in s3.list_objects(bucket, prefix=f"applications/{application}/", recursive=True)
    )


def put_orphan(s3, bucket: str, application: str, kind: str = "cnie") -> str:
    """An object no record points to, as a crash between the object and its record leaves it."""
    key = f"applications/{application}/{kind}/{uuid4().hex}"
    s3.put_object(bucket, key, io.BytesIO(PDF), len(PDF), content_type="application/pdf")
    return key


async def upload(client, application: str, data: bytes, kind: str = "cnie") -> None:
    r = await client.put(
        f"/applications/{application}/documents/{kind}",
        files={"file": ("scan.pdf", data, "application/pdf")},
    )
    assert r.status_code == 201, r.text


async def filed_key(app, application: str, slot: str = "cnie") -> str:
    doc = await app.state.runtime.db["application_documents"].find_one({"_id": application})
    return doc["documents"][slot]["key"]


async def test_an_unreferenced_object_goes_once_older_than_the_grace_and_never_before(
    client, app, s3, settings
):
    application = app_id()
    await upload(client, application, pdf_carrying(b"filed"))
    filed = await filed_key(app, application)
    orphan = put_orphan(s3, settings.s3_bucket, application)
    stray = put_orphan(s3, settings.s3_bucket, app_id())  # an application with no record at all
    sweep = app.state.sweep

    # Fresh: an upload may be on its way to its record; nothing is removed.
    await sweep.sweep(now=datetime.now(UTC) + GRACE - timedelta(minutes=5))
    assert objects_under(s3, settings.s3_bucket, application) == sorted([filed, orphan])

    report = await sweep.sweep(now=datetime.now(UTC) + GRACE + timedelta(minutes=5))
    assert objects_under(s3, settings.s3_bucket, application) == [filed]
    assert s3.stat_object(settings.s3_bucket, filed).size == len(pdf_carrying(b"filed"))
    assert not list(s3.list_objects(settings.s3_bucket, prefix=stray))
    assert report.removed >= 2 and report.referenced >= 1


async def test_a_replaced_object_whose_removal_failed_is_swept_later(
    client, app, s3, settings, monkeypatch
):
    application = app_id()
    await upload(client, application, pdf_carrying(b"old"))
    old = await filed_key(app, application)
    storage = app.state.uploads.storage

    async def removal_fails(key: str) -> None:
        raise StorageUnavailable("S3 remove: SlowDown")

    monkeypatch.setattr(storage, "remove", removal_fails)
    await upload(client, application, pdf_carrying(b"new"))  # filed; the old object could not go
    monkeypatch.undo()
    new = await filed_key(app, application)
    assert objects_under(s3, settings.s3_bucket, application) == sorted([old, new])

    await app.state.sweep.sweep(now=datetime.now(UTC) + GRACE + timedelta(minutes=5))
    assert objects_under(s3, settings.s3_bucket, application) == [new]


async def test_the_service_sweeps_by_itself_while_it_serves(stack, settings, s3):
    quick = settings.model_copy(
        update={
            "mongo_database": f"amo_test_{uuid4().hex[:8]}",
            "s3_bucket": f"amo-sweep-{uuid4().hex[:8]}",
            "orphan_sweep_interval_seconds": 0.2,
            "orphan_grace_seconds": 2.0,
        }
    )
    app = create_app(quick)
    async with app.router.lifespan_context(app):
        await stack.harden()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://documents"
        ) as client:
            application = app_id()
            await upload(client, application, pdf_carrying(b"filed"))
            filed = await filed_key(app, application)
            orphan = put_orphan(s3, quick.s3_bucket, application)

            async def only_filed() -> bool:
                return objects_under(s3, quick.s3_bucket, application) == [filed]

            await eventually(only_filed, "the orphan swept by the service itself", timeout=30)
            await asyncio.sleep(1)  # more passes: the filed object stays
            assert objects_under(s3, quick.s3_bucket, application) == [filed]
            assert orphan not in objects_under(s3, quick.s3_bucket, application)
    assert app.state.sweep._task is None  # stopped with the service


async def test_readiness_answers_for_our_bucket_and_names_what_is_wrong(app, stack, settings):
    await app.state.runtime.readiness["s3"]()  # the bucket answers
    missing = DocumentStorage.connect(
        stack.s3_endpoint, stack.s3_access_key, stack.s3_secret_key, f"amo-absent-{uuid4().hex[:8]}"
    )
    with pytest.raises(StorageMisconfigured):
        await missing.check()
    wrong_key = DocumentStorage.connect(
        stack.s3_endpoint, stack.s3_access_key, "not-the-secret", settings.s3_bucket
    )
    with pytest.raises(StorageMisconfigured):
        await wrong_key.check()
    down = DocumentStorage.connect(
        "127.0.0.1:9",
        stack.s3_access_key,
        stack.s3_secret_key,
        settings.s3_bucket,
        connect_timeout=1.0,
    )
    with pytest.raises(StorageUnavailable):
        await down.check()


async def test_an_upload_to_a_bucket_that_refuses_us_is_a_503_and_files_nothing(
    app, stack, settings
):
    refused = DocumentStorage.connect(
        stack.s3_endpoint, stack.s3_access_key, "not-the-secret", settings.s3_bucket
    )
    uploads = Uploads(refused, app.state.uploads.repository, app.state.uploads.rules)
    boundary = "b-7d3f"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )

    async def chunks():
        yield body

    application = app_id()
    with pytest.raises(StorageMisconfigured):
        await uploads.receive(
            application,
            "cnie",
            None,
            {"content-type": f"multipart/form-data; boundary={boundary}"},
            chunks(),
        )
    assert await app.state.uploads.repository.get(application) is None
