"""Fixtures of the eligibility unit tests: the shipped rule book and builders of applicant facts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import strategies as st

from amo_eligibility.domain import RuleBook, RuleSet
from amo_eligibility.ruleset import load_rulesets
from amo_shared.events import ApplicantFacts, Category, Dependant, Guardian, Relationship

LAW_54_23 = date(2026, 7, 1)  # assumed date of the 2026.1 rule version
V2026_2 = date(2026, 12, 1)  # listed schemes, law 65-00's dependants, guardian, continuity, payer


@pytest.fixture(scope="session")
def book() -> RuleBook:
    return load_rulesets()


@pytest.fixture(scope="session")
def rules_2025(book: RuleBook) -> RuleSet:
    return book.in_force(date(2025, 1, 1))


@pytest.fixture(scope="session")
def rules_2026(book: RuleBook) -> RuleSet:
    return book.in_force(LAW_54_23)


@pytest.fixture(scope="session")
def rules_now(book: RuleBook) -> RuleSet:
    return book.in_force(V2026_2)


@pytest.fixture(scope="session")
def make_facts() -> Callable[..., ApplicantFacts]:
    """Facts of a Moroccan applicant of `category`, with any field overridden."""

    def build(category: Category = Category.LIBERAL_PROFESSION, **overrides: Any) -> ApplicantFacts:
        fields: dict[str, Any] = {
            "cnie": "AB123456",
            "first_name": "Sara",
            "last_name": "Alaoui",
            "birth_date": date(1980, 5, 17),
            "nationality": "MA",
            "category": category,
        }
        return ApplicantFacts(**(fields | overrides))

    return build


@pytest.fixture(scope="session")
def child() -> Callable[..., Dependant]:
    def build(
        birth_date: date,
        student: bool = False,
        disabled: bool = False,
        name: str = "Adam",
        **flags: bool,
    ) -> Dependant:
        return Dependant(
            relationship=Relationship.CHILD,
            first_name=name,
            last_name="Alaoui",
            birth_date=birth_date,
            student=student,
            disabled=disabled,
            **flags,
        )

    return build


@pytest.fixture(scope="session")
def spouse() -> Callable[..., Dependant]:
    def build(insured_elsewhere: bool = False) -> Dependant:
        return Dependant(
            relationship=Relationship.SPOUSE,
            first_name="Omar",
            last_name="Alaoui",
            birth_date=date(1979, 1, 1),
            insured_elsewhere=insured_elsewhere,
        )

    return build


def _facts_strategy() -> st.SearchStrategy[ApplicantFacts]:
    days = st.dates(date(1930, 1, 1), date(2030, 12, 31))
    maybe = lambda s: st.none() | s  # noqa: E731
    dependant = st.builds(
        Dependant,
        relationship=st.sampled_from(Relationship),
        first_name=st.sampled_from(["Adam", "Lina"]),
        last_name=st.just("Alaoui"),
        birth_date=st.dates(date(1940, 1, 1), date(2030, 12, 31)),
        student=st.booleans(),
        disabled=st.booleans(),
        insured_elsewhere=st.booleans(),
        married=st.booleans(),
        kafala=st.booleans(),
    )
    guardian = st.builds(
        Guardian,
        cnie=st.just("GH123456"),
        first_name=st.just("Karim"),
        last_name=st.just("Alaoui"),
        relationship=st.just("oncle"),
    )
    return st.builds(
        ApplicantFacts,
        cnie=maybe(st.just("AB123456")),
        first_name=st.just("Sara"),
        last_name=st.just("Alaoui"),
        birth_date=days,
        nationality=st.sampled_from(["MA", "ma", "FR", "SN"]),
        residence_permit=maybe(st.sampled_from(["RS0012345", "", " "])),
        residence_permit_expiry=maybe(days),
        category=st.sampled_from(Category),
        recruitment_date=maybe(days),
        previous_scheme=maybe(st.sampled_from(["CNSS", "", "cnss_salaried", "Public Sector"])),
        pension_fund=maybe(st.sampled_from(["CMR", "RCAR", ""])),
        pension_number=maybe(st.sampled_from(["P-778899", ""])),
        member_death_date=maybe(days),
        survivor_pension=maybe(st.booleans()),
        deceased_member_number=maybe(st.sampled_from(["M123456789012", " "])),
        retirement_date=maybe(days),
        guardian=maybe(guardian),
        dependants=st.lists(dependant, max_size=4),
    )


@pytest.fixture(scope="session")
def any_facts() -> st.SearchStrategy[ApplicantFacts]:
    """Any applicant the contract accepts, coherent or not (draw it with `st.data()`)."""
    return _facts_strategy()
