"""The document checklist (shared contract data owned by eligibility): complete for every case.

The expected policy is written out here, independently of the YAML, so a checklist edit that drops
a document fails a test before the documents service stops asking for it.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amo_shared.checklist import (
    ChecklistFileError,
    checklist_as_of,
    checklist_version,
    load_checklists,
    required_documents,
)
from amo_shared.events import ApplicantFacts, Category, Dependant, Relationship
from amo_shared.events import DocumentKind as K

AS_OF = date(2025, 3, 1)
PROOF_OF_CATEGORY = {
    Category.PUBLIC_EMPLOYEE: [K.WORK_CERTIFICATE],
    Category.INDEPENDENT_WORKER: [K.PROFESSIONAL_REGISTRATION],
    Category.LIBERAL_PROFESSION: [K.PROFESSIONAL_REGISTRATION],
    Category.RETIREE: [K.RETIREMENT_CERTIFICATE],
    Category.WIDOW: [K.DEATH_CERTIFICATE],  # + survivor_pension when she declares one
    Category.ORPHAN: [K.DEATH_CERTIFICATE, K.SURVIVOR_PENSION],
}


def expected(facts: ApplicantFacts) -> list[tuple[K, int | None]]:
    identity = K.CNIE if facts.nationality.upper() == "MA" else K.RESIDENCE_CARD
    member = [identity, *PROOF_OF_CATEGORY[facts.category]]
    if facts.category is Category.WIDOW and facts.survivor_pension:
        member.append(K.SURVIVOR_PENSION)
    wanted = [(kind, None) for kind in member]
    for i, person in enumerate(facts.dependants):
        if person.relationship is Relationship.SPOUSE:
            wanted.append((K.MARRIAGE_CERTIFICATE, i))
            continue
        wanted.append((K.BIRTH_CERTIFICATE, i))
        wanted += [(K.SCHOOL_CERTIFICATE, i)] * person.student + [
            (K.DISABILITY_PROOF, i)
        ] * person.disabled
    return wanted


def listed(facts: ApplicantFacts) -> list[tuple[K, int | None]]:
    return [(doc.kind, doc.dependant) for doc in required_documents(facts, AS_OF)]


DEPENDANT_KINDS = [
    (Relationship.SPOUSE, False, False),
    *(
        (Relationship.CHILD, student, disabled)
        for student, disabled in itertools.product([False, True], repeat=2)
    ),
]


@pytest.mark.parametrize("dependant", DEPENDANT_KINDS, ids=lambda d: "-".join(map(str, d)))
@pytest.mark.parametrize("nationality", ["MA", "FR"])
@pytest.mark.parametrize("category", list(Category))
@pytest.mark.parametrize("pension", [None, False, True])
def test_every_category_nationality_and_dependant(
    make_facts, category, nationality, dependant, pension
) -> None:
    relationship, student, disabled = dependant
    person = Dependant(
        relationship=relationship,
        first_name="Lina",
        last_name="Alaoui",
        birth_date=date(2010, 1, 1),
        student=student,
        disabled=disabled,
    )
    facts = make_facts(
        category, nationality=nationality, survivor_pension=pension, dependants=[person]
    )
    assert listed(facts) == expected(facts)


@settings(max_examples=300)
@given(data=st.data())
def test_the_checklist_is_complete_for_any_applicant(any_facts, data) -> None:
    facts = data.draw(any_facts)
    documents = required_documents(facts, AS_OF)
    assert [(d.kind, d.dependant) for d in documents] == expected(facts)
    assert all(d.label_fr.strip() for d in documents)
    for doc in documents:
        if doc.dependant is not None:
            assert facts.dependants[doc.dependant].first_name in doc.label_fr


def test_the_version_in_force() -> None:
    assert checklist_version(AS_OF) == "2025.1"
    assert checklist_version(date(2026, 11, 30)) == "2025.1"
    assert checklist_version(date(2026, 12, 1)) == "2026.2"
    with pytest.raises(LookupError):
        checklist_version(date(2024, 12, 31))


def test_the_latest_checklist_labels_every_kind() -> None:
    assert set(checklist_as_of(date(2026, 12, 1)).labels_fr) == set(K)


@pytest.fixture
def checklist_copy(tmp_path: Path) -> Path:
    shutil.copy(
        Path(str(files("amo_shared") / "data" / "checklists" / "2025-01-01.yaml")), tmp_path
    )
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "  orphan: [death_certificate, survivor_pension]\n",
            "",
            "members: Value error, no entry for ['orphan']",
        ),
        ("when: student", "when: studying", "dependants.child.1.when"),
        (
            '  disability_proof: "Justificatif de handicap"\n',
            "",
            "labels_fr: no label for ['disability_proof']",
        ),
        ("retiree: [retirement_certificate]", "retiree: [pension_slip]", "members.retiree.0.kind"),
    ],
)
def test_a_broken_checklist_names_the_file_and_the_field(
    checklist_copy: Path, old: str, new: str, field: str
) -> None:
    file = checklist_copy / "2025-01-01.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ChecklistFileError) as failure:
        load_checklists(checklist_copy)
    assert "2025-01-01.yaml" in str(failure.value) and field in str(failure.value)
