"""A claim file's life: every missing paper at once, submission, review, direct billing."""

import datetime as dt

import pytest

from amo_claims.domain import adjudicate
from amo_claims.domain.filing import (
    Attachment,
    ClaimFile,
    FileStatus,
    FilingRefused,
    required_missing,
    review_reasons,
)

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


def draft(claim):
    return ClaimFile(id="c1", claim=claim, status=FileStatus.DRAFT, created_at=NOW)


def paper(kind):
    return Attachment(
        kind=kind, sha256="0" * 64, size=10, content_type="application/pdf", object_key=kind
    )


def test_a_consultation_needs_the_care_sheet_only(act, claim_of, reference):
    file = draft(claim_of(act("CS", "2026-11-20", "300")))
    assert required_missing(file, reference.rules(NOW.date()), reference) == ("care_sheet",)


def test_every_missing_paper_is_listed_at_once(act, medicine, claim_of, reference):
    claim = claim_of(
        act("CS", "2026-11-20", "300"),
        medicine("6118000010013", "2026-11-20", "50"),
        act("JH", "2026-11-21", "750"),
    )
    rules = reference.rules(NOW.date())
    assert required_missing(draft(claim), rules, reference) == (
        "care_sheet",
        "prescription",
        "invoice",
    )
    attached = draft(claim).attached(paper("invoice"), rules, reference)
    assert attached.missing == ("care_sheet", "prescription")


def test_direct_billing_needs_no_papers(act, claim_of, reference):
    claim = claim_of(act("JH", "2026-11-21", "300"), facility="public", filed_by="facility")
    assert required_missing(draft(claim), reference.rules(NOW.date()), reference) == ()


def test_submitting_twice_hands_in_once_and_a_decided_claim_takes_no_papers(
    act, claim_of, reference
):
    file = draft(claim_of(act("CS", "2026-11-20", "300")))
    received = file.submitted(NOW)
    assert received is not None and received.status is FileStatus.RECEIVED
    assert received.submission == 1 and received.submitted_at == NOW
    assert received.submitted(NOW) is None
    with pytest.raises(FilingRefused):
        received.attached(paper("care_sheet"), reference.rules(NOW.date()), reference)
    again = received.model_copy(update={"status": FileStatus.INCOMPLETE}).submitted(NOW)
    assert again is not None and again.submission == 2


def test_medical_review_for_an_unknown_ald_code_and_above_the_threshold(
    act, claim_of, judge, reference
):
    rules = reference.rules(NOW.date())
    unknown_ald = judge(claim_of(act("C", "2026-11-20", "80", ald_code="ALD99")))
    assert review_reasons(unknown_ald, rules) == ("ALD_CODE_INVALID",)
    ordinary = judge(claim_of(act("C", "2026-11-20", "80")))
    assert review_reasons(ordinary, rules) == ()


def test_a_private_clinic_bills_directly_only_under_an_approval(act, claim_of, reference, coverage):
    claim = claim_of(act("CS", "2026-11-20", "300"), filed_by="facility")
    decision = adjudicate(claim, reference, coverage, set(), claim.filed_on, {})
    assert decision.lines[0].reason == "DIRECT_BILLING_NOT_OPEN"
    public = claim_of(act("CS", "2026-11-20", "300"), facility="public", filed_by="facility")
    decided = adjudicate(public, reference, coverage, set(), public.filed_on, {})
    assert decided.lines[0].reason == "ACCEPTED" and decided.payee == "facility"
