"""Whether a long-term illness (ALD) exemption quoted on a line is in force on the act date."""

from __future__ import annotations

import datetime as dt

from .claim import Coverage
from .tariffs import Tariffs


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year ends on the 28th
        return day.replace(year=day.year + years, day=28)


def ald_exemption_in_force(
    code: str, beneficiary_rank: int, on: dt.date, coverage: Coverage, tariffs: Tariffs
) -> bool:
    """The code is on the ALD list, was granted to this beneficiary, and has not expired."""
    condition = tariffs.ald.conditions.get(code)
    if condition is None:
        return False
    for exemption in coverage.ald_exemptions:
        if exemption.code != code or exemption.beneficiary_rank != beneficiary_rank:
            continue
        if exemption.granted_on > on:
            continue
        if condition.lifelong or on < add_years(exemption.granted_on, tariffs.ald.validity_years):
            return True
    return False
