"""Claim attachments on the real stack: the registration documents' content checks refuse hostile
files (nothing stored), a good file is stored under `claims/<claim>/<kind>` and reads back
as answered, a second upload of the same kind replaces the first."""

from __future__ import annotations

import hashlib
import io
from uuid import uuid4

import pikepdf
import pytest
from minio.error import S3Error
from PIL import Image

from amo_testkit import PDF, image_bytes

ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44


def claim_id() -> str:
    return uuid4().hex


def javascript_pdf() -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.Root.OpenAction = doc.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def read(s3, bucket: str, key: str) -> bytes:
    response = s3.get_object(bucket, key)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def keys_of(s3, bucket: str, claim: str) -> list[str]:
    return [
        o.object_name for o in s3.list_objects(bucket, prefix=f"claims/{claim}/", recursive=True)
    ]


async def put(client, claim: str, kind: str, data: bytes, name: str = "scan.pdf"):
    return await client.put(
        f"/claims/{claim}/documents/{kind}",
        files={"file": (name, data, "application/octet-stream")},
    )


async def test_a_good_pdf_is_stored_under_the_claim_and_reads_back(client, s3, settings):
    claim = claim_id()
    r = await put(client, claim, "invoice", PDF, name="../../etc/passwd")
    assert r.status_code == 201, r.text
    key = f"claims/{claim}/invoice"
    assert r.json() == {
        "kind": "invoice",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "size": len(PDF),
        "content_type": "application/pdf",
        "object_key": key,
    }
    assert read(s3, settings.s3_bucket, key) == PDF
    assert s3.stat_object(settings.s3_bucket, key).content_type == "application/pdf"


async def test_an_image_is_re_encoded_and_a_second_upload_replaces_the_first(client, s3, settings):
    claim = claim_id()
    first = await put(client, claim, "care_sheet", PDF)
    assert first.status_code == 201
    photo = image_bytes("JPEG", (640, 480))
    second = await put(client, claim, "care_sheet", photo, name="photo.jpg")
    assert second.status_code == 201, second.text
    body = second.json()
    stored = read(s3, settings.s3_bucket, body["object_key"])
    assert body["content_type"] == "image/jpeg" and body["size"] == len(stored)
    assert body["sha256"] == hashlib.sha256(stored).hexdigest() != first.json()["sha256"]
    assert Image.open(io.BytesIO(stored)).size == (640, 480)
    assert keys_of(s3, settings.s3_bucket, claim) == [f"claims/{claim}/care_sheet"]


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", (600, 800))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (javascript_pdf(), "pdf.javascript"),
        (truncated_jpeg(), "image.truncated"),
        # A PDF with an executable after its end: one file that is two.
        (PDF + ELF_HEADER, "pdf.trailing_data"),
    ],
    ids=["pdf-with-javascript", "truncated-jpeg", "pdf-elf-polyglot"],
)
async def test_hostile_files_are_refused_with_the_rule_and_nothing_is_stored(
    client, s3, settings, data, code
):
    claim = claim_id()
    r = await put(client, claim, "prescription", data)
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "file"] and error["type"] == code
    assert error["ctx"]["message_fr"] and error["ctx"]["message_ar"]
    assert keys_of(s3, settings.s3_bucket, claim) == []


async def test_a_refused_replacement_keeps_the_previous_attachment(client, s3, settings):
    claim = claim_id()
    assert (await put(client, claim, "invoice", PDF)).status_code == 201
    assert (await put(client, claim, "invoice", javascript_pdf())).status_code == 422
    assert read(s3, settings.s3_bucket, f"claims/{claim}/invoice") == PDF


async def test_type_size_kind_and_id_are_checked(client, app, s3, settings):
    claim = claim_id()
    exe = await put(client, claim, "invoice", b"MZ\x90\x00" + b"\x00" * 100)
    assert exe.status_code == 415
    limit = app.state.claim_attachments.limit
    big = await put(client, claim, "invoice", b"%PDF-1.7\n" + b"0" * (limit + 1))
    assert big.status_code == 413
    assert (await put(client, claim, "cnie", PDF)).status_code == 422  # not a claim kind
    assert (await put(client, "..%2F..%2Fx", "invoice", PDF)).status_code in (404, 422)
    assert keys_of(s3, settings.s3_bucket, claim) == []
    with pytest.raises(S3Error):
        s3.stat_object(settings.s3_bucket, f"claims/{claim}/invoice")
