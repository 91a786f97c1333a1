"""The rule parameters in force from a date (`RuleSet`) and the book of every version (`RuleBook`).

Everything a decree can change is a field here, filled from a rule file; the models refuse unknown
fields so a typo in a file fails at load instead of silently falling back to a default.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from amo_eligibility.domain.reasons import Message, catalogue_problems
from amo_shared.dated import DatedBook
from amo_shared.events import Category


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NationalityRules(Parameters):
    # ISO 3166 codes treated as nationals; anyone else must hold a residence permit still
    # valid on the decision date (legal residence is the law's condition, not a parameter).
    nationals: frozenset[str] = Field(min_length=1)


class PublicEmployeeRules(Parameters):
    waiting_period_months: int = Field(ge=0)
    waived_by_previous_scheme: bool


class RetireeRules(Parameters):
    requires_pension_fund: bool
    requires_pension_number: bool


class WidowRules(Parameters):
    # Without a survivor's pension, rights last this long after the member's death.
    rights_without_pension_months: int = Field(ge=0)


class OrphanRules(Parameters):
    requires_survivor_pension: bool


class DependantRules(Parameters):
    # Ages are "at most N years old" in completed years: the limit's birthday year is still covered.
    child_max_age: int = Field(ge=0)
    student_max_age: int = Field(ge=0)
    disabled_max_age: int | None = None  # None: no age limit

    @model_validator(mode="after")
    def _student_limit_extends_child_limit(self) -> DependantRules:
        if self.student_max_age < self.child_max_age:
            raise ValueError("student_max_age must not be below child_max_age")
        return self


class RevalidationRules(Parameters):
    school_certificate_every_months: int = Field(ge=1)
    residence_card_days_before_expiry: int = Field(ge=0)
    pension_status_every_months: int = Field(ge=1)


class RuleSet(Parameters):
    """The eligibility rules in force from `effective_from` until the next version."""

    version: str = Field(min_length=1)
    effective_from: date
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    nationality: NationalityRules
    categories: frozenset[Category] = Field(min_length=1)
    public_employee: PublicEmployeeRules
    retiree: RetireeRules
    widow: WidowRules
    orphan: OrphanRules
    dependants: DependantRules
    revalidation: RevalidationRules
    messages: dict[str, Message]

    @field_validator("messages")
    @classmethod
    def _messages_match_the_catalogue(cls, messages: dict[str, Message]) -> dict[str, Message]:
        problems = catalogue_problems(messages)
        if problems:
            raise ValueError("; ".join(problems))
        return messages


# Every rule version, oldest first; `in_force(day)` is the one that applies on that day.
RuleBook = DatedBook[RuleSet]
