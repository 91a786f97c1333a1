"""The rule parameters in force from a date (`RuleSet`) and the book of every version (`RuleBook`).

Everything a decree can change is a field here, filled from a rule file; the models refuse unknown
fields so a typo in a file fails at load instead of silently falling back to a default.

Sections and fields added after version 2025.1 are optional, and their absence means "this rule
did not exist in that version": the older files stay untouched and decide as they always did.
The newest file states every one of them (a test checks it), so no default is ever relied on.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    # The AMO schemes (code -> what it is) whose members are waived the waiting period; None
    # (versions before 2026.2): any declared previous scheme waived it.
    previous_schemes: dict[str, str] | None = None

    @model_validator(mode="after")
    def _codes_are_normalised(self) -> PublicEmployeeRules:
        bad = [c for c in self.previous_schemes or {} if scheme_code(c) != c]
        if bad:
            raise ValueError(f"previous_schemes: codes must be lower_snake_case: {bad}")
        return self

    def recognises(self, declared: str) -> bool:
        return self.previous_schemes is None or scheme_code(declared) in self.previous_schemes


def scheme_code(text: str) -> str:
    """A declared scheme as the list spells its codes: `CNSS Salaried` -> `cnss_salaried`."""
    return "_".join(text.replace("-", " ").casefold().split())


class RetireeRules(Parameters):
    requires_pension_fund: bool
    requires_pension_number: bool


class WidowRules(Parameters):
    # Without a survivor's pension, rights last this long after the member's death.
    rights_without_pension_months: int = Field(ge=0)


class OrphanRules(Parameters):
    requires_survivor_pension: bool
    # Below this age (completed years) an orphan has no CNIE: a guardian files. None: no rule.
    guardian_below_age: int | None = Field(None, ge=1)


class DependantRules(Parameters):
    # Ages are "at most N years old" in completed years: the limit's birthday year is still covered.
    child_max_age: int = Field(ge=0)
    student_max_age: int = Field(ge=0)
    disabled_max_age: int | None = None  # None: no age limit
    # Versions before 2026.2 covered these; the law (L65-00) does not.
    spouse_insured_elsewhere_excluded: bool = False
    married_students_excluded: bool = False

    @model_validator(mode="after")
    def _student_limit_extends_child_limit(self) -> DependantRules:
        if self.student_max_age < self.child_max_age:
            raise ValueError("student_max_age must not be below child_max_age")
        return self


class ContinuityRules(Parameters):
    """Coverage that continues one which existed, so it starts where the previous one ended."""

    # Widow(er)s and orphans: from the day after the death; they name the deceased's membership.
    survivors_from_day_after_death: bool
    survivors_name_deceased_member: bool
    # Retirees: from the day after `retirement_date` (the last day of active coverage).
    retirees_from_day_after_retirement: bool


class PayerRules(Parameters):
    """Who manages each scheme: the card's payer, whom hospitals bill (the scheme is not its
    manager: law 54-23 changes the manager of the public-sector scheme, not who is covered)."""

    schemes: dict[Category, str] = Field(min_length=1)  # category -> scheme
    managers: dict[str, str] = Field(min_length=1)  # scheme -> managing body

    @model_validator(mode="after")
    def _every_scheme_managed(self) -> PayerRules:
        if missing := sorted(set(self.schemes.values()) - set(self.managers)):
            raise ValueError(f"managers: no managing body for scheme(s) {missing}")
        return self

    def of(self, category: Category) -> str:
        return self.managers[self.schemes[category]]


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
    continuity: ContinuityRules | None = None  # None: coverage from the filing date
    payer: PayerRules | None = None  # None: the card terms name the payer
    revalidation: RevalidationRules
    messages: dict[str, Message]

    def features(self) -> frozenset[str]:
        """The optional rules this version has (the reason codes it must word depend on them)."""
        d, c = self.dependants, self.continuity
        present = {
            "previous_schemes": self.public_employee.previous_schemes is not None,
            "guardian": self.orphan.guardian_below_age is not None,
            "spouse_insured_elsewhere": d.spouse_insured_elsewhere_excluded,
            "married_students": d.married_students_excluded,
            "survivor_continuity": c is not None and c.survivors_from_day_after_death,
            "deceased_member": c is not None and c.survivors_name_deceased_member,
            "retiree_continuity": c is not None and c.retirees_from_day_after_retirement,
        }
        return frozenset(name for name, on in present.items() if on)

    @model_validator(mode="after")
    def _messages_match_the_catalogue(self) -> RuleSet:
        if problems := catalogue_problems(self.messages, self.features()):
            raise ValueError("messages: " + "; ".join(problems))
        if self.payer and (
            unpaid := sorted(str(c) for c in self.categories - set(self.payer.schemes))
        ):
            raise ValueError(f"payer.schemes: no scheme for admitted categories {unpaid}")
        return self


# Every rule version, oldest first; `in_force(day)` is the one that applies on that day.
RuleBook = DatedBook[RuleSet]
