"""Unit: what an S3 failure means. Every answer about our bucket is an infrastructure fault (the
consumer waits, the client gets 503), never the upload's or the message's; other errors pass."""

from __future__ import annotations

import pytest
import urllib3
from minio.error import InvalidResponseError, S3Error, ServerError

from amo_documents.adapters.s3 import (
    StorageMisconfigured,
    StorageUnavailable,
    application_of,
    object_key,
    storage_fault,
)
from amo_documents.domain import Slot
from amo_shared.events import DocumentKind
from amo_shared.failures import InfrastructureUnavailable


def s3_error(code: str, status: int) -> S3Error:
    return S3Error(
        urllib3.HTTPResponse(status=status),
        code,
        "message",
        "/amo-documents/k",
        "req",
        "host",
        bucket_name="amo-documents",
    )


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (s3_error("InternalError", 500), StorageUnavailable),
        (s3_error("SlowDown", 503), StorageUnavailable),
        (s3_error("RequestTimeout", 400), StorageUnavailable),
        (s3_error("SomethingNew", 502), StorageUnavailable),
        (ServerError("bad gateway", 502), StorageUnavailable),
        (InvalidResponseError(504, "text/html", "<html>"), StorageUnavailable),
        (urllib3.exceptions.MaxRetryError(None, "/", "refused"), StorageUnavailable),
        (urllib3.exceptions.ReadTimeoutError(None, "/", "timed out"), StorageUnavailable),
        (ConnectionRefusedError(), StorageUnavailable),
        (s3_error("NoSuchBucket", 404), StorageMisconfigured),
        (s3_error("AccessDenied", 403), StorageMisconfigured),
        (s3_error("SignatureDoesNotMatch", 403), StorageMisconfigured),
    ],
)
def test_s3_failures_are_infrastructure_faults(exc, kind):
    fault = storage_fault(exc, "put")
    assert isinstance(fault, kind) and isinstance(fault, InfrastructureUnavailable)
    assert "/amo-documents/k" not in str(fault)  # names the operation and the code, no resource


@pytest.mark.parametrize("exc", [ValueError("a bug"), KeyError("k"), RuntimeError("x")])
def test_errors_that_are_not_about_s3_are_not_classified(exc):
    assert storage_fault(exc, "put") is None


def test_each_upload_has_its_own_key_under_its_application():
    slot = Slot(DocumentKind.BIRTH_CERTIFICATE, 1)
    key = object_key("app-1", slot, "u1")
    assert key == "applications/app-1/birth_certificate-1/u1"
    assert object_key("app-1", slot, "u2") != key
    assert application_of(key) == "app-1"
    assert application_of("elsewhere/app-1/cnie/u1") is None
    assert application_of("applications/app-1") is None
