"""ALD exemptions: 100 % of the base while valid; otherwise the normal rate, noted on the line."""

import datetime as dt

from amo_claims.domain import Reason
from amo_claims.domain.ald import add_years, exemption_until

from .conftest import exemption


def _notes(line):
    return [note.reason for note in line.notes]


def test_expired_exemption_falls_back_to_the_normal_rate(act, claim_of, judge):
    line = judge(claim_of(act("CS", "2025-03-04", "150", ald_code="ALD02"))).lines[0]  # 2018 + 5
    assert (line.reason, line.rate, line.reimbursed.centimes) == (Reason.ACCEPTED, 80, 12000)
    assert _notes(line) == [Reason.ALD_CODE_INVALID]


def test_unknown_code_falls_back_to_the_normal_rate(act, claim_of, judge):
    line = judge(claim_of(act("CS", "2025-03-04", "150", ald_code="ALD99"))).lines[0]
    assert (line.rate, _notes(line)) == (80, [Reason.ALD_CODE_INVALID])


def test_exemption_of_another_beneficiary_does_not_apply(act, claim_of, judge):
    line = judge(claim_of(act("CS", "2025-03-04", "150", ald_code="ALD01"), rank=1)).lines[0]
    assert _notes(line) == [Reason.ALD_CODE_INVALID]


def test_lifelong_exemption_never_expires(act, claim_of, judge):
    line = judge(claim_of(act("CS", "2025-03-04", "150", ald_code="ALD04"), rank=1)).lines[0]
    assert (line.reason, line.reimbursed.centimes) == (Reason.ALD_FULL_RATE, 15000)


def test_exemption_is_valid_five_years_to_the_day(act, claim_of, judge, coverage):
    cover = coverage.model_copy(update={"ald_exemptions": (exemption("ALD03", 0, "2020-06-01"),)})
    last = judge(claim_of(act("C", "2025-05-31", "80", ald_code="ALD03")), cover=cover).lines[0]
    over = judge(claim_of(act("C", "2025-06-01", "80", ald_code="ALD03")), cover=cover).lines[0]
    assert (last.reason, over.reason) == (Reason.ALD_FULL_RATE, Reason.ACCEPTED)


def test_exemption_granted_after_the_act_does_not_apply(act, claim_of, judge, coverage):
    cover = coverage.model_copy(update={"ald_exemptions": (exemption("ALD03", 0, "2025-03-05"),)})
    line = judge(claim_of(act("C", "2025-03-04", "80", ald_code="ALD03")), cover=cover).lines[0]
    assert _notes(line) == [Reason.ALD_CODE_INVALID]


def test_ald_medicine_is_paid_in_full_on_the_generic_price(medicine, claim_of, judge):
    line = judge(claim_of(medicine("6118000000039", "2025-06-11", "40", ald_code="ALD01"))).lines[0]
    assert (line.base.centimes, line.reimbursed.centimes, line.patient_share.centimes) == (
        2250,
        2250,
        1750,
    )


def test_ald_never_pays_excluded_items(act, claim_of, judge):
    line = judge(claim_of(act("CHP", "2025-06-11", "500", ald_code="ALD01"))).lines[0]
    assert line.reason is Reason.EXCLUDED_ITEM


def test_29_february_plus_five_years_is_28_february():
    assert add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)


def test_the_ald_list_says_how_long_an_exemption_lasts(reference):
    ald = reference.ald(dt.date(2025, 1, 1))
    assert exemption_until("ALD01", dt.date(2020, 6, 1), ald) == dt.date(2025, 5, 31)
    assert exemption_until("ALD04", dt.date(2020, 6, 1), ald) is None  # for life


def test_an_exemption_belongs_to_the_patient_not_the_claim(act, claim_of, judge, coverage):
    # The member's child (rank 1) is exempt for ALD04; the member (rank 0) is not.
    child = judge(claim_of(act("C", "2025-03-04", "80", ald_code="ALD04"), rank=1)).lines[0]
    member = judge(claim_of(act("C", "2025-03-04", "80", ald_code="ALD04"), rank=0)).lines[0]
    assert (child.reason, member.reason) == (Reason.ALD_FULL_RATE, Reason.ACCEPTED)
