"""The checklist from 2026-12-01: documents only for dependants who can be covered, the guardian's
documents for an orphan under 16, a photo and a RIB for every member.

The policy is written out here, independently of the YAML, and checked against the eligibility
rules in force on the same day, so the checklist never asks for what the decision ignores.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amo_eligibility.domain import RuleBook, decide
from amo_eligibility.domain.calendar import age_on, birthday
from amo_shared.checklist import checklist_as_of, guardian_below_age, required_documents
from amo_shared.events import ApplicantFacts, Category, Guardian, Relationship
from amo_shared.events import DocumentKind as K

FILED = date(2026, 12, 2)
PROOF_OF_CATEGORY = {
    Category.PUBLIC_EMPLOYEE: [K.WORK_CERTIFICATE],
    Category.INDEPENDENT_WORKER: [K.PROFESSIONAL_REGISTRATION],
    Category.LIBERAL_PROFESSION: [K.PROFESSIONAL_REGISTRATION],
    Category.RETIREE: [K.RETIREMENT_CERTIFICATE],
    Category.WIDOW: [K.DEATH_CERTIFICATE],  # + survivor_pension when she declares one
    Category.ORPHAN: [K.DEATH_CERTIFICATE, K.SURVIVOR_PENSION],
}
GUARDIAN = Guardian(cnie="GH123456", first_name="Karim", last_name="Alaoui", relationship="oncle")


def expected(facts: ApplicantFacts, on: date) -> list[tuple[K, int | None]]:
    if facts.category is Category.ORPHAN and age_on(facts.birth_date, on) < 16:
        member = [K.CNIE, K.BIRTH_CERTIFICATE, K.GUARDIANSHIP_PROOF]
    else:
        member = [K.CNIE if facts.nationality.upper() == "MA" else K.RESIDENCE_CARD]
    member += PROOF_OF_CATEGORY[facts.category]
    if facts.category is Category.WIDOW and facts.survivor_pension:
        member.append(K.SURVIVOR_PENSION)
    wanted: list[tuple[K, int | None]] = [(kind, None) for kind in [*member, K.PHOTO, K.RIB]]
    for i, person in enumerate(facts.dependants):
        if person.relationship is Relationship.SPOUSE:
            wanted += [] if person.insured_elsewhere else [(K.MARRIAGE_CERTIFICATE, i)]
            continue
        age = age_on(person.birth_date, on)
        studies = person.student and not person.married and 21 <= age <= 30
        if not (age <= 21 or person.disabled or studies):
            continue
        wanted.append((K.BIRTH_CERTIFICATE, i))
        wanted += [(K.KAFALA_JUDGMENT, i)] * person.kafala
        wanted += [(K.SCHOOL_CERTIFICATE, i)] * studies
        wanted += [(K.DISABILITY_PROOF, i)] * person.disabled
    return wanted


def listed(facts: ApplicantFacts, on: date = FILED) -> list[tuple[K, int | None]]:
    return [(doc.kind, doc.dependant) for doc in required_documents(facts, on)]


@settings(max_examples=400)
@given(data=st.data(), on=st.dates(date(2026, 12, 1), date(2030, 12, 31)))
def test_the_checklist_follows_the_policy_for_any_applicant(any_facts, data, on) -> None:
    facts = data.draw(any_facts)
    assert listed(facts, on) == expected(facts, on)


@settings(max_examples=400)
@given(data=st.data(), on=st.dates(date(2026, 12, 1), date(2030, 12, 31)))
def test_documents_are_asked_exactly_for_the_dependants_the_rules_can_include(
    any_facts, book: RuleBook, data, on
) -> None:
    facts = data.draw(any_facts)
    decision = decide(facts, book.in_force(on), on, on)
    asked = {doc.dependant for doc in required_documents(facts, on) if doc.dependant is not None}
    assert asked == {v.index for v in decision.dependants if v.included}


@pytest.mark.parametrize(
    ("age", "flags", "kinds"),
    [
        (14, {"student": True}, [K.BIRTH_CERTIFICATE]),  # no school certificate at 14
        (20, {"student": True}, [K.BIRTH_CERTIFICATE]),
        (21, {"student": True}, [K.BIRTH_CERTIFICATE, K.SCHOOL_CERTIFICATE]),
        (24, {"student": True}, [K.BIRTH_CERTIFICATE, K.SCHOOL_CERTIFICATE]),
        (24, {"student": True, "married": True}, []),
        (21, {"married": True}, [K.BIRTH_CERTIFICATE]),  # still a child at 21
        (22, {"married": True}, []),
        (31, {"student": True}, []),
        (35, {"disabled": True}, [K.BIRTH_CERTIFICATE, K.DISABILITY_PROOF]),
        (
            35,
            {"disabled": True, "married": True, "student": True},
            [K.BIRTH_CERTIFICATE, K.DISABILITY_PROOF],
        ),
        (6, {"kafala": True}, [K.BIRTH_CERTIFICATE, K.KAFALA_JUDGMENT]),
    ],
)
def test_a_childs_documents(make_facts, child, age, flags, kinds) -> None:
    kid = child(birthday(FILED, -age) - timedelta(days=10), **flags)
    assert [k for k, who in listed(make_facts(dependants=[kid])) if who == 0] == kinds


def test_a_spouse_insured_elsewhere_needs_no_marriage_certificate(make_facts, spouse) -> None:
    facts = make_facts(dependants=[spouse(insured_elsewhere=True), spouse()])
    assert [(k, who) for k, who in listed(facts) if who is not None] == [
        (K.MARRIAGE_CERTIFICATE, 1)
    ]


def test_an_orphan_of_10_is_filed_with_the_guardians_documents(make_facts) -> None:
    orphan = make_facts(
        Category.ORPHAN,
        cnie=None,
        birth_date=date(2016, 6, 1),
        survivor_pension=True,
        guardian=GUARDIAN,
    )
    documents = required_documents(orphan, FILED)
    assert [d.kind for d in documents] == [
        K.CNIE,
        K.BIRTH_CERTIFICATE,
        K.GUARDIANSHIP_PROOF,
        K.DEATH_CERTIFICATE,
        K.SURVIVOR_PENSION,
        K.PHOTO,
        K.RIB,
    ]
    assert "tuteur" in documents[0].label_fr and "orphelin" in documents[1].label_fr


def test_an_orphan_of_16_files_with_own_cnie(make_facts) -> None:
    orphan = make_facts(Category.ORPHAN, birth_date=date(2010, 12, 2), survivor_pension=True)
    assert listed(orphan)[0] == (K.CNIE, None)
    assert (K.GUARDIANSHIP_PROOF, None) not in listed(orphan)


def test_a_foreigner_still_gives_a_residence_card(make_facts) -> None:
    assert listed(make_facts(nationality="SN"))[0] == (K.RESIDENCE_CARD, None)


def test_shown_before_filing_ages_are_unknown(make_facts, child, spouse) -> None:
    # Without a date (the gateway's checklist before filing) no child is left out for age.
    checklist = checklist_as_of(FILED)
    facts = make_facts(dependants=[child(date(1990, 1, 1), student=True), spouse(True)])
    kinds = [(d.kind, d.dependant) for d in checklist.required_documents(facts)]
    assert (K.SCHOOL_CERTIFICATE, 0) in kinds and (K.MARRIAGE_CERTIFICATE, 1) not in kinds


def test_the_2025_checklist_is_unchanged_for_replays(make_facts, child) -> None:
    kid = child(date(2012, 1, 1), student=True)
    assert listed(make_facts(dependants=[kid]), date(2025, 3, 1)) == [
        (K.CNIE, None),
        (K.PROFESSIONAL_REGISTRATION, None),
        (K.BIRTH_CERTIFICATE, 0),
        (K.SCHOOL_CERTIFICATE, 0),
    ]


@pytest.mark.parametrize("day", [date(2026, 12, 1), date(2027, 6, 1), date(2035, 1, 1)])
def test_the_checklist_and_the_rules_agree_on_ages(book: RuleBook, day: date) -> None:
    rules, checklist = book.in_force(day), checklist_as_of(day)
    assert checklist.qualifying is not None
    assert checklist.qualifying.child_max_age == rules.dependants.child_max_age
    assert checklist.qualifying.student_max_age == rules.dependants.student_max_age
    assert guardian_below_age(day) == rules.orphan.guardian_below_age
    assert guardian_below_age(date(2025, 3, 1)) is None
