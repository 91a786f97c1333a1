"""Unit: the application documents aggregate: filing and replacing uploads (never a verified
one), one verdict per submission listing everything, concerns for operators, the final verdict
once they decided, identity checks and renewal proofs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from documents_samples import td1
from hypothesis import given
from hypothesis import strategies as st

from amo_documents.document_rules import shipped_rules
from amo_documents.domain import (
    ALREADY_VERIFIED,
    ApplicationDocuments,
    FilingConflict,
    FilingRefused,
    ReviewDecision,
    Slot,
    Submission,
    Upload,
    Verdict,
)
from amo_documents.domain.checks import find_mrz
from amo_shared.checklist import RequiredDocument
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category, DocumentKind

AT = datetime(2025, 6, 2, 10, tzinfo=UTC)
RULES = shipped_rules().in_force(date(2025, 6, 1))
CNIE = Slot(DocumentKind.CNIE)
WORK = Slot(DocumentKind.WORK_CERTIFICATE)
REQUIRED = [
    RequiredDocument(kind=DocumentKind.CNIE, label_fr="CNIE"),
    RequiredDocument(kind=DocumentKind.WORK_CERTIFICATE, label_fr="Attestation de travail"),
]


def upload(key: str, sha: str = "0", **extra) -> Upload:
    return Upload(
        key=key,
        size=1000,
        sha256=sha * 64,
        content_type=extra.pop("content_type", "application/pdf"),
        uploaded_at=AT,
        **extra,
    )


def submission(number: int = 1, duplicates: tuple[str, ...] = ()) -> Submission:
    facts = ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 3, 2),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
    )
    event = ApplicationSubmitted(
        application_id="app-1",
        submission=number,
        submitted_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
        applicant=facts,
        likely_duplicate_of=list(duplicates),
    )
    return Submission.of(event)


def verdict_on(documents: ApplicationDocuments, number: int = 1, **kw) -> Verdict:
    verdict = documents.verify(
        submission(number, **kw), REQUIRED, RULES, checklist_version="v1", at=AT
    )
    assert isinstance(verdict, Verdict)
    return verdict


def recorded(documents: ApplicationDocuments, number: int = 1, **kw) -> Verdict:
    verdict = verdict_on(documents, number, **kw)
    documents.record(verdict, event_id=f"e-{number}", caused_by=f"c-{number}")
    return verdict


def approve(by: str = "op-1") -> ReviewDecision:
    return ReviewDecision(True, AT, (by,), "lisible")


def refuse(reason: str = "attestation illisible") -> ReviewDecision:
    return ReviewDecision(False, AT, ("op-1", "op-2"), reason)


def test_filing_a_first_upload_replaces_nothing_and_a_second_replaces_the_first():
    documents = ApplicationDocuments("app-1")
    first, second = upload("k1"), upload("k2")
    assert documents.file(CNIE, first) is None
    assert documents.file(CNIE, second) == first
    assert documents.file(CNIE, second) is None  # a retried write changes nothing


def test_one_upload_cannot_be_filed_in_two_slots_nor_an_empty_or_foreign_type():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1"))
    with pytest.raises(FilingRefused):
        documents.file(WORK, upload("k1"))
    with pytest.raises(FilingRefused):
        documents.file(WORK, upload("k3", content_type="text/plain"))


def test_one_notice_lists_every_missing_document_with_code_and_both_languages():
    verdict = verdict_on(ApplicationDocuments("app-1"))
    assert verdict.event.outcome == "incomplete"
    assert [(v.kind, v.status, v.code) for v in verdict.event.verdicts] == [
        ("cnie", "missing", "document.missing"),
        ("work_certificate", "missing", "document.missing"),
    ]
    first = verdict.event.verdicts[0]
    assert first.reason == "CNIE : pièce manquante"
    assert first.reason_ar and "وثيقة ناقصة" in first.reason_ar


def test_an_accepted_document_carries_its_digest_and_is_then_locked():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", "a"))
    verdict = recorded(documents)
    assert verdict.event.verdicts[0].sha256 == "a" * 64
    with pytest.raises(FilingConflict):
        documents.file(CNIE, upload("k9"))
    # The missing one may come, and the accepted one is reused by the next submission.
    documents.file(WORK, upload("k2", "b"))
    later = verdict_on(documents, 2)
    assert later.event.outcome == "complete"
    assert [v.sha256 for v in later.event.verdicts] == ["a" * 64, "b" * 64]


def test_a_submission_is_verified_once():
    documents = ApplicationDocuments("app-1")
    verdict = recorded(documents)
    assert documents.verify(submission(), REQUIRED, RULES, checklist_version="v", at=AT) is (
        ALREADY_VERIFIED
    )
    with pytest.raises(ValueError):
        documents.record(verdict, event_id="e-2", caused_by="c-2")


def test_a_certificate_to_review_waits_then_an_approval_completes_the_file():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", "a"))
    documents.file(WORK, upload("k2", "b", review="document.no_text_layer"))
    verdict = recorded(documents)
    assert verdict.event.outcome == "in_review"
    assert verdict.event.verdicts[1].status == "in_review"
    (concern,) = verdict.concerns
    assert (concern.slot, concern.code, concern.sha256) == (
        WORK,
        "document.no_text_layer",
        "b" * 64,
    )
    with pytest.raises(FilingConflict):
        documents.file(WORK, upload("k3"))  # under review: not replaced meanwhile
    final = documents.decide(concern.item_id, approve(), REQUIRED, RULES, at=AT)
    assert final is not None and final.event.outcome == "complete"
    assert final.event.submission == 1
    documents.record_settled(final, event_id="e-final")
    assert documents.decide(concern.item_id, approve(), REQUIRED, RULES, at=AT) is None


def test_a_confirmed_refusal_gives_incomplete_with_the_operators_reason_and_may_be_replaced():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", "a"))
    documents.file(WORK, upload("k2", "b", review="document.no_text_layer"))
    (concern,) = recorded(documents).concerns
    final = documents.decide(concern.item_id, refuse("cachet absent"), REQUIRED, RULES, at=AT)
    assert final is not None and final.event.outcome == "incomplete"
    work = final.event.verdicts[1]
    assert (work.status, work.code) == ("refused", "review.refused")
    assert work.reason and "cachet absent" in work.reason and work.reason_ar
    documents.record_settled(final, event_id="e-final")
    assert documents.file(WORK, upload("k3", "c")) is not None  # a refused one is replaced
    assert verdict_on(documents, 2).event.outcome == "complete"


def test_every_item_must_be_decided_before_the_final_verdict():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", "a"))
    documents.file(WORK, upload("k2", "b", review="document.no_text_layer"))
    verdict = recorded(documents, duplicates=("app-0",))
    assert len(verdict.concerns) == 2 and verdict.event.verdicts[0].status == "in_review"
    first, second = verdict.concerns
    assert documents.decide(first.item_id, approve(), REQUIRED, RULES, at=AT) is None
    final = documents.decide(second.item_id, approve(), REQUIRED, RULES, at=AT)
    assert final is not None and final.event.outcome == "complete"


def test_a_confirmed_duplicate_refuses_the_identity_document():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", "a"))
    documents.file(WORK, upload("k2", "b"))
    (concern,) = recorded(documents, duplicates=("app-0",)).concerns
    assert concern.subject == "identity" and concern.likely_duplicate_of == ("app-0",)
    final = documents.decide(concern.item_id, refuse("même personne"), REQUIRED, RULES, at=AT)
    assert final is not None and final.event.outcome == "incomplete"
    assert (final.event.verdicts[0].status, final.event.verdicts[0].code) == (
        "refused",
        "identity.duplicate",
    )


def test_a_cleared_duplicate_is_not_asked_again():
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", "a"))
    (concern,) = recorded(documents, duplicates=("app-0",)).concerns
    documents.decide(concern.item_id, approve(), REQUIRED, RULES, at=AT)
    documents.file(WORK, upload("k2", "b"))
    again = verdict_on(documents, 2, duplicates=("app-0",))
    assert again.concerns == () and again.event.outcome == "complete"


def test_an_mrz_that_names_someone_else_goes_to_review_and_the_right_one_passes():
    theirs = find_mrz("\n".join(td1("A1", "ZZ999999", "ALAOUI", "AMINA")))
    ours = find_mrz("\n".join(td1("A1", "AB123456", "ALAOUI", "AMINA")))
    documents = ApplicationDocuments("app-1")
    documents.file(CNIE, upload("k1", "a", mrz=theirs))
    documents.file(WORK, upload("k2", "b"))
    assert verdict_on(documents).concerns[0].code == "cnie.mrz_mismatch"
    documents.file(CNIE, upload("k3", "c", mrz=ours))
    assert verdict_on(documents).event.outcome == "complete"


def test_renewal_proofs_are_announced_once_and_only_for_renewal_kinds():
    documents = ApplicationDocuments("app-1")
    school = Slot(DocumentKind.SCHOOL_CERTIFICATE, 0)
    event = documents.renew(school, upload("r1", "d"), RULES.renewal_kinds, at=AT)
    assert event is not None and (event.kind, event.dependant, event.sha256) == (
        "school_certificate",
        0,
        "d" * 64,
    )
    assert documents.renew(school, upload("r2", "d"), RULES.renewal_kinds, at=AT) is None
    assert "r1" in documents.keys()  # noqa: SIM118 (the objects it points to)
    with pytest.raises(FilingConflict):
        documents.renew(WORK, upload("r3", "e"), RULES.renewal_kinds, at=AT)


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
