"""Coverage per beneficiary: each child's period ends the day before the birthday past their limit."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from amo_eligibility.domain import decide
from amo_eligibility.domain.calendar import age_on, birthday
from amo_shared.events import Category, DocumentKind

FILED = date(2026, 12, 2)


@given(
    age_days=st.integers(-400, 400),
    limit=st.sampled_from([22, 31]),
    student=st.booleans(),
    married=st.booleans(),
    disabled=st.booleans(),
)
def test_a_childs_period_follows_the_limit_that_covers_them(
    make_facts, child, rules_now, age_days, limit, student, married, disabled
) -> None:
    """Around the 22nd birthday (child limit) and the 31st (student limit, law 54-23)."""
    born = birthday(FILED, -limit) + timedelta(days=age_days)  # turns `limit` near the filing
    kid = child(born, student=student, married=married, disabled=disabled)
    decision = decide(make_facts(dependants=[kid]), rules_now, FILED, FILED)
    age = age_on(born, FILED)
    studies = student and not married
    covered = disabled or age <= 21 or (studies and age <= 30)
    assert decision.dependants[0].included is covered
    periods = {p.dependant: p for p in decision.dependant_coverage}
    assert (0 in periods) is covered
    if covered:
        end = periods[0].coverage_until
        if disabled:
            assert end is None
        else:
            assert end == birthday(born, 31 if studies else 22) - timedelta(days=1)
            assert age_on(born, end) == (30 if studies else 21), "the last day is still covered"


@given(age=st.integers(24, 28), as_of=st.dates(date(2025, 1, 1), date(2026, 6, 30)))
def test_before_law_54_23_students_are_covered_to_26(make_facts, child, book, age, as_of) -> None:
    born = birthday(as_of, -age)
    decision = decide(
        make_facts(dependants=[child(born, student=True)]), book.in_force(as_of), as_of, as_of
    )
    assert decision.dependants[0].included is (age <= 26)
    if age <= 26:
        assert decision.dependant_coverage[0].coverage_until == birthday(born, 27) - timedelta(1)


def test_a_child_past_the_limit_before_the_waiting_period_ends_is_never_covered(
    make_facts, child, rules_now
) -> None:
    # 21 at filing, 22 on 1 January: the member's coverage starts on 2 March.
    facts = make_facts(
        Category.PUBLIC_EMPLOYEE,
        recruitment_date=date(2026, 12, 2),
        dependants=[child(date(2005, 1, 1)), child(date(2015, 1, 1), name="Lina")],
    )
    decision = decide(facts, rules_now, FILED, FILED)
    assert decision.dependants[0].included, "judged on the filing date"
    assert decision.covered_dependants == [1], "but the period would be empty"


def test_a_young_student_owes_the_certificate_on_the_22nd_birthday(
    make_facts, child, rules_now
) -> None:
    decision = decide(
        make_facts(dependants=[child(date(2010, 4, 1), student=True)]), rules_now, FILED, FILED
    )
    assert [(d.what, d.due_date) for d in decision.revalidations] == [
        (DocumentKind.SCHOOL_CERTIFICATE, date(2032, 4, 1))
    ]


def test_a_student_of_21_gave_the_certificate_with_the_file_valid_a_year(
    make_facts, child, rules_now
) -> None:
    decision = decide(
        make_facts(dependants=[child(date(2005, 3, 1), student=True)]), rules_now, FILED, FILED
    )
    assert [d.due_date for d in decision.revalidations] == [date(2027, 12, 2)]


def test_no_certificate_is_due_after_the_coverage_it_would_keep(
    make_facts, child, rules_now
) -> None:
    # 30 at filing, 31 on 1 March 2027: a year's certificate would outlast the coverage.
    decision = decide(
        make_facts(dependants=[child(date(1996, 3, 1), student=True)]), rules_now, FILED, FILED
    )
    assert decision.dependant_coverage[0].coverage_until == date(2027, 2, 28)
    assert decision.revalidations == ()


def test_a_married_student_under_21_is_covered_as_a_child_without_certificate(
    make_facts, child, rules_now
) -> None:
    kid = child(date(2007, 5, 5), student=True, married=True)
    decision = decide(make_facts(dependants=[kid]), rules_now, FILED, FILED)
    assert decision.dependant_coverage[0].coverage_until == date(2029, 5, 4)
    assert decision.revalidations == ()
