"""Unit: the type of an upload from its first bytes, its size limit, its digest, chunk by chunk."""

from __future__ import annotations

import hashlib
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_documents.domain.content import (
    ContentType,
    TooLarge,
    UnsupportedType,
    UploadInspection,
    could_still_match,
    exceeds_limit,
    sniff,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, ContentType.PDF),
        (JPEG, ContentType.JPEG),
        (PNG, ContentType.PNG),
        (b"%PDF-", ContentType.PDF),
        (b"\xff\xd8\xff", ContentType.JPEG),
    ],
)
def test_each_accepted_type_is_recognised_by_its_magic_number(head, expected):
    assert sniff(head) is expected


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"%PDF",
        b"\xff\xd8",
        b"\x89PNG\r\n\x1a",  # truncated: too short to tell
        b"hello, this is text named x.pdf",
        b"GIF89a",
        b"PK\x03\x04",
        b"%pdf-1.4",
        b" %PDF-1.4",
        b"\x89PNG\r\n\x1a\r",  # one wrong byte at the end of the signature
    ],
)
def test_truncated_empty_or_unknown_bytes_have_no_type(head):
    assert sniff(head) is None


def test_a_prefix_of_a_signature_may_still_match_anything_else_cannot():
    assert could_still_match(b"") and could_still_match(b"%PD") and could_still_match(b"\x89PN")
    assert not could_still_match(b"%PX") and not could_still_match(b"text")


def test_size_limit_is_inclusive():
    assert not exceeds_limit(10, limit=10) and exceeds_limit(11, limit=10)
    assert not exceeds_limit(10 * 1024 * 1024) and exceeds_limit(10 * 1024 * 1024 + 1)


def _inspect(chunks, limit=1024):
    inspection = UploadInspection(limit)
    for chunk in chunks:
        inspection.feed(chunk)
    return inspection.finish()


@given(body=st.binary(max_size=600), cuts=st.lists(st.integers(0, 600), max_size=8))
def test_chunking_never_changes_the_verdict_size_or_digest(body, cuts):
    data = PNG + body
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    chunks = [data[a:b] for a, b in pairwise(bounds)]
    inspected = _inspect(chunks)
    assert inspected.content_type is ContentType.PNG
    assert inspected.size == len(data)
    assert inspected.sha256 == hashlib.sha256(data).hexdigest()


def test_signature_split_over_single_bytes_is_recognised():
    assert _inspect([bytes([b]) for b in PDF]).content_type is ContentType.PDF


def test_unknown_bytes_are_refused_at_the_first_chunk_not_at_the_end():
    inspection = UploadInspection(1024)
    with pytest.raises(UnsupportedType):
        inspection.feed(b"plain text pretending to be x.pdf")


@pytest.mark.parametrize("chunks", [[], [b""], [b"%PD"], [b"\xff", b"\xd8"]])
def test_empty_or_truncated_upload_is_refused_at_the_end(chunks):
    inspection = UploadInspection(1024)
    for chunk in chunks:
        inspection.feed(chunk)
    with pytest.raises(UnsupportedType):
        inspection.finish()


def test_a_file_of_exactly_the_limit_passes_one_byte_more_is_refused_while_streaming():
    assert _inspect([PDF, b"x" * (100 - len(PDF))], limit=100).size == 100
    inspection = UploadInspection(100)
    inspection.feed(PDF + b"x" * (90 - len(PDF)))
    with pytest.raises(TooLarge):
        inspection.feed(b"x" * 11)
