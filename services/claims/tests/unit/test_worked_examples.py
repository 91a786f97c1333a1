"""The worked examples of the reimbursement rules (docs/domain.md#reimbursement), one test each."""

import datetime as dt

from amo_claims.domain import ClaimStatus, LineKey, LineStatus, Money, Payee, Reason

AMOXICILLIN_BRAND, AMOXICILLIN_GENERIC = "6118000000015", "6118000000022"
INSULIN = "6118000000053"


def dh(amount):
    return Money.dh(amount)


def test_specialist_billed_300_for_a_public_sector_member(act, claim_of, judge):
    result = judge(claim_of(act("CS", "2025-03-04", "300")))
    line = result.lines[0]
    assert (line.tariff, line.base, line.rate) == (dh(150), dh(150), 80)
    assert (line.reimbursed, line.patient_share) == (dh(120), dh(180))
    assert [note.reason for note in line.notes] == [Reason.CAPPED_AT_TARIFF]
    assert result.status is ClaimStatus.ACCEPTED
    assert (result.scheme, result.tariff_version) == ("CNOPS", "cnops-2013-07-18")


def test_the_same_act_for_an_independent_worker_follows_the_cnss_table(
    act, claim_of, judge, coverage
):
    cnss = coverage.model_copy(update={"scheme": "CNSS"})
    result = judge(claim_of(act("CS", "2025-03-04", "300")), cover=cnss)
    line = result.lines[0]
    assert (line.tariff, line.base, line.reimbursed, line.patient_share) == (
        dh(250),
        dh(250),
        dh(200),
        dh(100),
    )
    assert result.tariff_version == "cnss-2020-01-13"


def test_gp_consultation_by_scheme(act, claim_of, judge, coverage):
    cnss = coverage.model_copy(update={"scheme": "CNSS"})
    public = judge(claim_of(act("C", "2025-12-31", "200"))).lines[0]
    independent = judge(claim_of(act("C", "2025-12-31", "200")), cover=cnss).lines[0]
    assert (public.base, public.reimbursed) == (dh(80), dh(64))
    assert (independent.base, independent.reimbursed) == (dh(150), dh(120))


def test_the_public_sector_table_starts_on_18_july_2013(act, claim_of, judge):
    before = judge(claim_of(act("C", "2013-07-17", "80"), filed_on="2013-07-20")).lines[0]
    on_the_day = judge(claim_of(act("C", "2013-07-18", "80"))).lines[0]
    assert (before.reason, on_the_day.reason) == (Reason.NO_TARIFF_ON_DATE, Reason.ACCEPTED)


def test_each_line_is_priced_on_the_version_in_force_on_its_own_date(
    act, claim_of, judge, reference
):
    current = reference.tariff_books["CNOPS"].history[-1]
    acts = {**current.acts, "CS": current.acts["CS"].model_copy(update={"tariff": dh(300)})}
    later = current.model_copy(
        update={"version": "later", "effective_from": dt.date(2027, 1, 1), "acts": acts}
    )
    proposed = reference.with_tariffs("CNOPS", [*reference.tariff_books["CNOPS"].history, later])
    claim = claim_of(act("CS", "2026-12-20", "400"), act("CS", "2027-01-05", "400"))
    first, second = judge(claim, ref=proposed).lines
    assert (first.base, second.base) == (dh(150), dh(300))


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


def test_ald_line_at_100_percent_and_another_illness_at_the_normal_rate(act, claim_of, judge):
    result = judge(
        claim_of(
            act("CS", "2025-06-10", "200", ald_code="ALD01"),
            act("C", "2025-06-10", "80"),  # the same day, for another illness
        )
    )
    ald, other = result.lines
    assert (ald.reason, ald.rate, ald.base) == (Reason.ALD_FULL_RATE, 100, dh(150))
    assert (ald.reimbursed, ald.patient_share) == (dh(150), dh(50))
    assert (other.reason, other.rate, other.reimbursed) == (Reason.ACCEPTED, 80, dh(64))


def test_private_surgery_without_prior_approval_is_rejected(act, claim_of, judge):
    result = judge(claim_of(act("APPEND", "2025-09-22", "9000")))
    assert result.lines[0].reason is Reason.PRIOR_APPROVAL_MISSING
    assert result.lines[0].reimbursed == Money.zero()
    assert result.status is ClaimStatus.REJECTED


def test_private_surgery_with_prior_approval_is_paid_90_percent_to_the_clinic(act, claim_of, judge):
    result = judge(claim_of(act("APPEND", "2025-09-22", "9000", prior_approval_ref="PEC-1")))
    line = result.lines[0]
    assert (line.base, line.rate, line.reimbursed) == (dh(6000), 90, dh(5400))
    # Third-party payment: the clinic is paid, the member owes only their share.
    assert (result.payee, line.patient_share) == (Payee.FACILITY, dh(3600))


def test_public_hospital_is_paid_at_100_percent_without_approval(act, claim_of, judge):
    claim = claim_of(
        act("CESAR", "2025-11-05", "8000"),
        act("JH", "2025-11-05", "1200", quantity=4),
        facility="public",
        filed_by="facility",
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


def test_filing_61_days_after_the_end_of_the_treatment_is_refused(act, claim_of, judge):
    lines = (act("CS", "2025-03-04", "150"), act("RXTHO", "2025-03-20", "150"))  # one treatment
    late = judge(claim_of(*lines, filed_on="2025-05-20"))  # 61 days after its last act
    in_time = judge(claim_of(*lines, filed_on="2025-05-19"))  # 60 days, 76 after the first
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
