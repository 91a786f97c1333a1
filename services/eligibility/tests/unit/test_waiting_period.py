"""The waiting period of new recruits: waived only by a previous scheme on the list of AMO schemes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_eligibility.domain import decide
from amo_eligibility.domain.calendar import add_months
from amo_shared.events import Category

FILED = date(2026, 12, 2)
LISTED = [
    "public_sector",
    "cnss_salaried",
    "cnss_non_salaried",
    "students",
    "amo_achamil",
    "amo_tadamon",
]


def test_the_listed_schemes(rules_now) -> None:
    assert sorted(rules_now.public_employee.previous_schemes or {}) == sorted(LISTED)


@pytest.mark.parametrize("scheme", [*LISTED, "CNSS Salaried", " cnss-non-salaried ", "STUDENTS"])
def test_a_listed_scheme_waives_the_waiting_period(make_facts, rules_now, scheme) -> None:
    facts = make_facts(
        Category.PUBLIC_EMPLOYEE, recruitment_date=date(2026, 11, 16), previous_scheme=scheme
    )
    decision = decide(facts, rules_now, FILED, FILED)
    assert decision.coverage_start == FILED
    assert "waiting_period.waived" in [r.code for r in decision.reasons]


@pytest.mark.parametrize("scheme", ["CNSS", "mutuelle privée", "AXA", "yes", "RAMED"])
def test_anything_else_does_not_waive_it(make_facts, rules_now, scheme) -> None:
    facts = make_facts(
        Category.PUBLIC_EMPLOYEE, recruitment_date=date(2026, 11, 16), previous_scheme=scheme
    )
    decision = decide(facts, rules_now, FILED, FILED)
    assert decision.approved, "the waiting period never refuses"
    assert decision.coverage_start == date(2027, 2, 16)
    [reason] = [r for r in decision.reasons if r.code.startswith("waiting_period.")]
    assert reason.code == "waiting_period.scheme_not_recognised"
    assert scheme not in reason.message_fr, "the rule is named, not the value"


def test_before_2026_2_any_declared_scheme_waived_it(make_facts, rules_2026) -> None:
    as_of = date(2026, 8, 1)
    facts = make_facts(
        Category.PUBLIC_EMPLOYEE, recruitment_date=date(2026, 7, 15), previous_scheme="AXA"
    )
    assert decide(facts, rules_2026, as_of, as_of).coverage_start == as_of


@given(
    recruited_days_before=st.integers(-30, 200),
    scheme=st.sampled_from([None, "", "cnss_salaried", "AXA"]),
)
def test_coverage_starts_after_three_months_unless_waived(
    make_facts, rules_now, recruited_days_before: int, scheme: str | None
) -> None:
    recruited = FILED - timedelta(days=recruited_days_before)
    facts = make_facts(Category.PUBLIC_EMPLOYEE, recruitment_date=recruited, previous_scheme=scheme)
    start = decide(facts, rules_now, FILED, FILED).coverage_start
    if scheme == "cnss_salaried":
        assert start == max(recruited, FILED)
    else:
        assert start == max(add_months(recruited, 3), FILED)
