"""The one-notice loop, who an application is for (one membership, look-alikes), and the card
as registration keeps it (highest sequence, its history, what it opens)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_registration.domain import (
    Contact,
    Status,
    create,
    fold,
    lookalike_key,
    person_key,
    record_card_change,
    record_card_issued,
    record_documents_verified,
    record_eligibility_decided,
    submit,
)
from amo_registration.views import application_view
from amo_shared.events import (
    ApplicantFacts,
    CardBeneficiary,
    CardChange,
    CardIssued,
    ChangeReason,
    DecisionReason,
    DocumentsVerified,
    DocumentVerdict,
    EligibilityDecided,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FACTS = ApplicantFacts(
    cnie="AB123456",
    cnie_expiry=date(2031, 1, 1),
    first_name="Amina",
    last_name="Alaoui",
    birth_date=date(1990, 1, 1),
    nationality="MA",
    category="public_employee",
    recruitment_date=date(2025, 9, 1),
)


def filed(facts: ApplicantFacts = FACTS):
    app = create(facts, Contact(email="a@b.ma", phone="0600000000"), T0, owner="sub-x")
    submit(app, T0)
    return app


def verdict(app, outcome, verdicts, submission=None):
    return DocumentsVerified(
        application_id=app.id,
        submission=submission or app.submission,
        verified_at=T0 + timedelta(hours=1),
        outcome=outcome,
        verdicts=verdicts,
        applicant=FACTS,
        submitted_at=T0,
    )


TWO_PROBLEMS = [
    DocumentVerdict(kind="cnie", status="accepted", sha256="a" * 64),
    DocumentVerdict(
        kind="work_certificate",
        status="missing",
        code="document.missing",
        reason="Attestation de travail manquante",
        reason_ar="شهادة العمل ناقصة",
    ),
    DocumentVerdict(
        kind="photo",
        status="refused",
        code="image.truncated",
        reason="Photo tronquée",
        reason_ar="الصورة مبتورة",
        sha256="b" * 64,
    ),
]


def test_one_notice_lists_everything_to_fix_in_both_languages():
    app = filed()
    assert record_documents_verified(app, verdict(app, "incomplete", TWO_PROBLEMS), "v1")
    assert app.status == Status.INCOMPLETE and app.uploads_open
    assert [(d.kind, d.code, d.message_fr, d.message_ar) for d in app.refusal.documents] == [
        (
            "work_certificate",
            "document.missing",
            "Attestation de travail manquante",
            "شهادة العمل ناقصة",
        ),
        ("photo", "image.truncated", "Photo tronquée", "الصورة مبتورة"),
    ]


def test_in_review_waits_for_the_final_verdict_of_the_same_submission():
    app = filed()
    review = [DocumentVerdict(kind="work_certificate", status="in_review")]
    assert record_documents_verified(app, verdict(app, "in_review", review), "r1")
    assert (app.status, app.refusal, app.uploads_open) == (Status.IN_REVIEW, None, False)
    assert submit(app, T0) is False  # in an operator's hands, not the applicant's
    record_documents_verified(app, verdict(app, "incomplete", TWO_PROBLEMS), "v1")
    assert app.status == Status.INCOMPLETE and len(app.refusal.documents) == 2


def test_in_review_arriving_after_the_final_verdict_moves_nothing():
    app = filed()
    record_documents_verified(app, verdict(app, "complete", TWO_PROBLEMS[:1]), "v1")
    record_documents_verified(app, verdict(app, "in_review", []), "r1")
    assert app.status == Status.DOCUMENTS_VERIFIED


def test_each_round_shows_in_the_view():
    app = filed()
    record_documents_verified(app, verdict(app, "incomplete", TWO_PROBLEMS), "v1")
    assert submit(app, T0 + timedelta(days=1)) and app.submission == 2
    record_documents_verified(app, verdict(app, "complete", TWO_PROBLEMS[:1]), "v2")
    view = application_view(app)
    first, second = view["rounds"]
    assert first["steps"] == ["submitted", "incomplete"] and second["submission"] == 2
    assert [f["kind"] for f in first["to_fix"]] == ["work_certificate", "photo"]
    assert second["steps"] == ["submitted", "documents_verified"] and second["to_fix"] == []
    assert view["status"] == "documents_verified" and view["reasons"] is None


def test_a_stored_documents_incomplete_status_reads_as_incomplete():
    app = filed()
    stored = app.model_dump(mode="json")
    stored["status"] = "documents_incomplete"
    stored["timeline"][-1]["status"] = "documents_incomplete"
    again = type(app).model_validate(stored)
    assert again.status == Status.INCOMPLETE and again.timeline[-1].status == Status.INCOMPLETE


names = st.text(alphabet="abcdeéèÉàçâ -'", min_size=1, max_size=12).filter(str.strip)


@given(names, names)
def test_lookalikes_ignore_case_accents_and_spacing(first, last):
    twin = FACTS.model_copy(
        update={"cnie": "ZZ999999", "first_name": first.upper(), "last_name": f"  {last} "}
    )
    original = FACTS.model_copy(update={"first_name": first, "last_name": last})
    assert lookalike_key(twin) == lookalike_key(original)
    assert person_key(twin) != person_key(original)


def test_folding_and_what_differs():
    assert fold("Élodie  Ben-Ali") == fold("elodie ben ali") == "elodie ben ali"
    other_birth = FACTS.model_copy(update={"birth_date": date(1990, 1, 2)})
    assert lookalike_key(other_birth) != lookalike_key(FACTS)
    assert person_key(FACTS.model_copy(update={"cnie": " ab123456 "})) == person_key(FACTS)
    assert "AB123456" not in person_key(FACTS) and "amina" not in lookalike_key(FACTS)


def test_a_foreigner_is_the_residence_permit_and_a_guarded_orphan_the_names():
    foreigner = FACTS.model_copy(
        update={"cnie": None, "nationality": "SN", "residence_permit": "rc 123"}
    )
    assert person_key(foreigner) == person_key(
        foreigner.model_copy(update={"residence_permit": "RC123"})
    )
    child = FACTS.model_copy(update={"cnie": None, "first_name": "Lina"})
    assert person_key(child) != person_key(FACTS)


def card(app, sequence=1, status="active", beneficiary_status="active"):
    return dict(
        member_number="M00000017",
        application_id=app.id,
        category="public_employee",
        status=status,
        valid_from=date(2026, 3, 2),
        valid_until=date(2031, 3, 1),
        beneficiaries=[
            CardBeneficiary(
                rank=0,
                relationship="self",
                first_name="Amina",
                last_name="Alaoui",
                birth_date=date(1990, 1, 1),
                coverage_from=date(2026, 3, 2),
                status=beneficiary_status,
            )
        ],
        payer="CNOPS",
        issued_at=T0,
        sequence=sequence,
    )


def change(app, sequence, what, status):
    return CardChange(
        **card(app, sequence, status, "suspended" if status == "suspended" else "active"),
        change=what,
        beneficiary_rank=None,
        reason=ChangeReason(code="revalidation.overdue", message_fr="f", message_ar="ع"),
        effective_on=date(2027, 3, 2),
        changed_at=T0 + timedelta(days=365 + sequence),
    )


def issued(app):
    record_documents_verified(app, verdict(app, "complete", TWO_PROBLEMS[:1]), "v1")
    decision = EligibilityDecided(
        application_id=app.id,
        decided_at=T0,
        outcome="approved",
        reasons=[DecisionReason(code="c", passed=True, message_fr="ok", message_ar="ok")],
        rules_version="r",
        applicant=FACTS,
    )
    record_eligibility_decided(app, decision, "e1")
    record_card_issued(app, CardIssued(**card(app)), "c1")
    return app


def test_the_card_keeps_its_highest_sequence_whatever_the_order():
    in_order, reversed_ = issued(filed()), filed()
    suspended = change(in_order, 2, "suspended", "suspended")
    reinstated = change(in_order, 3, "reinstated", "active")
    for event, event_id in ((suspended, "s2"), (reinstated, "s3")):
        assert record_card_change(in_order, event, event_id)
    for event, event_id in ((reinstated, "s3"), (suspended, "s2")):
        record_card_change(
            reversed_, event.model_copy(update={"application_id": reversed_.id}), event_id
        )
    issued(reversed_)
    for app in (in_order, reversed_):
        assert (app.card.sequence, app.card.status, app.status) == (3, "active", "card_issued")
        assert [e.change for e in app.card_events] == ["suspended", "reinstated"]
        assert app.member_number == "M00000017"
    assert record_card_change(in_order, reinstated, "s3") is False  # redelivered


@pytest.mark.parametrize(
    "status,open_,holds",
    [
        ("active", True, True),
        ("suspended", True, True),
        ("revoked", False, False),
        ("expired", False, False),
    ],
)
def test_what_the_card_opens_and_holds(status, open_, holds):
    app = issued(filed())
    what = {"active": "renewed"}.get(status, status)
    record_card_change(app, change(app, 2, what, status), "x")
    assert app.card.status == status
    assert app.revalidation_open is open_ and app.holds_person is holds


def test_an_open_file_holds_the_person_and_an_ineligible_one_lets_go():
    app = filed()
    assert app.holds_person and not app.revalidation_open
    record_documents_verified(app, verdict(app, "complete", TWO_PROBLEMS[:1]), "v1")
    refusal = EligibilityDecided(
        application_id=app.id,
        decided_at=T0,
        outcome="rejected",
        reasons=[DecisionReason(code="waiting", passed=False, message_fr="f", message_ar="ع")],
        rules_version="r",
        applicant=FACTS,
    )
    record_eligibility_decided(app, refusal, "e1")
    assert app.status == Status.INELIGIBLE and not app.holds_person


def test_the_view_shows_the_bank_hint_and_the_card_never_the_secrets():
    app = issued(filed())
    view = application_view(app)
    assert view["card"]["beneficiaries"][0]["coverage_from"] == "2026-03-02"
    assert view["card"]["payer"] == "CNOPS" and view["card"]["history"] == []
    text = str(view)
    assert "AB123456" not in text and app.person_key not in text and "token" not in text
