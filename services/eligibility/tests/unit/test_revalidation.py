"""The revalidation schedule: what must be proven again, and by when, or rights are suspended."""

from __future__ import annotations

from datetime import date

from amo_eligibility.domain import RenewalDue, revalidation_schedule
from amo_shared.events import Category, DocumentKind

AS_OF = date(2025, 3, 12)


def test_a_student_past_the_child_limit_renews_the_school_certificate_yearly(
    make_facts, child, rules_2025
) -> None:
    facts = make_facts(dependants=[child(date(2002, 1, 1), student=True)])  # 23
    assert revalidation_schedule(facts, rules_2025, AS_OF) == [
        RenewalDue(subject=0, what=DocumentKind.SCHOOL_CERTIFICATE, due_date=date(2026, 3, 12))
    ]


def test_a_young_student_owes_the_certificate_when_passing_the_child_limit(
    make_facts, child, rules_2025
) -> None:
    facts = make_facts(dependants=[child(date(2005, 9, 30), student=True)])  # 19
    [due] = revalidation_schedule(facts, rules_2025, AS_OF)
    assert due.due_date == date(2027, 9, 30)  # 22nd birthday: no longer "at most 21"


def test_excluded_and_disabled_children_owe_no_school_certificate(
    make_facts, child, rules_2025
) -> None:
    kids = [
        child(date(1990, 1, 1), student=True),
        child(date(2000, 1, 1), student=True, disabled=True),
    ]
    assert revalidation_schedule(make_facts(dependants=kids), rules_2025, AS_OF) == []


def test_a_foreigner_renews_the_residence_card_on_its_expiry(make_facts, rules_2025) -> None:
    facts = make_facts(
        nationality="TN", residence_permit="RS1", residence_permit_expiry=date(2026, 1, 31)
    )
    assert revalidation_schedule(facts, rules_2025, AS_OF) == [
        RenewalDue(subject=None, what=DocumentKind.RESIDENCE_CARD, due_date=date(2026, 1, 31))
    ]


def test_pensioners_prove_their_pension_yearly(make_facts, rules_2025) -> None:
    retiree = make_facts(Category.RETIREE, pension_fund="CMR", pension_number="P1")
    orphan = make_facts(Category.ORPHAN, survivor_pension=True)
    assert [d.what for d in revalidation_schedule(retiree, rules_2025, AS_OF)] == [
        DocumentKind.RETIREMENT_CERTIFICATE
    ]
    assert revalidation_schedule(orphan, rules_2025, AS_OF)[0].due_date == date(2026, 3, 12)


def test_a_widow_without_pension_must_prove_one_before_her_rights_end(
    make_facts, rules_2025
) -> None:
    widow = make_facts(Category.WIDOW, member_death_date=date(2024, 6, 1), survivor_pension=False)
    assert revalidation_schedule(widow, rules_2025, AS_OF) == [
        RenewalDue(subject=None, what=DocumentKind.SURVIVOR_PENSION, due_date=date(2026, 6, 1))
    ]


def test_the_schedule_is_soonest_first(make_facts, child, rules_2025) -> None:
    facts = make_facts(
        nationality="FR",
        residence_permit="RS1",
        residence_permit_expiry=date(2027, 1, 1),
        dependants=[child(date(2002, 1, 1), student=True)],
    )
    dues = revalidation_schedule(facts, rules_2025, AS_OF)
    assert [d.due_date for d in dues] == sorted(d.due_date for d in dues)
    assert [d.subject for d in dues] == [0, None]
