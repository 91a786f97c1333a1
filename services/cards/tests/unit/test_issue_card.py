"""Issuing a card: beneficiaries and ranks, validity from the terms, no CNIE in the event."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from amo_cards.domain import CardTerms, issue_card, new_member_number, to_card_issued
from amo_shared.dated import DatedBook
from amo_shared.events import ApplicantFacts, Category, Dependant, EligibilityDecided

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
NUMBER = new_member_number(lambda n: 31415926535)
CNIE = "AB123456"

TERMS = DatedBook(
    [
        CardTerms(
            version="2025.1", effective_from=date(2025, 1, 1), payer="CNOPS", validity_years=5
        ),
        CardTerms(
            version="2027.1", effective_from=date(2027, 1, 1), payer="CNSS", validity_years=3
        ),
    ],
    "card terms",
)


def decided(*, dependants=(), covered=(), coverage_start=None, decided_at=NOW, outcome="approved"):
    applicant = ApplicantFacts(
        cnie=CNIE,
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 4, 12),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
        dependants=list(dependants),
    )
    return EligibilityDecided(
        application_id="app-1",
        decided_at=decided_at,
        outcome=outcome,
        reasons=[],
        rules_version="2025.1",
        coverage_start=coverage_start,
        covered_dependants=list(covered),
        applicant=applicant,
    )


def child(name: str, born: date) -> Dependant:
    return Dependant(relationship="child", first_name=name, last_name="Alaoui", birth_date=born)


SPOUSE = Dependant(
    relationship="spouse", first_name="Karim", last_name="Alaoui", birth_date=date(1983, 2, 1)
)
KIDS = [
    child("Sara", date(2010, 5, 5)),
    child("Omar", date(1998, 1, 1)),
    child("Nour", date(2015, 3, 3)),
]


def test_member_is_rank_zero_then_covered_dependants_in_order():
    card = issue_card(decided(dependants=[SPOUSE, *KIDS], covered=[3, 0, 1]), NUMBER, TERMS, NOW)
    people = [(b.rank, b.relationship, b.first_name) for b in card.beneficiaries]
    # Omar (index 2) is not covered: he is left out and the ranks stay contiguous.
    assert people == [
        (0, "self", "Amina"),
        (1, "spouse", "Karim"),
        (2, "child", "Sara"),
        (3, "child", "Nour"),
    ]


def test_card_without_dependants_covers_the_member_only():
    card = issue_card(decided(dependants=KIDS), NUMBER, TERMS, NOW)
    assert [b.rank for b in card.beneficiaries] == [0]
    assert card.status == "active" and card.category is Category.PUBLIC_EMPLOYEE
    assert card.member_number == NUMBER and card.application_id == "app-1"


def test_validity_starts_with_coverage_and_lasts_the_terms_years():
    card = issue_card(decided(coverage_start=date(2025, 9, 2)), NUMBER, TERMS, NOW)
    assert (card.valid_from, card.valid_until) == (date(2025, 9, 2), date(2030, 9, 1))
    assert card.payer == "CNOPS" and card.terms_version == "2025.1"


def test_validity_starts_on_the_decision_date_without_a_coverage_start():
    card = issue_card(decided(), NUMBER, TERMS, NOW)
    assert (card.valid_from, card.valid_until) == (date(2025, 6, 2), date(2030, 6, 1))


def test_terms_are_those_in_force_on_the_decision_date_not_the_coverage_start():
    late = decided(decided_at=datetime(2026, 12, 1, tzinfo=UTC), coverage_start=date(2027, 3, 1))
    card = issue_card(late, NUMBER, TERMS, NOW)
    assert card.payer == "CNOPS" and card.valid_until == date(2032, 2, 29)
    later = issue_card(decided(decided_at=datetime(2027, 1, 1, tzinfo=UTC)), NUMBER, TERMS, NOW)
    assert later.payer == "CNSS" and later.valid_until == date(2029, 12, 31)


def test_a_card_starting_on_29_february_ends_on_28_february():
    card = issue_card(decided(coverage_start=date(2028, 2, 29)), NUMBER, TERMS, NOW)
    assert card.valid_until == date(2033, 2, 28)


def test_no_cnie_anywhere_in_the_card_issued_event():
    card = issue_card(decided(dependants=[SPOUSE, *KIDS], covered=[0, 1, 2, 3]), NUMBER, TERMS, NOW)
    event = to_card_issued(card)
    body = event.model_dump_json()
    assert CNIE not in body and "cnie" not in body.lower()
    assert event.member_number == NUMBER and len(event.beneficiaries) == 5
    assert event.valid_until == card.valid_until and event.payer == "CNOPS"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outcome": "rejected"}, "approved"),
        ({"covered": [1]}, "outside"),
        ({"covered": [0, 0]}, "twice"),
    ],
)
def test_broken_decisions_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        issue_card(decided(dependants=[SPOUSE], **changes), NUMBER, TERMS, NOW)


def test_a_malformed_member_number_is_refused():
    with pytest.raises(ValueError, match="member number"):
        issue_card(decided(), "M000000000001", TERMS, NOW)


def test_a_decision_before_any_terms_is_refused():
    with pytest.raises(LookupError):
        issue_card(decided(decided_at=datetime(2024, 12, 31, tzinfo=UTC)), NUMBER, TERMS, NOW)
