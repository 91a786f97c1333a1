"""Dependants are judged one by one; an excluded dependant never refuses the member."""

from __future__ import annotations

from datetime import date

from amo_eligibility.domain import decide
from amo_shared.events import Dependant, Relationship

BEFORE_54_23 = date(2026, 6, 30)
AFTER_54_23 = date(2026, 7, 1)


def verdict(make_facts, dependant, rules, as_of):  # type: ignore[no-untyped-def]
    decision = decide(make_facts(dependants=[dependant]), rules, as_of, as_of)
    assert decision.approved, "a dependant's verdict never changes the member's"
    return decision.dependants[0]


def test_a_spouse_is_included(make_facts, rules_2025) -> None:
    spouse = Dependant(
        relationship=Relationship.SPOUSE,
        first_name="Omar",
        last_name="Alaoui",
        birth_date=date(1979, 1, 1),
    )
    assert verdict(make_facts, spouse, rules_2025, date(2025, 3, 1)).included


def test_a_child_of_21_is_included_and_of_22_not_student_excluded(
    make_facts, child, rules_2025
) -> None:
    as_of = date(2025, 3, 1)
    assert verdict(
        make_facts, child(date(2003, 3, 2)), rules_2025, as_of
    ).included  # 21, a day before 22
    excluded = verdict(make_facts, child(date(2003, 3, 1)), rules_2025, as_of)  # 22 today
    assert not excluded.included
    assert excluded.reason.code == "dependant.over_age"
    assert "22 ans" in excluded.reason.message_fr and "21 ans" in excluded.reason.message_fr


def test_a_student_of_26_is_included_before_law_54_23(make_facts, child, rules_2025) -> None:
    student = child(date(2000, 1, 1), student=True)
    assert (
        verdict(make_facts, student, rules_2025, date(2026, 6, 30)).reason.code
        == "dependant.student"
    )


def test_a_student_of_27_is_excluded_before_law_54_23_and_included_after(
    make_facts, child, book
) -> None:
    student = child(date(1999, 1, 15), student=True)  # 27 on both dates
    before = verdict(make_facts, student, book.in_force(BEFORE_54_23), BEFORE_54_23)
    after = verdict(make_facts, student, book.in_force(AFTER_54_23), AFTER_54_23)
    assert (before.included, before.reason.code) == (False, "dependant.over_age")
    assert "26 ans" in before.reason.message_fr
    assert (after.included, after.reason.code) == (True, "dependant.student")
    assert "30 ans" in after.reason.message_fr


def test_a_student_of_31_is_excluded_even_after_law_54_23(make_facts, child, rules_2026) -> None:
    assert not verdict(
        make_facts, child(date(1995, 1, 1), student=True), rules_2026, AFTER_54_23
    ).included


def test_a_disabled_child_of_40_is_included(make_facts, child, rules_2025) -> None:
    disabled = verdict(
        make_facts, child(date(1985, 1, 1), disabled=True), rules_2025, date(2025, 3, 1)
    )
    assert (disabled.included, disabled.reason.code) == (True, "dependant.disabled")


def test_each_dependant_gets_its_own_verdict_in_order(make_facts, child, rules_2025) -> None:
    kids = [child(date(2010, 1, 1), name="Lina"), child(date(2000, 1, 1), name="Adam")]
    decision = decide(make_facts(dependants=kids), rules_2025, date(2025, 3, 1), date(2025, 3, 1))
    assert [(v.index, v.included) for v in decision.dependants] == [(0, True), (1, False)]
    assert "Adam Alaoui" in decision.dependants[1].reason.message_fr
    assert "Adam Alaoui" in decision.dependants[1].reason.message_ar
