"""Worked examples per category: the decisions an operator should be able to predict by hand."""

from __future__ import annotations

from datetime import date

import pytest

from amo_eligibility.domain import decide
from amo_shared.events import Category, DecisionReason

AS_OF = date(2025, 3, 12)
FILED = date(2025, 3, 10)


def codes(decision) -> list[str]:  # type: ignore[no-untyped-def]
    return [reason.code for reason in decision.reasons]


def test_a_moroccan_liberal_professional_is_approved_from_the_filing(
    make_facts, rules_2025
) -> None:
    decision = decide(make_facts(Category.LIBERAL_PROFESSION), rules_2025, AS_OF, FILED)
    assert decision.outcome == "approved"
    assert codes(decision) == ["nationality.national", "category.accepted"]
    assert decision.coverage_start == FILED
    assert decision.rules_version == "2025.1"


def test_an_independent_worker_is_approved(make_facts, rules_2025) -> None:
    decision = decide(make_facts(Category.INDEPENDENT_WORKER), rules_2025, AS_OF, FILED)
    assert decision.approved


def test_a_foreigner_with_a_permit_valid_on_the_decision_date_is_approved(
    make_facts, rules_2025
) -> None:
    facts = make_facts(
        nationality="FR", cnie=None, residence_permit="RS1", residence_permit_expiry=AS_OF
    )
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.approved
    assert decision.reasons[0].code == "nationality.permit_valid"
    assert "12/03/2025" in decision.reasons[0].message_fr


def test_a_foreigner_whose_permit_expired_is_rejected(make_facts, rules_2025) -> None:
    facts = make_facts(
        nationality="FR", residence_permit="RS1", residence_permit_expiry=date(2025, 3, 11)
    )
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.outcome == "rejected"
    assert [r.code for r in decision.failed_reasons] == ["nationality.permit_expired"]
    assert decision.coverage_start is None


def test_a_foreigner_without_a_permit_is_rejected(make_facts, rules_2025) -> None:
    decision = decide(make_facts(nationality="SN"), rules_2025, AS_OF, FILED)
    assert [r.code for r in decision.failed_reasons] == ["nationality.permit_missing"]


def test_a_recruit_of_one_month_is_covered_three_months_after_recruitment(
    make_facts, rules_2025
) -> None:
    facts = make_facts(Category.PUBLIC_EMPLOYEE, recruitment_date=date(2025, 2, 12))
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.approved, "the waiting period delays coverage, it never refuses"
    assert decision.coverage_start == date(2025, 5, 12)
    assert "waiting_period.applies" in codes(decision)


def test_the_waiting_period_is_waived_for_a_recruit_from_another_amo_scheme(
    make_facts, rules_2025
) -> None:
    facts = make_facts(
        Category.PUBLIC_EMPLOYEE, recruitment_date=date(2025, 2, 12), previous_scheme="CNSS"
    )
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.coverage_start == FILED
    assert "waiting_period.waived" in codes(decision)


def test_a_long_serving_employee_is_covered_from_the_filing(make_facts, rules_2025) -> None:
    facts = make_facts(Category.PUBLIC_EMPLOYEE, recruitment_date=date(2010, 9, 1))
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.coverage_start == FILED
    assert "waiting_period.elapsed" in codes(decision)


def test_a_public_employee_without_a_recruitment_date_is_rejected(make_facts, rules_2025) -> None:
    decision = decide(make_facts(Category.PUBLIC_EMPLOYEE), rules_2025, AS_OF, FILED)
    assert [r.code for r in decision.failed_reasons] == ["waiting_period.recruitment_date_missing"]


def test_a_retiree_with_fund_and_number_is_approved(make_facts, rules_2025) -> None:
    facts = make_facts(Category.RETIREE, pension_fund="CMR", pension_number="P-778899")
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.approved
    assert codes(decision)[-2:] == ["pension_fund.recorded", "pension_number.recorded"]


def test_a_retiree_without_a_pension_number_is_rejected(make_facts, rules_2025) -> None:
    facts = make_facts(Category.RETIREE, pension_fund="CMR", pension_number="  ")
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert [r.code for r in decision.failed_reasons] == ["pension_number.missing"]


def test_a_widow_with_a_survivor_pension_is_approved_for_good(make_facts, rules_2025) -> None:
    facts = make_facts(Category.WIDOW, member_death_date=date(2015, 1, 1), survivor_pension=True)
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.approved and decision.coverage_until is None


@pytest.mark.parametrize(
    ("death", "approved"),
    [(date(2023, 3, 12), True), (date(2023, 3, 11), False), (date(2023, 2, 12), False)],
    ids=["exactly-24-months", "24-months-and-a-day", "25-months"],
)
def test_a_widow_without_pension_keeps_rights_24_months(
    make_facts, rules_2025, death, approved
) -> None:
    facts = make_facts(Category.WIDOW, member_death_date=death, survivor_pension=False)
    decision = decide(facts, rules_2025, AS_OF, FILED)
    assert decision.approved is approved
    if approved:
        assert decision.coverage_until == date(2025, 3, 12)
    else:
        assert [r.code for r in decision.failed_reasons] == ["survivor.grace_expired"]


def test_an_orphan_needs_a_survivor_pension(make_facts, rules_2025) -> None:
    with_pension = decide(
        make_facts(Category.ORPHAN, survivor_pension=True), rules_2025, AS_OF, FILED
    )
    without = decide(make_facts(Category.ORPHAN, survivor_pension=None), rules_2025, AS_OF, FILED)
    assert with_pension.approved
    assert [r.code for r in without.failed_reasons] == ["orphan.pension_missing"]


def test_reasons_convert_to_the_contract_with_both_languages(make_facts, child, rules_2025) -> None:
    facts = make_facts(dependants=[child(date(2000, 1, 1))])
    reasons = decide(facts, rules_2025, AS_OF, FILED).contract_reasons()
    assert all(isinstance(r, DecisionReason) and r.message_fr and r.message_ar for r in reasons)
    assert reasons[-1].code == "dependant.over_age" and reasons[-1].passed is False


def test_decide_refuses_rules_not_yet_in_force_and_a_decision_before_filing(
    make_facts, rules_2026
) -> None:
    with pytest.raises(ValueError, match="after the decision date"):
        decide(make_facts(), rules_2026, AS_OF, FILED)
    with pytest.raises(ValueError, match="cannot precede"):
        decide(make_facts(), rules_2026, date(2026, 7, 1), date(2026, 7, 2))
