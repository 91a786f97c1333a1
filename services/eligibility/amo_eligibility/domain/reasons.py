"""The catalogue of reason codes a decision can give, and how a reason is worded from the rule file.

The codes are the domain's (stable, quoted by other services); the wording is data, versioned with
the rules, so a lawyer can change a sentence without a release. The catalogue says which codes pass
and which placeholders each message may use, so a rule file is checked against it when loaded.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from amo_eligibility.domain.calendar import french


class ReasonSpec(NamedTuple):
    passed: bool
    placeholders: frozenset[str]
    # The optional rule (`RuleSet.features()`) a code belongs to; None: every version words it.
    feature: str | None = None


def _spec(passed: bool, *placeholders: str, feature: str | None = None) -> ReasonSpec:
    return ReasonSpec(passed, frozenset(placeholders), feature)


CATALOGUE: dict[str, ReasonSpec] = {
    "nationality.national": _spec(True),
    "nationality.permit_valid": _spec(True, "expiry"),
    "nationality.permit_missing": _spec(False),
    "nationality.permit_expired": _spec(False, "expiry"),
    "category.accepted": _spec(True),
    "category.not_accepted": _spec(False),
    "waiting_period.applies": _spec(True, "months", "start"),
    "waiting_period.elapsed": _spec(True, "months", "start"),
    "waiting_period.waived": _spec(True, "start"),
    "waiting_period.recruitment_date_missing": _spec(False),
    # A declared previous scheme that is not on the list of AMO schemes: the period applies.
    "waiting_period.scheme_not_recognised": _spec(
        True, "months", "start", feature="previous_schemes"
    ),
    "pension_fund.recorded": _spec(True, "fund"),
    "pension_fund.missing": _spec(False),
    "pension_number.recorded": _spec(True),
    "pension_number.missing": _spec(False),
    "retirement_date.recorded": _spec(True, "start", feature="retiree_continuity"),
    "retirement_date.missing": _spec(False, feature="retiree_continuity"),
    "survivor.pension_held": _spec(True),
    "survivor.within_grace": _spec(True, "months", "death_date", "until"),
    "survivor.grace_expired": _spec(False, "months", "death_date", "until"),
    "survivor.death_date_missing": _spec(False),
    "orphan.pension_held": _spec(True),
    "orphan.pension_missing": _spec(False),
    "guardian.present": _spec(True, "age", feature="guardian"),
    "guardian.missing": _spec(False, "age", feature="guardian"),
    "deceased.linked": _spec(True, feature="deceased_member"),
    "deceased.missing": _spec(False, feature="deceased_member"),
    "continuity.after_death": _spec(True, "start", feature="survivor_continuity"),
    "continuity.death_date_missing": _spec(False, feature="survivor_continuity"),
    "dependant.spouse": _spec(True, "name"),
    "dependant.child": _spec(True, "name", "age", "limit"),
    "dependant.student": _spec(True, "name", "age", "limit"),
    "dependant.disabled": _spec(True, "name", "age"),
    "dependant.over_age": _spec(False, "name", "age", "limit"),
    "dependant.spouse_insured_elsewhere": _spec(False, "name", feature="spouse_insured_elsewhere"),
    "dependant.married_over_age": _spec(False, "name", "age", "limit", feature="married_students"),
}


class Message(BaseModel):
    """One reason's wording in both languages of the fund's notices."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fr: str = Field(min_length=1)
    ar: str = Field(min_length=1)

    def placeholders(self) -> set[str]:
        return {
            field
            for text in (self.fr, self.ar)
            for _, field, _, _ in string.Formatter().parse(text)
            if field is not None
        }


class Reason(BaseModel):
    """The verdict of one rule: its code, whether it passed, and why, in French and Arabic."""

    model_config = ConfigDict(frozen=True)
    code: str
    passed: bool
    message_fr: str
    message_ar: str


def catalogue_problems(
    messages: Mapping[str, Message], features: frozenset[str] = frozenset()
) -> list[str]:
    """What is wrong with a rule file's messages against the catalogue (empty when nothing):
    every code of the rules the version has must be worded (`features`: its optional rules)."""
    needed = [code for code, spec in CATALOGUE.items() if spec.feature in {None, *features}]
    problems = [
        f"{code}: no message for this reason code" for code in needed if code not in messages
    ]
    problems += [f"{code}: unknown reason code" for code in messages if code not in CATALOGUE]
    for code, message in messages.items():
        allowed = CATALOGUE[code].placeholders if code in CATALOGUE else frozenset()
        unknown = message.placeholders() - allowed
        if code in CATALOGUE and unknown:
            problems.append(
                f"{code}: unknown placeholder(s) {sorted(unknown)}, allowed {sorted(allowed)}"
            )
    return problems


def word(messages: Mapping[str, Message], code: str, **values: object) -> Reason:
    """The reason `code`, its messages filled with `values` (dates written dd/mm/yyyy)."""
    spec = CATALOGUE[code]
    assert set(values) == spec.placeholders, f"{code} takes {sorted(spec.placeholders)}"
    filled = {k: french(v) if isinstance(v, date) else v for k, v in values.items()}
    message = messages[code]
    return Reason(
        code=code,
        passed=spec.passed,
        message_fr=message.fr.format(**filled),
        message_ar=message.ar.format(**filled),
    )
