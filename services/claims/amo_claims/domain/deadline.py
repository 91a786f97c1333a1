"""Filing deadlines: a member's runs from the end of a continuous treatment, a facility's direct
billing has its own; days inside a suspension window (a decision of the fund) do not count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .claim import Claim, FiledBy
from .registries import Deadlines


def treatment_ends(days: Iterable[dt.date], gap_days: int) -> dict[dt.date, dt.date]:
    """For each act date, the last act of the continuous treatment it belongs to: acts no more
    than `gap_days` apart chain into one treatment."""
    ordered = sorted(set(days))
    ends: dict[dt.date, dt.date] = {}
    run: list[dt.date] = []
    for day in ordered:
        if run and (day - run[-1]).days > gap_days:
            ends.update(dict.fromkeys(run, run[-1]))
            run = []
        run.append(day)
    ends.update(dict.fromkeys(run, run[-1]))
    return ends


def days_counted(start: dt.date, filed_on: dt.date, deadlines: Deadlines) -> int:
    """Days from `start` to `filed_on`, less those inside a suspension window."""
    elapsed = (filed_on - start).days
    for window in deadlines.suspensions:
        first = max(window.first_day, start + dt.timedelta(days=1))
        last = min(window.last_day, filed_on)
        if last >= first:
            elapsed -= (last - first).days + 1
    return elapsed


def allowed_days(claim: Claim, deadlines: Deadlines) -> int:
    return deadlines.facility_days if claim.filed_by is FiledBy.FACILITY else deadlines.member_days


def is_late(claim: Claim, treatment_end: dt.date, deadlines: Deadlines) -> bool:
    return days_counted(treatment_end, claim.filed_on, deadlines) > allowed_days(claim, deadlines)
