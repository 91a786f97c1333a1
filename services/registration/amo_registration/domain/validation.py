"""Domain checks on declared facts: what the downstream rules need, per nationality and category."""

from __future__ import annotations

from amo_shared.events import ApplicantFacts, Category

MOROCCAN = "MA"

# The facts each category's rules need (docs/domain.md#eligibility: waiting period, pension,
# survivor's rights).
CATEGORY_FACTS: dict[Category, tuple[str, ...]] = {
    Category.PUBLIC_EMPLOYEE: ("recruitment_date",),
    Category.RETIREE: ("pension_fund", "pension_number"),
    Category.WIDOW: ("member_death_date", "survivor_pension"),
    Category.ORPHAN: ("member_death_date", "survivor_pension"),
}


class InvalidApplication(ValueError):
    """A declared fact is missing or inconsistent; `field` names it (never its value)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_facts(facts: ApplicantFacts) -> None:
    """Raise InvalidApplication for the first fact the rules would miss."""
    if facts.nationality != MOROCCAN:
        # Foreigners are identified by their residence card, not a CNIE.
        for name in ("residence_permit", "residence_permit_expiry"):
            if _blank(getattr(facts, name)):
                raise InvalidApplication(
                    name, "required for applicants who are not Moroccan nationals"
                )
    elif _blank(facts.cnie):
        raise InvalidApplication("cnie", "required for Moroccan nationals")
    for name in CATEGORY_FACTS.get(facts.category, ()):
        if _blank(getattr(facts, name)):
            raise InvalidApplication(name, f"required for the category {facts.category.value}")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
