"""Unit: the application documents aggregate: filing and replacing uploads, verifying a submission once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_documents.domain import (
    ALREADY_VERIFIED,
    ApplicationDocuments,
    FilingRefused,
    Slot,
    Submission,
    Upload,
    Verdict,
)
from amo_shared.checklist import required_documents
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category, DocumentKind

AT = datetime(2025, 6, 2, 10, tzinfo=UTC)
CNIE = Slot(DocumentKind.CNIE)
WORK = Slot(DocumentKind.WORK_CERTIFICATE)


def upload(key: str, size: int = 1000, content_type: str = "application/pdf") -> Upload:
    return Upload(key=key, size=size, sha256="0" * 64, content_type=content_type, uploaded_at=AT)


def submission(number: int = 1, application: str = "app-1") -> Submission:
    facts = ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 3, 2),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
    )
    return Submission.of(
        ApplicationSubmitted(
            application_id=application,
            submission=number,
            submitted_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
            applicant=facts,
        )
    )


def verdict_on(documents: ApplicationDocuments, number: int = 1):
    sub = submission(number)
    return documents.verify(
        sub, required_documents(sub.applicant, sub.as_of), checklist_version="2025-01-01", at=AT
    )


def test_filing_a_first_upload_replaces_nothing_and_a_second_replaces_the_first():
    documents = ApplicationDocuments("app-1")
    first, second = upload("k1"), upload("k2")
    assert documents.file(CNIE, first) is None
    assert documents.file(CNIE, second) == first
    assert documents.documents == {CNIE: second}
    assert documents.keys() == {"k2"}


def test_filing_the_same_upload_again_changes_and_replaces_nothing():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1"))
    assert documents.file(CNIE, upload("k1")) is None
    assert documents.keys() == {"k1"}


def test_one_upload_cannot_be_filed_in_two_slots():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1"))
    with pytest.raises(FilingRefused):
        documents.file(WORK, upload("k1"))
    assert documents.documents == {CNIE: upload("k1")}


@pytest.mark.parametrize("bad", [upload("k", content_type="image/gif"), upload("k", size=0)])
def test_an_upload_of_a_refused_type_or_empty_is_not_filed(bad):
    documents = ApplicationDocuments("app-1")
    with pytest.raises(FilingRefused):
        documents.file(CNIE, bad)
    assert documents.documents == {}


def test_dependants_documents_have_their_own_slots():
    documents = ApplicationDocuments("app-1")
    documents.file(Slot(DocumentKind.BIRTH_CERTIFICATE, 0), upload("a"))
    documents.file(Slot(DocumentKind.BIRTH_CERTIFICATE, 1), upload("b"))
    documents.file(CNIE, upload("c"))
    assert [slot.name for slot, _ in documents.filed()] == [
        "birth_certificate:0",
        "birth_certificate:1",
        "cnie",
    ]


def test_verifying_lists_every_missing_document_and_gives_the_event_payload():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1"))
    verdict = verdict_on(documents)
    assert isinstance(verdict, Verdict)
    event = verdict.event
    assert (event.application_id, event.submission, event.outcome) == ("app-1", 1, "incomplete")
    assert [(v.kind, v.status) for v in event.verdicts] == [
        ("cnie", "accepted"),
        ("work_certificate", "missing"),
    ]
    assert event.applicant == submission().applicant and event.verified_at == AT
    assert documents.verifications == {}  # deciding records nothing by itself


def test_a_recorded_submission_is_already_verified_and_cannot_be_recorded_twice():
    documents = ApplicationDocuments("app-1")
    verdict = verdict_on(documents)
    recorded = documents.record(verdict, event_id="e-1", caused_by="c-1")
    assert (recorded.outcome, recorded.event_id, recorded.checklist_version) == (
        "incomplete",
        "e-1",
        "2025-01-01",
    )
    assert verdict_on(documents) is ALREADY_VERIFIED
    with pytest.raises(ValueError):
        documents.record(verdict, event_id="e-2", caused_by="c-2")
    # A later submission, after the missing documents came, gets its own verdict.
    documents.file(CNIE, upload("k1"))
    documents.file(WORK, upload("k2"))
    later = verdict_on(documents, number=2)
    assert isinstance(later, Verdict) and later.event.outcome == "complete"


def test_another_applications_submission_is_refused():
    with pytest.raises(ValueError):
        ApplicationDocuments("app-2").verify(submission(), [], checklist_version="v", at=AT)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([CNIE, WORK, Slot(DocumentKind.BIRTH_CERTIFICATE, 0)]),
            st.integers(0, 5),
        ),
        max_size=30,
    )
)
def test_each_slot_keeps_its_last_upload_and_every_other_one_is_handed_back_once(filings):
    documents = ApplicationDocuments("app-1")
    handed_back, filed = [], []
    for n, (slot, _) in enumerate(filings):
        new = upload(f"k{n}")
        filed.append(new.key)
        if (old := documents.file(slot, new)) is not None:
            handed_back.append(old.key)
    # Every key is either still referenced or handed back for removal, never both, never lost.
    assert sorted(handed_back + sorted(documents.keys())) == sorted(filed)
    assert not set(handed_back) & documents.keys()
