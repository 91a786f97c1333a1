"""End to end: hostile uploads through the gateway are each refused with a clear 4xx naming the
rule (in French and Arabic), and nothing of them is stored: no object, no record."""

from __future__ import annotations

import io

import httpx
import pikepdf
import pytest
from minio import Minio

from amo_testkit import JPEG, PDF, applicant


def encrypted_pdf() -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    out = io.BytesIO()
    doc.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=""))
    return out.getvalue()


def javascript_pdf() -> bytes:
    doc = pikepdf.open(io.BytesIO(PDF))
    doc.Root.OpenAction = doc.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.launchURL('x')"))
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44

HOSTILE = {
    "five-byte-pdf": ("cnie", b"%PDF-", "pdf.unreadable"),
    "javascript-pdf": ("cnie", javascript_pdf(), "pdf.javascript"),
    "polyglot-pdf-elf": ("work_certificate", PDF + ELF, "pdf.trailing_data"),
    "truncated-jpeg": ("cnie", JPEG[: len(JPEG) // 2], "image.truncated"),
    "encrypted-pdf": ("rib", encrypted_pdf(), "pdf.encrypted"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
async def test_each_hostile_upload_is_refused_and_nothing_is_stored(applicants, platform, case):
    kind, content, code = HOSTILE[case]
    app = await applicants.create(applicant("public_employee"))
    r = await app.upload(kind, content, filename="document.pdf")
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "file"] and error["type"] == code
    assert error["msg"] and error["ctx"]["message_ar"]
    # Nothing filed: the documents service holds no record and the bucket no object.
    async with httpx.AsyncClient(base_url=platform.url("documents")) as documents:
        listing = await documents.get(f"/applications/{app.id}/documents")
    assert listing.status_code == 200 and listing.json() == []
    stack = platform.stack
    s3 = Minio(
        stack.s3_endpoint,
        access_key=stack.s3_access_key,
        secret_key=stack.s3_secret_key,
        secure=False,
    )
    prefix = f"applications/{app.id}/"
    assert list(s3.list_objects(stack.s3_bucket, prefix=prefix, recursive=True)) == []
    # The same slot still takes a sound document afterwards.
    assert (await app.upload(kind, PDF)).status_code == 201
