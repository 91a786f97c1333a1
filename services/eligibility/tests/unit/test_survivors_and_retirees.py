"""Survivors and retirees continue a coverage that existed; an orphan under 16 has a guardian."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_eligibility.domain import decide
from amo_eligibility.domain.calendar import add_months, birthday
from amo_shared.events import Category, Guardian

FILED = date(2026, 12, 2)
GUARDIAN = Guardian(cnie="GH123456", first_name="Karim", last_name="Alaoui", relationship="tante")
DECEASED = "M123456789012"


def codes(decision) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in decision.reasons]


def test_a_retiree_is_covered_from_the_day_after_active_coverage_ended(
    make_facts, rules_now
) -> None:
    facts = make_facts(
        Category.RETIREE, pension_fund="CMR", pension_number="P1", retirement_date=date(2026, 6, 30)
    )
    decision = decide(facts, rules_now, FILED, FILED)
    assert decision.approved and decision.coverage_start == date(2026, 7, 1)
    assert "retirement_date.recorded" in codes(decision)
    assert "01/07/2026" in decision.reasons[-1].message_fr


def test_a_retiree_without_a_retirement_date_is_rejected(make_facts, rules_now) -> None:
    facts = make_facts(Category.RETIREE, pension_fund="CMR", pension_number="P1")
    decision = decide(facts, rules_now, FILED, FILED)
    assert [r.code for r in decision.failed_reasons] == ["retirement_date.missing"]


def test_before_2026_2_retirees_and_survivors_were_covered_from_the_filing(
    make_facts, rules_2026
) -> None:
    as_of = date(2026, 8, 1)
    retiree = make_facts(Category.RETIREE, pension_fund="CMR", pension_number="P1")
    widow = make_facts(Category.WIDOW, member_death_date=date(2026, 1, 1), survivor_pension=True)
    assert decide(retiree, rules_2026, as_of, as_of).coverage_start == as_of
    assert decide(widow, rules_2026, as_of, as_of).coverage_start == as_of


def test_survivors_name_the_deceased_member(make_facts, rules_now) -> None:
    widow = make_facts(Category.WIDOW, member_death_date=date(2026, 1, 1), survivor_pension=True)
    decision = decide(widow, rules_now, FILED, FILED)
    assert [r.code for r in decision.failed_reasons] == ["deceased.missing"]
    linked = decide(
        widow.model_copy(update={"deceased_member_number": DECEASED}), rules_now, FILED, FILED
    )
    assert linked.approved and linked.coverage_start == date(2026, 1, 2)
    assert DECEASED not in repr(linked.reasons), "the number is linked, not repeated"


def test_a_survivor_with_a_pension_but_no_death_date_is_rejected(make_facts, rules_now) -> None:
    orphan = make_facts(
        Category.ORPHAN,
        survivor_pension=True,
        deceased_member_number=DECEASED,
        birth_date=date(2000, 1, 1),
    )
    decision = decide(orphan, rules_now, FILED, FILED)
    assert [r.code for r in decision.failed_reasons] == ["continuity.death_date_missing"]


def test_a_widow_without_pension_nor_death_date_is_told_once(make_facts, rules_now) -> None:
    widow = make_facts(Category.WIDOW, survivor_pension=False, deceased_member_number=DECEASED)
    decision = decide(widow, rules_now, FILED, FILED)
    assert [r.code for r in decision.failed_reasons] == ["survivor.death_date_missing"]


@given(days_after=st.integers(-40, 40))
def test_a_widow_without_pension_around_death_plus_24_months(
    make_facts, rules_now, days_after: int
) -> None:
    death = date(2025, 6, 15)
    end = add_months(death, 24)
    filed = end + timedelta(days=days_after)
    widow = make_facts(
        Category.WIDOW,
        member_death_date=death,
        survivor_pension=False,
        deceased_member_number=DECEASED,
    )
    decision = decide(widow, rules_now, filed, filed)
    assert decision.approved is (filed <= end), "the 24th month's anniversary is still covered"
    if decision.approved:
        assert (decision.coverage_start, decision.coverage_until) == (
            death + timedelta(days=1),
            end,
        )


@given(age_days=st.integers(-60, 60))
def test_an_orphan_needs_a_guardian_only_under_16(make_facts, rules_now, age_days: int) -> None:
    born = date(2011, 6, 1)
    filed = birthday(born, 16) + timedelta(days=age_days)
    orphan = make_facts(
        Category.ORPHAN,
        cnie=None,
        birth_date=born,
        member_death_date=date(2026, 1, 1),
        survivor_pension=True,
        deceased_member_number=DECEASED,
    )
    alone = decide(orphan, rules_now, filed, filed)
    guarded = decide(orphan.model_copy(update={"guardian": GUARDIAN}), rules_now, filed, filed)
    under_16 = filed < birthday(born, 16)
    assert alone.approved is not under_16
    assert guarded.approved
    if under_16:
        assert [r.code for r in alone.failed_reasons] == ["guardian.missing"]
        assert "guardian.present" in codes(guarded)
    else:
        assert not any(c.startswith("guardian.") for c in codes(alone))


@pytest.mark.parametrize("category", [Category.WIDOW, Category.ORPHAN])
def test_survivors_coverage_has_no_gap_whenever_they_file(make_facts, rules_now, category) -> None:
    facts = make_facts(
        category,
        member_death_date=date(2026, 3, 31),
        survivor_pension=True,
        deceased_member_number=DECEASED,
    )
    for filed in (date(2026, 12, 1), date(2027, 6, 30)):
        assert decide(facts, rules_now, filed, filed).coverage_start == date(2026, 4, 1)
