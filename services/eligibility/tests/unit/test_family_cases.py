"""The family cases of issue 10 at the decision level, under the rules in force from 2026-12-01.

The same cases run end to end through the gateway in `tests/e2e/test_family_cases.py`.
"""

from __future__ import annotations

from datetime import date, timedelta

from amo_eligibility.domain import BeneficiaryPeriod, decide
from amo_shared.events import Category, DocumentKind, Guardian

FILED = date(2026, 12, 2)


def decided(facts, rules):  # type: ignore[no-untyped-def]
    decision = decide(facts, rules, FILED, FILED)
    assert decision.approved, [r.code for r in decision.failed_reasons]
    return decision


def test_a_spouse_insured_elsewhere_is_excluded(make_facts, spouse, rules_now) -> None:
    decision = decided(make_facts(dependants=[spouse(insured_elsewhere=True)]), rules_now)
    [verdict] = decision.dependants
    assert (verdict.included, verdict.reason.code) == (False, "dependant.spouse_insured_elsewhere")
    assert decision.covered_dependants == [] and decision.dependant_coverage == ()


def test_a_spouse_not_insured_elsewhere_is_covered_as_long_as_the_member(
    make_facts, spouse, rules_now
) -> None:
    decision = decided(make_facts(dependants=[spouse()]), rules_now)
    assert decision.dependant_coverage == (BeneficiaryPeriod(dependant=0, coverage_from=FILED),)


def test_an_unmarried_student_of_24_is_included_until_the_day_before_31(
    make_facts, child, rules_now
) -> None:
    decision = decided(make_facts(dependants=[child(date(2002, 5, 10), student=True)]), rules_now)
    assert decision.dependants[0].reason.code == "dependant.student"
    assert decision.dependant_coverage == (
        BeneficiaryPeriod(dependant=0, coverage_from=FILED, coverage_until=date(2033, 5, 9)),
    )
    [due] = decision.revalidations
    assert (due.subject, due.what, due.due_date) == (
        0,
        DocumentKind.SCHOOL_CERTIFICATE,
        date(2027, 12, 2),
    )


def test_a_married_student_of_24_is_excluded(make_facts, child, rules_now) -> None:
    decision = decided(
        make_facts(dependants=[child(date(2002, 5, 10), student=True, married=True)]), rules_now
    )
    [verdict] = decision.dependants
    assert (verdict.included, verdict.reason.code) == (False, "dependant.married_over_age")
    assert decision.revalidations == ()


def test_a_kafala_child_is_a_child(make_facts, child, rules_now) -> None:
    decision = decided(make_facts(dependants=[child(date(2019, 3, 3), kafala=True)]), rules_now)
    assert decision.dependants[0].reason.code == "dependant.child"
    assert decision.dependant_coverage[0].coverage_until == date(2041, 3, 2)  # before 22


def test_a_disabled_child_of_35_is_covered_without_end(make_facts, child, rules_now) -> None:
    decision = decided(make_facts(dependants=[child(date(1991, 1, 20), disabled=True)]), rules_now)
    assert decision.dependants[0].reason.code == "dependant.disabled"
    assert decision.dependant_coverage == (BeneficiaryPeriod(dependant=0, coverage_from=FILED),)


def test_an_orphan_of_10_filed_by_a_guardian(make_facts, rules_now) -> None:
    facts = make_facts(
        Category.ORPHAN,
        cnie=None,
        birth_date=date(2016, 6, 1),
        member_death_date=date(2026, 9, 14),
        survivor_pension=True,
        deceased_member_number="M123456789012",
        guardian=Guardian(
            cnie="GH123456", first_name="Karim", last_name="Alaoui", relationship="oncle"
        ),
    )
    decision = decided(facts, rules_now)
    codes = [r.code for r in decision.reasons]
    assert "guardian.present" in codes and "deceased.linked" in codes
    assert decision.coverage_start == date(2026, 9, 15), "from the day after the death"
    assert decision.payer == "CNOPS"
    assert [(d.what, d.due_date) for d in decision.revalidations] == [
        (DocumentKind.SURVIVOR_PENSION, date(2027, 12, 2))
    ]


def test_a_foreign_recruit_with_four_dependants(make_facts, spouse, child, rules_now) -> None:
    facts = make_facts(
        Category.PUBLIC_EMPLOYEE,
        cnie=None,
        nationality="SN",
        residence_permit="RS0012345",
        residence_permit_expiry=date(2028, 3, 31),
        recruitment_date=date(2026, 11, 2),
        previous_scheme=None,
        dependants=[
            spouse(),
            child(date(2012, 4, 4), name="Awa"),
            child(date(2004, 8, 8), student=True, name="Moussa"),
            child(date(2020, 1, 1), kafala=True, name="Fatou"),
        ],
    )
    decision = decided(facts, rules_now)
    start = date(2027, 2, 2)  # recruitment + 3 months
    assert decision.coverage_start == start and decision.payer == "CNOPS"
    assert [
        (p.dependant, p.coverage_from, p.coverage_until) for p in decision.dependant_coverage
    ] == [
        (0, start, None),
        (1, start, date(2034, 4, 3)),
        (2, start, date(2035, 8, 7)),
        (3, start, date(2041, 12, 31)),
    ]
    assert [(d.subject, d.what, d.due_date) for d in decision.revalidations] == [
        (2, DocumentKind.SCHOOL_CERTIFICATE, date(2027, 12, 2)),
        (None, DocumentKind.RESIDENCE_CARD, date(2028, 3, 31)),
    ]


def test_a_widow_without_pension_is_covered_until_death_plus_24_months(
    make_facts, child, rules_now
) -> None:
    death = date(2025, 10, 20)
    facts = make_facts(
        Category.WIDOW,
        member_death_date=death,
        survivor_pension=False,
        deceased_member_number="M123456789012",
        dependants=[child(date(2010, 2, 2))],
    )
    decision = decided(facts, rules_now)
    assert decision.coverage_start == death + timedelta(days=1)
    assert decision.coverage_until == date(2027, 10, 20)
    assert decision.dependant_coverage[0].coverage_until == date(2027, 10, 20), "capped"
    assert [(d.what, d.due_date) for d in decision.revalidations] == [
        (DocumentKind.SURVIVOR_PENSION, date(2027, 10, 20))
    ]


def test_an_independent_worker_is_paid_by_cnss(make_facts, rules_now) -> None:
    assert decided(make_facts(Category.INDEPENDENT_WORKER), rules_now).payer == "CNSS"
    assert decided(make_facts(Category.LIBERAL_PROFESSION), rules_now).payer == "CNSS"
