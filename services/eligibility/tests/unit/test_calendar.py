"""Month arithmetic and ages, where off-by-one errors in rights hide."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_eligibility.domain.calendar import add_months, age_on, birthday


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2023, 1, 15), 24, date(2025, 1, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_age_counts_completed_years() -> None:
    assert age_on(date(2003, 3, 1), date(2025, 2, 28)) == 21
    assert age_on(date(2003, 3, 1), date(2025, 3, 1)) == 22
    assert birthday(date(2004, 2, 29), 21) == date(2025, 2, 28)
    # One day for both: the revalidation's due date and the dependant's age limit agree.
    assert (
        age_on(date(2004, 2, 29), date(2025, 2, 27)),
        age_on(date(2004, 2, 29), date(2025, 2, 28)),
    ) == (20, 21)
    assert age_on(date(2004, 2, 29), date(2028, 2, 29)) == 24


@given(st.dates(date(1900, 1, 1), date(2100, 1, 1)), st.integers(0, 120))
def test_one_is_that_age_on_the_birthday(born: date, age: int) -> None:
    assert age_on(born, birthday(born, age)) == age
