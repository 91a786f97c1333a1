"""Properties of `decide` over any applicant the contract accepts (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from amo_eligibility.domain import RuleBook, decide, revalidation_schedule
from amo_shared.events import Category, Relationship

FIRST, LAW_54_23, V2026_2 = date(2025, 1, 1), date(2026, 7, 1), date(2026, 12, 1)
decision_days = st.dates(FIRST, date(2030, 12, 31))
delays = st.integers(0, 400).map(lambda days: timedelta(days=days))


@settings(max_examples=300)
@given(data=st.data(), as_of=st.dates(FIRST, V2026_2 - timedelta(days=1)), delay=delays)
def test_a_later_rule_version_never_changes_a_decision_dated_before_it(
    any_facts, book: RuleBook, data, as_of: date, delay: timedelta
) -> None:
    facts = data.draw(any_facts)
    submitted = max(FIRST, as_of - delay)
    # Each shipped version leaves every decision dated before it as the earlier ones made it.
    cut = data.draw(st.integers(1, len(book.history) - 1))
    earlier = book.with_versions(book.history[:cut])
    if as_of < book.history[cut].effective_from:
        assert decide(facts, book.in_force(as_of), as_of, submitted) == decide(
            facts, earlier.in_force(as_of), as_of, submitted
        )
    only_first = book.with_versions(book.history[:1])
    as_of = min(as_of, LAW_54_23 - timedelta(days=1))
    submitted = min(submitted, as_of)
    # Any future version, whatever it says, changes nothing before its date either.
    start = data.draw(st.dates(as_of + timedelta(days=1), date(2035, 1, 1)))
    tweak = {
        "child_max_age": data.draw(st.integers(0, 18)),
        "student_max_age": data.draw(st.integers(18, 40)),
    }
    future = book.history[-1].model_copy(
        update={
            "version": "future",
            "effective_from": start,
            "dependants": book.history[-1].dependants.model_copy(update=tweak),
            "categories": frozenset(
                data.draw(st.sets(st.sampled_from(sorted(book.history[0].categories)), min_size=1))
            ),
        }
    )
    with_future = book.with_versions([*book.history[:1], future])
    assert decide(facts, with_future.in_force(as_of), as_of, submitted) == decide(
        facts, only_first.in_force(as_of), as_of, submitted
    )


@settings(max_examples=300)
@given(data=st.data(), as_of=decision_days, delay=delays)
def test_outcome_reasons_and_coverage_agree(
    any_facts, book: RuleBook, data, as_of: date, delay: timedelta
) -> None:
    facts = data.draw(any_facts)
    submitted = max(FIRST, as_of - delay)
    decision = decide(facts, book.in_force(as_of), as_of, submitted)
    if decision.outcome == "rejected":
        assert decision.failed_reasons, "every rejection says which rule failed"
        assert decision.coverage_start is None
        assert decision.payer is None and decision.dependant_coverage == ()
        assert decision.revalidations == ()
    else:
        assert not decision.failed_reasons
        assert decision.coverage_start is not None
        continues = decision.rules_version >= "2026.2" and facts.category in (
            Category.WIDOW,
            Category.ORPHAN,
            Category.RETIREE,
        )
        # Only a coverage continuing one that existed may start before the filing.
        assert continues or decision.coverage_start >= submitted
        if decision.coverage_until is not None:
            assert decision.coverage_until >= decision.coverage_start
        for period in decision.dependant_coverage:
            assert decision.dependants[period.dependant].included
            assert period.coverage_from == decision.coverage_start
            if period.coverage_until is not None:
                assert period.coverage_until >= period.coverage_from
            if decision.coverage_until is not None:
                assert period.coverage_until is not None
                assert period.coverage_until <= decision.coverage_until
    rules = [reason.code.split(".")[0] for reason in decision.reasons]
    assert len(rules) == len(set(rules)), "one reason per rule evaluated"
    texts = [r.message_fr + r.message_ar for r in decision.reasons] + [
        v.reason.message_fr + v.reason.message_ar for v in decision.dependants
    ]
    assert not any("{" in text or "}" in text for text in texts), "every placeholder filled"
    assert len(decision.contract_reasons()) == len(decision.reasons) + len(facts.dependants)


@settings(max_examples=200)
@given(data=st.data(), as_of=decision_days)
def test_dependants_never_change_the_members_outcome(
    any_facts, book: RuleBook, data, as_of: date
) -> None:
    facts = data.draw(any_facts)
    alone = facts.model_copy(update={"dependants": []})
    ruleset = book.in_force(as_of)
    assert (
        decide(facts, ruleset, as_of, as_of).outcome == decide(alone, ruleset, as_of, as_of).outcome
    )


@settings(max_examples=200)
@given(data=st.data(), as_of=st.dates(LAW_54_23, date(2030, 12, 31)))
def test_law_54_23_never_excludes_a_dependant_the_2025_rules_include(
    any_facts, book: RuleBook, data, as_of: date
) -> None:
    facts = data.draw(any_facts)
    before = decide(facts, book.history[0], as_of, as_of).dependants
    after = decide(facts, book.history[1], as_of, as_of).dependants
    assert all(a.included for b, a in zip(before, after, strict=True) if b.included)


@settings(max_examples=300)
@given(data=st.data(), as_of=st.dates(V2026_2, date(2030, 12, 31)))
def test_2026_2_excludes_only_spouses_insured_elsewhere_and_married_children_past_21(
    any_facts, book: RuleBook, data, as_of: date
) -> None:
    facts = data.draw(any_facts)
    before = decide(facts, book.history[1], as_of, as_of).dependants
    after = decide(facts, book.history[2], as_of, as_of).dependants
    for b, a in zip(before, after, strict=True):
        person = facts.dependants[b.index]
        if b.included and not a.included:
            if person.relationship is Relationship.SPOUSE:
                assert person.insured_elsewhere
                assert a.reason.code == "dependant.spouse_insured_elsewhere"
            else:
                assert person.married and person.student and not person.disabled
                assert a.reason.code == "dependant.married_over_age"
        assert b.included or not a.included, "2026.2 includes no one 2026.1 excluded"


@settings(max_examples=200)
@given(data=st.data(), as_of=decision_days)
def test_revalidation_is_about_this_family_and_in_date_order(
    any_facts, book: RuleBook, data, as_of: date
) -> None:
    facts = data.draw(any_facts)
    dues = revalidation_schedule(facts, book.in_force(as_of), as_of)
    assert [d.due_date for d in dues] == sorted(d.due_date for d in dues)
    assert all(d.subject is None or 0 <= d.subject < len(facts.dependants) for d in dues)
