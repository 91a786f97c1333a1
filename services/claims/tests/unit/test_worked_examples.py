"""The worked examples of the reimbursement rules (docs/domain.md#reimbursement), one test each."""

from amo_claims.domain import ClaimStatus, LineKey, LineStatus, Money, Payee, Reason

AMOXICILLIN_BRAND, AMOXICILLIN_GENERIC = "6118000000015", "6118000000022"
INSULIN = "6118000000053"


def dh(amount):
    return Money.dh(amount)


def test_specialist_billed_300_under_the_2013_tariff(act, claim_of, judge):
    result = judge(claim_of(act("CS", "2025-03-04", "300")))
    line = result.lines[0]
    assert (line.tariff, line.base, line.rate) == (dh(150), dh(150), 80)
    assert (line.reimbursed, line.patient_share) == (dh(120), dh(180))
    assert [note.reason for note in line.notes] == [Reason.CAPPED_AT_TARIFF]
    assert result.status is ClaimStatus.ACCEPTED and result.tariff_version == "2013-alignment"


def test_gp_consultation_at_the_2013_and_the_2026_tariffs(act, claim_of, judge):
    before = judge(claim_of(act("C", "2025-12-31", "80"))).lines[0]
    after = judge(claim_of(act("C", "2026-01-01", "200"))).lines[0]
    assert (before.base, before.reimbursed, before.patient_share) == (dh(80), dh(64), dh(16))
    assert (after.base, after.reimbursed, after.patient_share) == (dh(150), dh(120), dh(80))


def test_each_line_is_priced_on_the_version_in_force_on_its_own_date(act, claim_of, judge):
    claim = claim_of(act("CS", "2025-12-20", "250"), act("CS", "2026-01-05", "250"))
    first, second = judge(claim).lines
    assert (first.base, second.base) == (dh(150), dh(250))


def test_medicine_with_a_generic_is_based_on_the_generic_price(medicine, claim_of, judge):
    line = judge(claim_of(medicine(AMOXICILLIN_BRAND, "2025-04-01", "140", quantity=2))).lines[0]
    assert (line.tariff, line.base, line.rate) == (dh(84), dh(84), 70)
    assert (line.reimbursed, line.patient_share) == (dh("58.80"), dh("81.20"))
    assert Reason.GENERIC_REFERENCE in [note.reason for note in line.notes]


def test_medicine_without_a_generic_is_based_on_its_public_price(medicine, claim_of, judge):
    line = judge(claim_of(medicine(INSULIN, "2025-04-01", "450"))).lines[0]
    assert (line.base, line.reimbursed) == (dh(450), dh(315))


def test_a_generic_itself_is_based_on_its_own_price(medicine, claim_of, judge):
    line = judge(claim_of(medicine(AMOXICILLIN_GENERIC, "2025-04-01", "42"))).lines[0]
    assert (line.base, line.reimbursed, line.notes) == (dh(42), dh("29.40"), ())


def test_ald_with_a_valid_exemption_is_paid_at_100_percent_of_base(act, claim_of, judge):
    line = judge(claim_of(act("CS", "2025-06-10", "200", ald_code="ALD01"))).lines[0]
    assert (line.reason, line.rate, line.base) == (Reason.ALD_FULL_RATE, 100, dh(150))
    assert (line.reimbursed, line.patient_share) == (dh(150), dh(50))


def test_private_surgery_without_prior_approval_is_rejected(act, claim_of, judge):
    result = judge(claim_of(act("APPEND", "2025-09-22", "9000")))
    assert result.lines[0].reason is Reason.PRIOR_APPROVAL_MISSING
    assert result.lines[0].reimbursed == Money.zero()
    assert result.status is ClaimStatus.REJECTED


def test_private_surgery_with_prior_approval_is_paid_at_90_percent(act, claim_of, judge):
    line = judge(claim_of(act("APPEND", "2025-09-22", "9000", prior_approval_ref="PEC-1"))).lines[0]
    assert (line.base, line.rate, line.reimbursed) == (dh(6000), 90, dh(5400))


def test_public_hospital_is_paid_at_100_percent_without_approval(act, claim_of, judge):
    claim = claim_of(
        act("CESAR", "2025-11-05", "8000"),
        act("JH", "2025-11-05", "1200", quantity=4),
        facility="public",
    )
    result = judge(claim)
    assert [line.reimbursed for line in result.lines] == [dh(8000), dh(1200)]
    assert result.total_patient_share == Money.zero()
    assert result.payee is Payee.FACILITY  # tiers payant: the file reaches 200 DH


