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


def test_a_private_clinic_bills_directly_only_under_an_approval(act, claim_of, reference, coverage):
    claim = claim_of(act("CS", "2026-11-20", "300"), filed_by="facility")
    decision = adjudicate(claim, reference, coverage, set(), claim.filed_on, {})
    assert decision.lines[0].reason == "DIRECT_BILLING_NOT_OPEN"
    public = claim_of(act("CS", "2026-11-20", "300"), facility="public", filed_by="facility")
    decided = adjudicate(public, reference, coverage, set(), public.filed_on, {})
    assert decided.lines[0].reason == "ACCEPTED" and decided.payee == "facility"


@pytest.mark.parametrize(
    "code,wanted",
    [
        ("GLY", ("care_sheet", "prescription")),  # lab (B)
        ("RXTHO", ("care_sheet", "prescription")),  # radiology (Z)
        ("ECHABD", ("care_sheet", "prescription")),  # echography (K)
        ("KINE", ("care_sheet",)),
        ("C", ("care_sheet",)),
        ("APPEND", ("care_sheet", "invoice")),  # hospital care
    ],
)
def test_the_papers_an_act_calls_for(code, wanted, act, claim_of, reference):
    file = draft(claim_of(act(code, "2026-11-20", "100")))
    assert required_missing(file, reference.rules(NOW.date()), reference) == wanted


def test_which_key_letters_need_a_prescription_is_the_rules_data(act, claim_of, reference):
    rules = reference.rules(NOW.date())
    lab_only = rules.attachments.model_copy(update={"prescribed_letters": ("B",)})
    rules = rules.model_copy(update={"attachments": lab_only})
    file = draft(claim_of(act("GLY", "2026-11-20", "11"), act("RXTHO", "2026-11-20", "150")))
    assert required_missing(file, rules, reference) == ("care_sheet", "prescription")
    xray = draft(claim_of(act("RXTHO", "2026-11-20", "150")))
    assert required_missing(xray, rules, reference) == ("care_sheet",)


def test_an_unknown_act_needs_only_the_care_sheet_and_is_refused_by_adjudication(
    act, claim_of, reference, judge
):
    claim = claim_of(act("NOPE", "2026-11-20", "100"))
    assert required_missing(draft(claim), reference.rules(NOW.date()), reference) == ("care_sheet",)
    assert judge(claim).lines[0].reason == "ACT_NOT_IN_TARIFF"


def test_a_draft_is_submitted_once_papers_are_in_and_a_decided_claim_cannot_be_resubmitted(
    act, claim_of, reference
):
    rules = reference.rules(NOW.date())
    file = draft(claim_of(act("CS", "2026-11-20", "300")))
    file = file.attached(paper("care_sheet"), rules, reference)
    assert file.missing == () and file.uploads_open
    replaced = file.attached(paper("care_sheet").model_copy(update={"size": 99}), rules, reference)
    assert [a.size for a in replaced.attachments] == [99]  # one paper per kind, the latest
    for status in (FileStatus.ACCEPTED, FileStatus.REJECTED, FileStatus.IN_REVIEW):
        decided = file.model_copy(update={"status": status, "submission": 1})
        assert decided.submitted(NOW) is None and not decided.uploads_open
    never = file.model_copy(update={"status": FileStatus.PAID})
    with pytest.raises(FilingRefused):
        never.submitted(NOW)  # never handed in, yet paid: refused, not silently ignored
