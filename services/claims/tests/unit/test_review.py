"""Medical review: which adjudicated claims an operator sees first (dated rule data), and what
the operator's refusal makes of the decision."""

import datetime as dt

import pytest

from amo_claims.domain import Money
from amo_claims.domain.registries import MedicalReview
from amo_claims.domain.review import (
    ABOVE_THRESHOLD,
    REVIEW_DECISIONS,
    goes_with,
    refused_on_review,
    review_reasons,
)

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def rules(reference):
    return reference.rules(TODAY)


def test_a_line_quoting_an_ald_code_the_patient_does_not_hold_goes_to_review(
    act, claim_of, judge, rules
):
    unknown_ald = judge(claim_of(act("C", "2026-11-20", "80", ald_code="ALD99")))
    assert unknown_ald.lines[0].status == "accepted"  # paid at the normal rate, noted
    assert review_reasons(unknown_ald, rules) == ("ALD_CODE_INVALID",)
    held = judge(claim_of(act("C", "2026-11-20", "80", ald_code="ALD01")))
    assert held.lines[0].reason == "ALD_FULL_RATE"
    assert review_reasons(held, rules) == ()
    assert review_reasons(judge(claim_of(act("C", "2026-11-20", "80"))), rules) == ()


def test_a_rejected_line_calls_for_no_review(act, claim_of, judge, rules):
    # Act after the filing date: rejected, so nothing would be paid on the suspicious code.
    claim = claim_of(act("C", "2026-11-25", "80", ald_code="ALD99"), filed_on="2026-11-20")
    decision = judge(claim, today=TODAY)
    assert decision.lines[0].reason == "ACT_DATE_INVALID"
    assert review_reasons(decision, rules) == ()


def test_only_a_claim_reimbursing_more_than_the_threshold_is_reviewed(act, claim_of, judge, rules):
    assert rules.medical_review.above == Money.dh("10000")
    # Public hospital days at 100 %: 34 days billed 10 000 DH -> 10 000 DH, not above it.
    at = judge(claim_of(act("JH", "2026-11-20", "10000", quantity=34), facility="public"))
    assert at.total_reimbursed == Money.dh("10000")
    assert review_reasons(at, rules) == ()
    above = judge(claim_of(act("JH", "2026-11-20", "10000.01", quantity=34), facility="public"))
    assert above.total_reimbursed == Money.dh("10000.01")
    assert review_reasons(above, rules) == (ABOVE_THRESHOLD,)


def test_the_triggers_are_the_rules_data_not_code(act, claim_of, judge, rules):
    decision = judge(
        claim_of(
            act("C", "2026-11-20", "80", ald_code="ALD99"),
            act("JH", "2026-11-21", "12000", quantity=40),
            facility="public",
        )
    )
    assert review_reasons(decision, rules) == ("ALD_CODE_INVALID", ABOVE_THRESHOLD)
    none = rules.model_copy(update={"medical_review": MedicalReview()})
    assert review_reasons(decision, none) == ()
    higher = rules.model_copy(update={"medical_review": MedicalReview(above=Money.dh("20000"))})
    assert review_reasons(decision, higher) == ()


def test_a_refusal_after_review_rejects_every_paid_line_with_the_operators_reason(
    act, claim_of, judge
):
    claim = claim_of(
        act("C", "2026-11-20", "80", ald_code="ALD99"),
        act("C", "2026-11-20", "80"),  # the same act again: a duplicate, rejected already
    )
    decision = judge(claim)
    assert [line.reason for line in decision.lines] == ["ACCEPTED", "DUPLICATE"]
    refused = refused_on_review(decision, "not_related_to_condition")
    first, second = refused.lines
    assert (first.status, first.reason) == ("rejected", "MEDICAL_REVIEW_REFUSED")
    assert first.message == "Refusé après contrôle médical : " + (
        REVIEW_DECISIONS["not_related_to_condition"][1] + "."
    )
    assert (first.reimbursed, first.patient_share, first.notes) == (
        Money.zero(),
        Money.dh("80"),
        (),
    )
    assert second == decision.lines[1]
    assert refused.status == "rejected" and refused.total_reimbursed == Money.zero()
    assert refused.total_patient_share == refused.total_billed == Money.dh("160")


@pytest.mark.parametrize(
    "outcome,reason,fits",
    [
        ("accepted", "medically_justified", True),
        ("rejected", "medically_justified", False),
        ("rejected", "not_medically_justified", True),
        ("accepted", "documents_inconsistent", False),
        ("rejected", "nonsense", False),
    ],
)
def test_an_operators_reason_goes_with_one_outcome(outcome, reason, fits):
    assert goes_with(outcome, reason) is fits
