"""Long-term illness (ALD) exemptions: how long one lasts (the ALD list's rule: a number of years,
or life), and whether a line for that illness is paid at the ALD rate."""

from __future__ import annotations

import datetime as dt

from .coverage import Coverage
from .registries import AldList


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year ends on the 28th
        return day.replace(year=day.year + years, day=28)


def exemption_until(code: str, valid_from: dt.date, ald: AldList) -> dt.date | None:
    """The last day of an exemption for `code` granted from `valid_from`; None for life.

    KeyError when the code is not on the list."""
    if ald.conditions[code].lifelong:
        return None
    return add_years(valid_from, ald.validity_years) - dt.timedelta(days=1)


def ald_rate_applies(
    code: str, beneficiary_rank: int, on: dt.date, coverage: Coverage, ald: AldList
) -> bool:
    """The code is on the list in force and this beneficiary holds an exemption for it on `on`."""
    return code in ald.conditions and coverage.exempt(beneficiary_rank, code, on)
