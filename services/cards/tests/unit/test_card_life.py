"""The card's life: per-beneficiary coverage at issue, transitions, the revalidation job."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_cards.card_terms import load_card_terms, load_reasons
from amo_cards.domain import (
    ImpossibleChange,
    UnknownBeneficiary,
    accept_proof,
    claims_of,
    issue_card,
    read_claims,
    reinstate,
    revalidate,
    revoke,
    suspend,
)
from amo_shared.events import (
    ApplicantFacts,
    Category,
    Dependant,
    DependantCoverage,
    DocumentKind,
    EligibilityDecided,
    Revalidation,
)

TERMS, REASONS = load_card_terms(), load_reasons()
NOW = datetime(2026, 1, 10, tzinfo=UTC)
NUMBER = "M000000000018"
SCHOOL = DocumentKind.SCHOOL_CERTIFICATE
REASON = REASONS.in_force(NOW.date()).reason("operator.fraud_suspected")


def decision(*, school_due=date(2027, 1, 10), coverage_until=None, payer="CNSS"):
    applicant = ApplicantFacts(
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1980, 4, 12),
        nationality="MA",
        category=Category.INDEPENDENT_WORKER,
        dependants=[
            Dependant(
                relationship="spouse",
                first_name="K",
                last_name="A",
                birth_date=date(1979, 1, 1),
                insured_elsewhere=True,
            ),
            Dependant(
                relationship="child",
                first_name="S",
                last_name="A",
                birth_date=date(2003, 5, 1),
                student=True,
            ),
            Dependant(
                relationship="child", first_name="L", last_name="A", birth_date=date(2010, 5, 1)
            ),
        ],
    )
    return EligibilityDecided(
        application_id="app-1",
        decided_at=NOW,
        outcome="approved",
        reasons=[],
        rules_version="x",
        coverage_start=date(2026, 1, 10),
        coverage_until=coverage_until,
        covered_dependants=[1, 2],
        dependant_coverage=[
            DependantCoverage(
                dependant=1, coverage_from=date(2026, 1, 10), coverage_until=date(2029, 4, 30)
            ),
            DependantCoverage(
                dependant=2, coverage_from=date(2026, 1, 10), coverage_until=date(2031, 4, 30)
            ),
        ],
        payer=payer,
        revalidations=[Revalidation(what=SCHOOL, dependant=1, due_on=school_due)],
        applicant=applicant,
    )


def card(**kw):
    return issue_card(decision(**kw), NUMBER, TERMS, NOW)


def job(c, day):
    return revalidate(c, day, TERMS.in_force(day), REASONS.in_force(day), NOW)


def test_each_beneficiary_has_its_own_coverage_and_the_payer_is_the_decisions():
    c = card()
    assert [(b.rank, b.relationship, b.coverage_until) for b in c.beneficiaries] == [
        (0, "self", None),
        (1, "child", date(2029, 4, 30)),
        (2, "child", date(2031, 4, 30)),
    ]
    assert c.payer == "CNSS" and c.valid_until == date(2031, 1, 9) and c.sequence == 1
    assert [(d.what, d.rank) for d in c.dues] == [(SCHOOL, 1)]  # dependant 1 is rank 1


def test_a_survivor_without_pension_has_a_card_ending_with_the_rights():
    c = card(coverage_until=date(2027, 6, 30))
    assert c.valid_until == date(2027, 6, 30) and c.beneficiaries[1].coverage_until == date(
        2027, 6, 30
    )
    out = job(c, date(2027, 7, 1))
    assert [(x.change, x.beneficiary_rank, x.reason.code) for x in out.changes] == [
        ("expired", None, "coverage.rights_ended")
    ]


def test_a_card_whose_rights_continue_is_renewed_not_expired():
    c = card(school_due=date(2040, 1, 1))
    out = job(c, date(2031, 1, 10))
    # Renewed; the student past 26 (coverage until 2029-04-30) ends on their own.
    assert [(x.change, x.beneficiary_rank) for x in out.changes] == [
        ("renewed", None),
        ("expired", 1),
    ]
    assert out.card.valid_from == date(2031, 1, 10) and out.card.valid_until == date(2036, 1, 9)


def test_transitions_refuse_what_the_state_forbids():
    c = card()
    with pytest.raises(ImpossibleChange):
        reinstate(c, None, REASON, on=NOW.date(), now=NOW)
    suspended, event = suspend(c, 2, REASON, on=NOW.date(), now=NOW, operator="op-1")
    assert event.sequence == 2 and event.beneficiary_rank == 2 and event.operator == "op-1"
    assert suspended.beneficiary(2).status == "suspended" and suspended.status == "active"
    with pytest.raises(ImpossibleChange):
        suspend(suspended, 2, REASON, on=NOW.date(), now=NOW)
    with pytest.raises(UnknownBeneficiary):
        suspend(c, 7, REASON, on=NOW.date(), now=NOW)
    revoked, event = revoke(suspended, None, REASON, on=NOW.date(), now=NOW)
    assert revoked.status == "revoked" and event.sequence == 3
    assert all(b.status == "ended" for b in revoked.beneficiaries)
    for action in (suspend, reinstate, revoke):
        with pytest.raises(ImpossibleChange):
            action(revoked, None, REASON, on=NOW.date(), now=NOW)


def test_a_lapsed_school_certificate_suspends_the_child_and_a_new_one_reinstates():
    c = card()
    reminded = job(c, date(2026, 12, 11))
    assert [(r.beneficiary_rank, r.due_on) for r in reminded.reminders] == [(1, date(2027, 1, 10))]
    lapsed = job(reminded.card, date(2027, 1, 10))
    (change,) = lapsed.changes
    assert (change.change, change.beneficiary_rank) == ("suspended", 1)
    assert change.reason.code == "proof.school_certificate.overdue"
    assert not job(lapsed.card, date(2027, 1, 10)).changed  # the same day twice: nothing
    terms, reasons = TERMS.in_force(NOW.date()), REASONS.in_force(NOW.date())
    back = accept_proof(lapsed.card, SCHOOL, 1, "a" * 64, date(2027, 1, 20), terms, reasons, NOW)
    assert [(x.change, x.beneficiary_rank) for x in back.changes] == [("reinstated", 1)]
    assert back.card.dues[0].due_on == date(2028, 1, 10)
    again = accept_proof(back.card, SCHOOL, 1, "a" * 64, date(2027, 1, 21), terms, reasons, NOW)
    assert again.card == back.card and not again.changes  # a repeated proof changes nothing


def test_a_child_past_the_age_limit_ends_alone():
    out = job(card(school_due=date(2040, 1, 1)), date(2029, 5, 1))
    assert [(x.change, x.beneficiary_rank) for x in out.changes] == [("expired", 1)]
    assert out.card.status == "active" and out.card.beneficiary(1).status == "ended"


def test_the_statement_claims_round_trip():
    c = card()
    statement = read_claims(claims_of(c, NOW.date()))
    assert statement.member_number == NUMBER and [b.rank for b in statement.beneficiaries] == [
        0,
        1,
        2,
    ]


@given(
    due=st.dates(date(2026, 2, 1), date(2029, 1, 1)),
    days=st.lists(st.dates(date(2026, 1, 10), date(2029, 4, 29)), min_size=1, max_size=8),
)
def test_the_job_never_suspends_before_a_due_nor_twice(due, days):
    c = card(school_due=due)
    suspensions, reminders = 0, 0
    for day in days:
        out = job(c, day)
        for change in out.changes:
            if change.change == "suspended":
                assert day >= due and change.effective_on == due
                suspensions += 1
        for reminder in out.reminders:
            assert reminder.due_on == due and due - timedelta(days=30) <= day < due
            reminders += 1
        assert not job(out.card, day).changed  # the same as_of again: nothing
        c = out.card
    assert suspensions <= 1 and reminders <= 1
