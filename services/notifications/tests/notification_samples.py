"""Events of every kind notifications hear of, built from given facts (unit and contract tiers)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from amo_shared.events import (
    ApplicantFacts,
    ApplicationSubmitted,
    CardBeneficiary,
    CardIssued,
    CardSuspended,
    Category,
    ChangeReason,
    ContactDetails,
    DecisionReason,
    Dependant,
    DocumentKind,
    DocumentsVerified,
    DocumentVerdict,
    EligibilityDecided,
    RevalidationDue,
    SealedValue,
)

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


def facts(
    cnie: str = "AB123456", first: str = "Amina", hint: str = "RIB ****1234"
) -> ApplicantFacts:
    return ApplicantFacts(
        cnie=cnie,
        cnie_expiry=date(2030, 1, 1),
        first_name=first,
        last_name="Alaoui",
        birth_date=date(1985, 4, 12),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
        bank_account=SealedValue(key_id="k1", nonce="bm9uY2U=", ciphertext="c2VjcmV0", hint=hint),
        dependants=[
            Dependant(
                relationship="child",
                first_name="Sara",
                last_name="Alaoui",
                birth_date=date(2016, 9, 1),
            )
        ],
    )


def submitted(
    app_id: str, applicant: ApplicantFacts, *, email="amina@example.ma", language="fr", submission=1
):
    return ApplicationSubmitted(
        application_id=app_id,
        submission=submission,
        submitted_at=NOW,
        applicant=applicant,
        contact=ContactDetails(email=email, phone="+212612345678", language=language),
    )


def incomplete(app_id: str, applicant: ApplicantFacts, outcome: str = "incomplete"):
    return DocumentsVerified(
        application_id=app_id,
        verified_at=NOW,
        outcome=outcome,
        verdicts=[
            DocumentVerdict(kind=DocumentKind.CNIE, status="accepted", sha256="a" * 64),
            DocumentVerdict(
                kind=DocumentKind.WORK_CERTIFICATE,
                status="missing",
                code="document.missing",
                reason="Document manquant",
                reason_ar="وثيقة ناقصة",
            ),
            DocumentVerdict(
                kind=DocumentKind.BIRTH_CERTIFICATE,
                dependant=0,
                status="refused",
                code="pdf.javascript",
                reason="Le PDF contient du JavaScript",
                reason_ar="يحتوي الملف على جافاسكريبت",
                sha256="b" * 64,
            ),
        ],
        applicant=applicant,
        submitted_at=NOW,
    )


def decided(app_id: str, applicant: ApplicantFacts, outcome: str = "approved"):
    return EligibilityDecided(
        application_id=app_id,
        decided_at=NOW,
        outcome=outcome,
        reasons=[
            DecisionReason(
                code="member.category",
                passed=outcome == "approved",
                message_fr="Catégorie",
                message_ar="الفئة",
            )
        ],
        rules_version="2025.1",
        coverage_start=date(2026, 3, 5),
        payer="CNOPS",
        applicant=applicant,
    )


def card(app_id: str, first: str = "Amina", member_number: str = "M000000000017"):
    return dict(
        member_number=member_number,
        application_id=app_id,
        category=Category.PUBLIC_EMPLOYEE,
        status="active",
        valid_from=date(2026, 3, 5),
        valid_until=date(2031, 3, 4),
        beneficiaries=[
            CardBeneficiary(
                rank=0,
                relationship="self",
                first_name=first,
                last_name="Alaoui",
                birth_date=date(1985, 4, 12),
            ),
            CardBeneficiary(
                rank=1,
                relationship="child",
                first_name="Sara",
                last_name="Alaoui",
                birth_date=date(2016, 9, 1),
            ),
        ],
        payer="CNOPS",
        issued_at=NOW,
    )


def issued(app_id: str, **kw) -> CardIssued:
    return CardIssued(**card(app_id, **kw))


def suspended(app_id: str, **kw) -> CardSuspended:
    return CardSuspended(
        **(card(app_id, **kw) | {"status": "active", "sequence": 2}),
        change="suspended",
        beneficiary_rank=1,
        reason=ChangeReason(
            code="revalidation.school_certificate",
            message_fr="Certificat de scolarité non renouvelé",
            message_ar="لم يتم تجديد شهادة التمدرس",
        ),
        effective_on=date(2026, 10, 1),
        changed_at=NOW,
    )


def reminder(app_id: str, member_number: str = "M000000000017") -> RevalidationDue:
    return RevalidationDue(
        member_number=member_number,
        application_id=app_id,
        beneficiary_rank=1,
        what=DocumentKind.SCHOOL_CERTIFICATE,
        due_on=date(2026, 10, 1),
        reminded_at=NOW,
    )
