"""Domain checks on declared facts: what the downstream rules need, per nationality and category.

Every check is made against the filing date (`on`): at creation, and again at each submission,
so a CNIE that expired in between, or an orphan who turned 16, is caught before the file goes on.
"""

from __future__ import annotations

from datetime import date

from amo_shared.events import ApplicantFacts, Category

MOROCCAN = "MA"

# Below this age an orphan holds no CNIE: the guardian files for them. Mirrors the eligibility
# rule files' orphan threshold (services/eligibility rules, `orphan`); both change together.
ORPHAN_SELF_FILING_AGE = 16

# The facts each category's rules need (docs/domain.md#eligibility: waiting period, pension,
# survivor's rights, the deceased's membership).
CATEGORY_FACTS: dict[Category, tuple[str, ...]] = {
    Category.PUBLIC_EMPLOYEE: ("recruitment_date",),
    # A retiree's `retirement_date` is not required here: eligibility refuses without it, with
    # its own explained reason.
    Category.RETIREE: ("pension_fund", "pension_number"),
    Category.WIDOW: ("member_death_date", "survivor_pension", "deceased_member_number"),
    Category.ORPHAN: ("member_death_date", "survivor_pension", "deceased_member_number"),
}


class InvalidApplication(ValueError):
    """A declared fact is missing or inconsistent; `field` names it (never its value)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day`."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def filed_by_guardian(facts: ApplicantFacts, on: date) -> bool:
    """An orphan too young to hold a CNIE: the guardian files."""
    return (
        facts.category == Category.ORPHAN and age_on(facts.birth_date, on) < ORPHAN_SELF_FILING_AGE
    )


def validate_facts(facts: ApplicantFacts, on: date) -> None:
    """Raise InvalidApplication for the first fact the rules would miss, as of `on`."""
    _identity(facts, on)
    for name in CATEGORY_FACTS.get(facts.category, ()):
        if _blank(getattr(facts, name)):
            raise InvalidApplication(name, f"required for the category {facts.category.value}")


def check_cnie_in_force(facts: ApplicantFacts, on: date) -> None:
    """A CNIE must be valid on the filing date; its expiry is required with it."""
    if _blank(facts.cnie):
        return
    if facts.cnie_expiry is None:
        raise InvalidApplication("cnie_expiry", "required with a CNIE")
    if facts.cnie_expiry < on:
        raise InvalidApplication("cnie_expiry", "the CNIE has expired: renew it before filing")


def _identity(facts: ApplicantFacts, on: date) -> None:
    guardian_files = filed_by_guardian(facts, on)
    if guardian_files:
        if facts.guardian is None:
            raise InvalidApplication(
                "guardian", f"required for an orphan under {ORPHAN_SELF_FILING_AGE}"
            )
        if not _blank(facts.cnie):
            raise InvalidApplication(
                "cnie",
                f"an orphan under {ORPHAN_SELF_FILING_AGE} files without a CNIE: "
                "the guardian's is given instead",
            )
    elif facts.guardian is not None:
        raise InvalidApplication("guardian", f"only for an orphan under {ORPHAN_SELF_FILING_AGE}")
    if facts.nationality != MOROCCAN:
        # Foreigners are identified by their residence card, not a CNIE.
        for name in ("residence_permit", "residence_permit_expiry"):
            if _blank(getattr(facts, name)):
                raise InvalidApplication(
                    name, "required for applicants who are not Moroccan nationals"
                )
    elif _blank(facts.cnie) and not guardian_files:
        raise InvalidApplication("cnie", "required for Moroccan nationals")
    check_cnie_in_force(facts, on)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
