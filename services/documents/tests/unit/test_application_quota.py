"""Unit: one application's documents stay within their total size: a filing or a renewal proof
past the quota is refused, a replacement frees the bytes it replaces."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_documents.domain import ApplicationDocuments, QuotaExceeded, Slot, Upload
from amo_shared.events import DocumentKind

AT = datetime(2025, 6, 2, 10, tzinfo=UTC)
CNIE = Slot(DocumentKind.CNIE)
WORK = Slot(DocumentKind.WORK_CERTIFICATE)
SCHOOL = Slot(DocumentKind.SCHOOL_CERTIFICATE, 0)
RENEWALS = frozenset({DocumentKind.SCHOOL_CERTIFICATE})


def upload(key: str, size: int, sha: str = "0") -> Upload:
    return Upload(
        key=key, size=size, sha256=sha * 64, content_type="application/pdf", uploaded_at=AT
    )


def test_a_filing_past_the_quota_is_refused_and_nothing_changes():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", 600), quota_bytes=1000)
    with pytest.raises(QuotaExceeded):
        documents.file(WORK, upload("k2", 401), quota_bytes=1000)
    assert set(documents.documents) == {CNIE}
    documents.file(WORK, upload("k3", 400), quota_bytes=1000)
    assert documents.stored_bytes() == 1000


def test_a_replacement_counts_only_the_new_bytes():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", 900), quota_bytes=1000)
    replaced = documents.file(CNIE, upload("k2", 1000), quota_bytes=1000)
    assert replaced is not None and replaced.key == "k1"
    assert documents.stored_bytes() == 1000


def test_renewal_proofs_count_and_are_refused_past_the_quota():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", 500), quota_bytes=1000)
    assert documents.renew(SCHOOL, upload("r1", 400, "1"), RENEWALS, at=AT, quota_bytes=1000)
    with pytest.raises(QuotaExceeded):
        documents.renew(SCHOOL, upload("r2", 200, "2"), RENEWALS, at=AT, quota_bytes=1000)
    # The very proof again is no new byte: answered as already received, not refused.
    assert (
        documents.renew(SCHOOL, upload("r3", 400, "1"), RENEWALS, at=AT, quota_bytes=1000) is None
    )


@given(st.lists(st.integers(1, 400), min_size=1, max_size=30))
def test_whatever_is_uploaded_the_stored_total_stays_within_the_quota(sizes):
    documents = ApplicationDocuments("app-1")
    slots = [CNIE, WORK, Slot(DocumentKind.PHOTO), Slot(DocumentKind.RIB)]
    for i, size in enumerate(sizes):
        try:
            documents.file(slots[i % len(slots)], upload(f"k{i}", size), quota_bytes=1000)
        except QuotaExceeded:
            pass
        assert documents.stored_bytes() <= 1000
