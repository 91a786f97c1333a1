"""Rejection reasons and the claim-level status, one rule at a time."""

import datetime as dt

import pytest

from amo_claims.domain import MESSAGES, BeneficiaryCover, ClaimStatus, Coverage, Reason


def test_no_coverage_before_the_start_or_after_the_end(act, claim_of, judge, coverage):
    bounded = coverage.model_copy(
        update={"valid_from": dt.date(2025, 3, 1), "valid_until": dt.date(2025, 3, 31)}
    )
    claim = claim_of(
        act("C", "2025-02-28", "80"),
        act("C", "2025-03-01", "80"),
        act("C", "2025-03-31", "80"),
        act("CS", "2025-04-01", "150"),
    )
    reasons = [line.reason for line in judge(claim, cover=bounded).lines]
    assert reasons == [
        Reason.NO_COVERAGE_ON_DATE,
        Reason.ACCEPTED,
        Reason.ACCEPTED,
        Reason.NO_COVERAGE_ON_DATE,
    ]


def test_acts_before_a_suspension_stay_covered(act, claim_of, judge, coverage):
    suspended = coverage.model_copy(
        update={"status": "suspended", "status_since": dt.date(2025, 3, 10)}
    )
    claim = claim_of(act("C", "2025-03-09", "80"), act("CS", "2025-03-10", "150"))
    reasons = [line.reason for line in judge(claim, cover=suspended).lines]
    assert reasons == [Reason.ACCEPTED, Reason.NO_COVERAGE_ON_DATE]


def test_a_revoked_card_without_a_date_covers_nothing(act, claim_of, judge, coverage):
    revoked = coverage.model_copy(update={"status": "revoked"})
    result = judge(claim_of(act("C", "2025-03-09", "80")), cover=revoked)
    assert result.status is ClaimStatus.REJECTED


def test_beneficiary_not_on_the_card(act, claim_of, judge):
    result = judge(claim_of(act("C", "2025-03-04", "80"), rank=3))
    assert result.lines[0].reason is Reason.BENEFICIARY_NOT_ON_CARD
    assert "rang 3" in result.lines[0].message


def test_unknown_act_and_unlisted_medicine(act, medicine, claim_of, judge):
    result = judge(claim_of(act("XYZ", "2025-03-04", "80"), medicine("0000", "2025-03-04", "10")))
    assert [line.reason for line in result.lines] == [
        Reason.ACT_NOT_IN_TARIFF,
        Reason.MEDICINE_NOT_LISTED,
    ]


def test_an_act_before_the_first_tariff_version(act, claim_of, judge, coverage):
    line = judge(claim_of(act("C", "2013-07-10", "80"), filed_on="2013-07-20")).lines[0]
    assert line.reason is Reason.NO_TARIFF_ON_DATE
    cnss = coverage.model_copy(update={"scheme": "CNSS"})
    before_cnss = judge(claim_of(act("C", "2020-01-12", "80")), cover=cnss).lines[0]
    assert before_cnss.reason is Reason.NO_TARIFF_ON_DATE


def test_an_act_dated_after_filing_or_after_today(act, claim_of, judge):
    claim = claim_of(
        act("C", "2025-03-04", "80"), act("CS", "2025-03-12", "150"), filed_on="2025-03-10"
    )
    assert judge(claim).lines[1].reason is Reason.ACT_DATE_INVALID
    in_future = claim_of(act("C", "2025-03-04", "80"))
    assert judge(in_future, today=dt.date(2025, 3, 3)).lines[0].reason is Reason.ACT_DATE_INVALID


def test_rejected_lines_leave_everything_to_the_patient(act, claim_of, judge):
    line = judge(claim_of(act("XYZ", "2025-03-04", "80"))).lines[0]
    assert (line.tariff, line.base.centimes, line.reimbursed.centimes) == (None, 0, 0)
    assert line.patient_share == line.billed


def test_claim_status_follows_its_lines(act, claim_of, judge):
    ok, bad = act("C", "2025-03-04", "80"), act("XYZ", "2025-03-04", "80")
    assert judge(claim_of(ok)).status is ClaimStatus.ACCEPTED
    assert judge(claim_of(ok, bad)).status is ClaimStatus.PARTIALLY_ACCEPTED
    assert judge(claim_of(bad)).status is ClaimStatus.REJECTED


def test_a_coverage_of_another_member_is_a_programming_error(act, claim_of, judge, coverage):
    stranger = coverage.model_copy(update={"member_number": "M0000000001"})
    with pytest.raises(ValueError, match="another member"):
        judge(claim_of(act("C", "2025-03-04", "80")), cover=stranger)


