"""Unit: the verdict on every required document, and the outcome of the whole application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from amo_documents.domain.verification import Slot, outcome, verify
from amo_shared.checklist import RequiredDocument, required_documents
from amo_shared.events import ApplicantFacts, Category, Dependant, DocumentKind, Relationship


@dataclass(frozen=True)
class StoredFile:
    size: int
    content_type: str


PDF = StoredFile(size=1200, content_type="application/pdf")
AS_OF = date(2025, 6, 1)


def facts(**changes) -> ApplicantFacts:
    base = {
        "cnie": "AB123456",
        "first_name": "Amina",
        "last_name": "Alaoui",
        "birth_date": date(1985, 3, 2),
        "nationality": "MA",
        "category": Category.PUBLIC_EMPLOYEE,
    }
    return ApplicantFacts(**{**base, **changes})


def test_all_documents_present_and_valid_is_complete():
    required = required_documents(facts(), AS_OF)
    verdicts = verify(
        required,
        {
            Slot(DocumentKind.CNIE): PDF,
            Slot(DocumentKind.WORK_CERTIFICATE): StoredFile(10, "image/png"),
        },
    )
    assert [(v.kind, v.status, v.reason) for v in verdicts] == [
        (DocumentKind.CNIE, "accepted", None),
        (DocumentKind.WORK_CERTIFICATE, "accepted", None),
    ]
    assert outcome(verdicts) == "complete"


def test_every_missing_document_is_listed_at_once_with_a_french_reason_naming_it():
    required = required_documents(facts(), AS_OF)
    verdicts = verify(required, {})
    assert [v.status for v in verdicts] == ["missing", "missing"]
    for verdict, item in zip(verdicts, required, strict=True):
        assert verdict.reason == f"Pièce manquante : {item.label_fr}"
    assert outcome(verdicts) == "incomplete"


def test_wrong_type_and_empty_file_are_refused_with_their_reason():
    required = [
        RequiredDocument(kind=DocumentKind.CNIE, label_fr="CNIE"),
        RequiredDocument(kind=DocumentKind.WORK_CERTIFICATE, label_fr="Attestation de travail"),
    ]
    verdicts = verify(
        required,
        {
            Slot(DocumentKind.CNIE): StoredFile(500, "image/gif"),
            Slot(DocumentKind.WORK_CERTIFICATE): StoredFile(0, "application/pdf"),
        },
    )
    assert [v.status for v in verdicts] == ["refused", "refused"]
    assert "CNIE" in verdicts[0].reason and "format non accepté" in verdicts[0].reason
    assert "Attestation de travail" in verdicts[1].reason and "fichier vide" in verdicts[1].reason
    assert outcome(verdicts) == "incomplete"


def test_dependants_documents_are_filed_and_judged_per_dependant():
    children = [
        Dependant(
            relationship=Relationship.CHILD,
            first_name=n,
            last_name="Alaoui",
            birth_date=date(2004, 1, 1),
            student=True,
        )
        for n in ("Sara", "Omar")
    ]
    spouse = Dependant(
        relationship=Relationship.SPOUSE,
        first_name="Karim",
        last_name="Alaoui",
        birth_date=date(1983, 5, 5),
    )
    required = required_documents(facts(dependants=[spouse, *children]), AS_OF)
    stored = {
        Slot(DocumentKind.CNIE): PDF,
        Slot(DocumentKind.WORK_CERTIFICATE): PDF,
        Slot(DocumentKind.MARRIAGE_CERTIFICATE, 0): PDF,
        Slot(DocumentKind.BIRTH_CERTIFICATE, 1): PDF,
        Slot(DocumentKind.SCHOOL_CERTIFICATE, 1): PDF,
        # Omar's birth certificate filed as the member's own: it does not count for him.
        Slot(DocumentKind.BIRTH_CERTIFICATE): PDF,
    }
    verdicts = verify(required, stored)
    problems = [(v.kind, v.dependant, v.status) for v in verdicts if v.status != "accepted"]
    assert problems == [
        (DocumentKind.BIRTH_CERTIFICATE, 2, "missing"),
        (DocumentKind.SCHOOL_CERTIFICATE, 2, "missing"),
    ]
    assert all("Omar" in v.reason for v in verdicts if v.status == "missing")
    assert len(verdicts) == len(required) == 7


def test_a_mix_reports_every_category_of_problem_in_checklist_order():
    required = required_documents(facts(category=Category.WIDOW, survivor_pension=True), AS_OF)
    verdicts = verify(
        required,
        {
            Slot(DocumentKind.CNIE): PDF,
            Slot(DocumentKind.DEATH_CERTIFICATE): StoredFile(9, "text/plain"),
        },
    )
    assert [(v.kind, v.status) for v in verdicts] == [
        (DocumentKind.CNIE, "accepted"),
        (DocumentKind.DEATH_CERTIFICATE, "refused"),
        (DocumentKind.SURVIVOR_PENSION, "missing"),
    ]


def test_slot_names_read_back_as_the_same_slot():
    assert Slot(DocumentKind.CNIE).name == "cnie"
    assert Slot(DocumentKind.BIRTH_CERTIFICATE, 0).name == "birth_certificate:0"
    for slot in (Slot(DocumentKind.CNIE), Slot(DocumentKind.SCHOOL_CERTIFICATE, 12)):
        assert Slot.named(slot.name) == slot