def test_public_file_under_200_dh_is_paid_to_the_member(act, claim_of, judge):
    assert judge(claim_of(act("C", "2025-11-05", "80"), facility="public")).payee is Payee.MEMBER
    assert (
        judge(
            claim_of(
                act("C", "2025-11-05", "80"), act("NFS", "2025-11-05", "120"), facility="public"
            )
        ).payee
        is Payee.FACILITY
    )


def test_hospital_day_is_priced_by_facility_kind(act, claim_of, judge):
    public = judge(claim_of(act("JH", "2025-11-05", "2000"), facility="public")).lines[0]
    private = judge(claim_of(act("JH", "2025-11-05", "2000", prior_approval_ref="PEC-2"))).lines[0]
    assert (public.base, private.base) == (dh(300), dh(750))


def test_private_room_is_excluded(act, claim_of, judge):
    result = judge(
        claim_of(
            act("JH", "2025-09-22", "750", prior_approval_ref="PEC-3"),
            act("CHP", "2025-09-22", "500"),
        )
    )
    room = result.lines[1]
    assert (room.reason, room.reimbursed, room.patient_share) == (
        Reason.EXCLUDED_ITEM,
        Money.zero(),
        dh(500),
    )
    assert "chambre particulière" in room.message
    assert result.status is ClaimStatus.PARTIALLY_ACCEPTED


def test_filing_61_days_after_the_first_act_rejects_every_line(act, claim_of, judge):
    lines = (act("CS", "2025-03-04", "150"), act("RXTHO", "2025-04-20", "150"))
    late = judge(claim_of(*lines, filed_on="2025-05-04"))  # 61 days
    in_time = judge(claim_of(*lines, filed_on="2025-05-03"))  # 60 days
    assert {line.reason for line in late.lines} == {Reason.DEADLINE_PASSED}
    assert late.status is ClaimStatus.REJECTED
    assert in_time.status is ClaimStatus.ACCEPTED


def test_a_line_already_paid_is_a_duplicate(act, claim_of, judge):
    first = claim_of(act("CS", "2025-03-04", "300"))
    paid = judge(first).paid_keys(first)
    again = judge(claim_of(act("CS", "2025-03-04", "300"), filed_on="2025-03-10"), history=paid)
    assert again.lines[0].reason is Reason.DUPLICATE
    assert again.status is ClaimStatus.REJECTED


def test_the_same_act_twice_in_one_claim_is_a_duplicate(act, claim_of, judge):
    result = judge(claim_of(act("C", "2025-03-04", "80"), act("C", "2025-03-04", "80")))
    assert [line.reason for line in result.lines] == [Reason.ACCEPTED, Reason.DUPLICATE]


def test_duplicates_are_per_beneficiary_and_provider(act, claim_of, judge):
    key = LineKey("M2019004521", 0, "101234567", "C", act("C", "2025-03-04", "80").date)
    other_child = judge(claim_of(act("C", "2025-03-04", "80"), rank=1), history={key})
    other_doctor = judge(
        claim_of(act("C", "2025-03-04", "80"), provider="109999999"), history={key}
    )
    assert other_child.lines[0].status is LineStatus.ACCEPTED
    assert other_doctor.lines[0].status is LineStatus.ACCEPTED


def test_rejected_lines_are_not_kept_as_paid(act, claim_of, judge):
    claim = claim_of(act("APPEND", "2025-09-22", "9000"))
    assert judge(claim).paid_keys(claim) == frozenset()


def test_act_billed_under_the_tariff_has_the_billed_amount_as_base(act, claim_of, judge):
    line = judge(claim_of(act("CS", "2025-03-04", "120"))).lines[0]
    assert (line.tariff, line.base, line.reimbursed, line.patient_share) == (
        dh(150),
        dh(120),
        dh(96),
        dh(24),
    )
    assert line.notes == ()


def test_lab_test_is_priced_by_its_coefficient(act, claim_of, judge):
    line = judge(claim_of(act("NFS", "2025-03-04", "60"))).lines[0]  # B40 x 1.10 DH
    assert (line.tariff, line.reimbursed) == (dh(44), dh("35.20"))