@pytest.mark.parametrize(
    "code",
    [
        "NO_COVERAGE_ON_DATE",
        "ACT_NOT_IN_TARIFF",
        "MEDICINE_NOT_LISTED",
        "DEADLINE_PASSED",
        "PRIOR_APPROVAL_MISSING",
        "PRESCRIBER_INPE_INVALID",
        "FACILITY_NOT_APPROVED",
        "DUPLICATE",
        "EXCLUDED_ITEM",
        "ALD_CODE_INVALID",
        "BENEFICIARY_NOT_ON_CARD",
    ],
)
def test_the_catalogue_holds_the_required_reasons(code):
    assert MESSAGES[Reason(code)]


def test_every_reason_has_a_message():
    assert set(MESSAGES) == set(Reason)


def test_a_line_names_exactly_one_of_act_or_medicine():
    from amo_claims.domain import ClaimLine

    with pytest.raises(ValueError, match="exactly one"):
        ClaimLine(act_code="C", medicine_code="6118000000015", date="2025-03-04", billed="80")
    with pytest.raises(ValueError, match="exactly one"):
        ClaimLine(date="2025-03-04", billed="80")


def test_coverage_without_an_end_date_is_open_ended():
    cover = Coverage(
        member_number="M1",
        scheme="CNOPS",
        status="active",
        valid_from="2000-01-01",
        beneficiaries=[{"rank": 0}],
    )
    assert cover.covers(0, dt.date(2090, 1, 1))


def test_an_adjudication_reads_back_from_its_json(act, claim_of, judge):
    from amo_claims.domain import Adjudication

    result = judge(claim_of(act("CS", "2025-03-04", "300"), act("XYZ", "2025-03-04", "80")))
    assert Adjudication.model_validate_json(result.model_dump_json()) == result


def test_a_suspended_beneficiary_is_refused_with_the_reason(act, claim_of, judge, coverage):
    child_suspended = coverage.model_copy(
        update={
            "beneficiaries": (
                BeneficiaryCover(rank=0),
                BeneficiaryCover(rank=1, status="suspended", status_since=dt.date(2025, 3, 10)),
            )
        }
    )
    claim = claim_of(act("C", "2025-03-09", "80"), act("CS", "2025-03-10", "150"), rank=1)
    before, after = judge(claim, cover=child_suspended).lines
    assert (before.reason, after.reason) == (Reason.ACCEPTED, Reason.NO_COVERAGE_ON_DATE)
    assert "droits suspendus" in after.message
    # The member (rank 0) on the same card is still covered.
    member = judge(claim_of(act("CS", "2025-03-10", "150")), cover=child_suspended)
    assert member.lines[0].reason is Reason.ACCEPTED


def test_an_ended_beneficiary_is_covered_up_to_their_last_day(act, claim_of, judge, coverage):
    ended = coverage.model_copy(
        update={
            "beneficiaries": (
                BeneficiaryCover(rank=0),
                BeneficiaryCover(rank=1, coverage_until=dt.date(2025, 3, 9), status="ended"),
            )
        }
    )
    claim = claim_of(act("C", "2025-03-09", "80"), act("CS", "2025-03-10", "150"), rank=1)
    last, over = judge(claim, cover=ended).lines
    assert (last.reason, over.reason) == (Reason.ACCEPTED, Reason.NO_COVERAGE_ON_DATE)
    assert "terminés" in over.message


@pytest.mark.parametrize("inpe", ["12345678", "1234567890", "12345678A", "ABCDEFGHI"])
def test_a_malformed_prescriber_inpe_refuses_the_claim(act, claim_of, judge, inpe):
    result = judge(claim_of(act("C", "2025-03-04", "80"), provider=inpe))
    assert result.lines[0].reason is Reason.PRESCRIBER_INPE_INVALID


def test_hospital_care_needs_a_facility_approved_on_the_act_date(act, claim_of, judge):
    approval = {"prior_approval_ref": "PEC-9"}
    no_facility = claim_of(act("APPEND", "2025-09-22", "9000", **approval), facility_id=None)
    withdrawn = claim_of(act("APPEND", "2025-09-22", "9000", **approval), facility_id="FAC-000203")
    still = claim_of(act("APPEND", "2024-12-31", "9000", **approval), facility_id="FAC-000203")
    unknown = claim_of(act("APPEND", "2025-09-22", "9000", **approval), facility_id="FAC-999999")
    wrong_kind = claim_of(act("APPEND", "2025-09-22", "9000", **approval), facility_id="FAC-000101")
    for claim in (no_facility, withdrawn, unknown, wrong_kind):
        assert (
            judge(claim, today=dt.date(2025, 10, 1)).lines[0].reason is Reason.FACILITY_NOT_APPROVED
        )
    assert judge(still).lines[0].reason is Reason.ACCEPTED


def test_a_consultation_outside_a_facility_needs_none(act, claim_of, judge):
    assert judge(claim_of(act("C", "2025-03-04", "80"), facility_id=None)).status == "accepted"
