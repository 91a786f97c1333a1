"""Calendar arithmetic the rules are written in: whole months and ages in completed years."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months; the day is clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on `on` (the birthday itself counts, as `birthday` dates it: born
    on 29 February, one is a year older on 28 February of a common year)."""
    years = on.year - birth_date.year
    return years - int(on < birthday(birth_date, years))


def birthday(birth_date: date, age: int) -> date:
    """The day a person born on `birth_date` turns `age` (29 Feb falls back to 28 Feb)."""
    return add_months(birth_date, 12 * age)


def french(day: date) -> str:
    """A date as operators and applicants read it in messages (dd/mm/yyyy)."""
    return day.strftime("%d/%m/%Y")
