"""Adjudication checks the prior approval a line quotes: it must be approved, for this patient,
at this facility, for this act, on the act's date; otherwise PRIOR_APPROVAL_INVALID."""

import datetime as dt

import pytest

from amo_claims.domain import Money, adjudicate
from amo_claims.domain.approvals import ApprovalStatus

from .conftest import REQUESTED_AT, pending_approval

AT = REQUESTED_AT
SURGERY_DAY = "2026-11-10"


def approval(**changes):
    """Approved on 2 November until the end of December."""
    decided = dict(
        id="PA-0a1b2c3d4e5f",
        status=ApprovalStatus.APPROVED,
        reason="medically_justified",
        valid_from=dt.date(2026, 11, 2),
        valid_until=dt.date(2026, 12, 31),
        decided_at=AT,
        operator="op-1",
    )
    return pending_approval(**(decided | changes))


@pytest.fixture
def surgery(act, claim_of):
    def make(ref="PA-0a1b2c3d4e5f", code="APPEND", day=SURGERY_DAY, **claim):
        return claim_of(act(code, day, "6000", prior_approval_ref=ref), **claim)

    return make


def decide(claim, reference, coverage, approvals):
    return adjudicate(claim, reference, coverage, set(), claim.filed_on, approvals)


def test_an_approval_for_this_care_pays_the_private_clinic_90_percent(surgery, reference, coverage):
    decision = decide(surgery(), reference, coverage, {"PA-0a1b2c3d4e5f": approval()})
    line = decision.lines[0]
    assert (line.reason, line.rate, line.reimbursed) == ("ACCEPTED", 90, Money.dh("5400"))
    assert decision.payee == "facility"  # third-party payment under the approval


@pytest.mark.parametrize(
    "why,held,claim",
    [
        ("unknown", {}, {}),
        ("refused", {"status": ApprovalStatus.REFUSED, "valid_from": None}, {}),
        ("pending", {"status": ApprovalStatus.PENDING, "valid_until": None}, {}),
        ("another member", {"member_number": "M2019009999"}, {}),
        ("another beneficiary", {"beneficiary_rank": 1}, {}),
        ("another facility", {"facility_id": "FAC-000202"}, {}),
        ("another act", {"act_codes": ("CESAR",)}, {}),
        ("before its dates", {"valid_from": dt.date(2026, 11, 11)}, {}),
        ("after its dates", {"valid_until": dt.date(2026, 11, 9)}, {}),
    ],
)
def test_an_approval_that_does_not_authorise_the_line_rejects_it(
    why, held, claim, surgery, reference, coverage
):
    approvals = {} if why == "unknown" else {"PA-0a1b2c3d4e5f": approval(**held)}
    decision = decide(surgery(**claim), reference, coverage, approvals)
    line = decision.lines[0]
    assert (line.status, line.reason, line.reimbursed) == (
        "rejected",
        "PRIOR_APPROVAL_INVALID",
        Money.zero(),
    ), why
    assert line.message.startswith("Accord préalable PA-0a1b2c3d4e5f inconnu, non accordé")
    assert decision.payee == "member"  # nothing paid under the approval: no third party


def test_the_clinic_named_on_the_claim_is_the_one_checked(surgery, reference, coverage):
    elsewhere = surgery(facility_id="FAC-000202")  # Clinique Atlas, approved, private
    decision = decide(elsewhere, reference, coverage, {"PA-0a1b2c3d4e5f": approval()})
    assert decision.lines[0].reason == "PRIOR_APPROVAL_INVALID"


def test_an_approval_quoted_on_another_line_is_checked_there_too(
    act, claim_of, reference, coverage
):
    claim = claim_of(
        act("APPEND", SURGERY_DAY, "6000", prior_approval_ref="PA-0a1b2c3d4e5f"),
        act("JH", SURGERY_DAY, "750", prior_approval_ref="PA-0a1b2c3d4e5f"),
    )
    decision = decide(claim, reference, coverage, {"PA-0a1b2c3d4e5f": approval()})
    assert [line.reason for line in decision.lines] == ["ACCEPTED", "PRIOR_APPROVAL_INVALID"]
    assert decision.status == "partially_accepted"


def test_a_missing_reference_is_missing_before_it_is_invalid(act, claim_of, reference, coverage):
    claim = claim_of(act("APPEND", SURGERY_DAY, "6000"))
    decision = decide(claim, reference, coverage, {"PA-0a1b2c3d4e5f": approval()})
    assert decision.lines[0].reason == "PRIOR_APPROVAL_MISSING"


def test_earlier_checks_come_first(surgery, reference, coverage):
    # Filed after the 60 days: the deadline decides, whatever the approval says.
    late = surgery(filed_on="2027-02-01")
    decision = decide(late, reference, coverage, {})
    assert decision.lines[0].reason == "DEADLINE_PASSED"


def test_the_calculator_alone_checks_only_that_a_reference_is_given(surgery, reference, coverage):
    claim = surgery()
    alone = adjudicate(claim, reference, coverage, set(), claim.filed_on)
    assert alone.lines[0].reason == "ACCEPTED"
