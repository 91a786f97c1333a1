"""The application's state machine: submission, downstream steps, order and repetition."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import permutations

import pytest

from amo_registration.domain import (
    Contact,
    Status,
    StepOutOfPlace,
    create,
    record_card_issued,
    record_documents_verified,
    record_eligibility_decided,
    submit,
)
from amo_shared.events import (
    ApplicantFacts,
    CardIssued,
    DecisionReason,
    DocumentsVerified,
    DocumentVerdict,
    EligibilityDecided,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FACTS = ApplicantFacts(
    cnie="AB123456",
    cnie_expiry=date(2030, 1, 1),
    first_name="Amina",
    last_name="Alaoui",
    birth_date=date(1990, 1, 1),
    nationality="MA",
    category="public_employee",
    recruitment_date=date(2025, 9, 1),
)


def draft():
    return create(FACTS, Contact(email="a@example.ma", phone="+212600000000"), T0, owner="sub-x")


def submitted():
    app = draft()
    submit(app, T0 + timedelta(minutes=1))
    return app


def verified(app, complete=True, submission=None):
    verdicts = [DocumentVerdict(kind="cnie", status="accepted")]
    if not complete:
        verdicts += [
            DocumentVerdict(kind="work_certificate", status="missing"),
            DocumentVerdict(
                kind="cnie",
                status="refused",
                code="document.expired",
                reason="expirée",
                reason_ar="منتهية",
            ),
        ]
    return DocumentsVerified(
        application_id=app.id,
        submission=submission or app.submission,
        verified_at=T0 + timedelta(hours=1),
        outcome="complete" if complete else "incomplete",
        verdicts=verdicts,
        applicant=FACTS,
        submitted_at=T0,
    )


def decided(app, approved=True, submission=None):
    reasons = [
        DecisionReason(code="category", passed=True, message_fr="ok", message_ar="ok"),
        DecisionReason(code="waiting", passed=approved, message_fr="attente", message_ar="انتظار"),
    ]
    return EligibilityDecided(
        application_id=app.id,
        submission=submission or app.submission,
        decided_at=T0 + timedelta(hours=2),
        outcome="approved" if approved else "rejected",
        reasons=reasons,
        rules_version="2026-01",
        applicant=FACTS,
    )


def card(app):
    return CardIssued(
        member_number="M-000001",
        application_id=app.id,
        category="public_employee",
        status="active",
        valid_from=date(2026, 3, 2),
        valid_until=date(2027, 3, 1),
        beneficiaries=[],
        payer="CNSS",
        issued_at=T0 + timedelta(hours=3),
    )


def test_a_new_application_is_a_draft_with_one_timeline_entry():
    app = draft()
    assert app.status == Status.DRAFT and app.submission == 0 and app.uploads_open
    assert [e.status for e in app.timeline] == [Status.DRAFT]


def test_submit_files_the_draft_once():
    app = draft()
    assert submit(app, T0) is True
    assert (app.status, app.submission, app.submitted_at) == (Status.SUBMITTED, 1, T0)
    assert not app.uploads_open
    # A second submit is a no-op: same state, no event due.
    before = app.model_copy(deep=True)
    assert submit(app, T0 + timedelta(minutes=5)) is False
    assert app == before


@pytest.mark.parametrize(
    "status",
    [
        Status.SUBMITTED,
        Status.DOCUMENTS_VERIFIED,
        Status.ELIGIBLE,
        Status.INELIGIBLE,
        Status.CARD_ISSUED,
    ],
)
def test_submit_is_a_no_op_outside_draft_and_incomplete(status):
    app = submitted()
    app.status = status
    assert submit(app, T0) is False and app.submission == 1


def test_full_happy_path_records_each_step():
    app = submitted()
    assert record_documents_verified(app, verified(app), "e1")
    assert app.status == Status.DOCUMENTS_VERIFIED and app.refusal is None
    assert record_eligibility_decided(app, decided(app), "e2")
    assert app.status == Status.ELIGIBLE
    assert record_card_issued(app, card(app), "e3")
    assert app.status == Status.CARD_ISSUED
    assert app.card.member_number == "M-000001" and app.card.valid_until == date(2027, 3, 1)
    assert [e.status for e in app.timeline] == [
        "draft",
        "submitted",
        "documents_verified",
        "eligible",
        "card_issued",
    ]
    assert [e.event_id for e in app.timeline][2:] == ["e1", "e2", "e3"]


def test_incomplete_documents_keep_every_missing_and_refused_document():
    app = submitted()
    record_documents_verified(app, verified(app, complete=False), "e1")
    assert app.status == Status.INCOMPLETE and app.uploads_open
    issues = [(d.kind, d.status, d.code, d.message_ar) for d in app.refusal.documents]
    assert issues == [
        ("work_certificate", "missing", "document.missing", "وثيقة ناقصة: يرجى تحميلها."),
        ("cnie", "refused", "document.expired", "منتهية"),
    ]
    assert app.refusal.documents[1].message_fr == "expirée"
    assert app.timeline[-1].reasons == app.refusal


def test_resubmission_after_incomplete_starts_submission_two():
    app = submitted()
    record_documents_verified(app, verified(app, complete=False), "e1")
    assert submit(app, T0 + timedelta(days=1)) is True
    assert (app.status, app.submission, app.refusal) == (Status.SUBMITTED, 2, None)
    record_documents_verified(app, verified(app, submission=2), "e2")
    assert app.status == Status.DOCUMENTS_VERIFIED


def test_a_step_of_an_older_submission_is_recorded_but_moves_nothing():
    app = submitted()
    record_documents_verified(app, verified(app, complete=False), "e1")
    submit(app, T0 + timedelta(days=1))
    assert record_documents_verified(app, verified(app, complete=True, submission=1), "late")
    assert app.status == Status.SUBMITTED and app.submission == 2
    assert (app.timeline[-1].event_id, app.timeline[-1].submission) == ("late", 1)


def test_ineligibility_keeps_the_failed_reasons_in_both_languages():
    app = submitted()
    record_documents_verified(app, verified(app), "e1")
    record_eligibility_decided(app, decided(app, approved=False), "e2")
    assert app.status == Status.INELIGIBLE
    assert [(r.code, r.message_fr, r.message_ar) for r in app.refusal.eligibility] == [
        ("waiting", "attente", "انتظار")
    ]
    assert submit(app, T0) is False  # a refusal on eligibility is final for this filing


def test_a_repeated_event_changes_nothing():
    app = submitted()
    record_documents_verified(app, verified(app), "e1")
    before = app.model_copy(deep=True)
    assert record_documents_verified(app, verified(app), "e1") is False
    assert record_eligibility_decided(app, decided(app), "e1") is False
    assert app == before
    record_card_issued(app, card(app), "c1")
    before = app.model_copy(deep=True)
    assert record_card_issued(app, card(app), "c1") is False
    assert app == before


def test_card_before_eligibility_still_ends_at_card_issued():
    app = submitted()
    record_card_issued(app, card(app), "e3")
    record_eligibility_decided(app, decided(app), "e2")
    record_documents_verified(app, verified(app), "e1")
    assert app.status == Status.CARD_ISSUED and app.card is not None
    assert len(app.timeline) == 5


def test_status_never_goes_backwards_whatever_the_order():
    steps = [
        ("d", record_documents_verified, verified),
        ("e", record_eligibility_decided, decided),
        ("c", record_card_issued, card),
    ]
    for order in permutations(steps):
        app = submitted()
        seen = [app.status]
        for event_id, record, make in order:
            record(app, make(app), event_id)
            seen.append(app.status)
        ranks = [
            [
                "draft",
                "submitted",
                "incomplete",
                "documents_verified",
                "ineligible",
                "card_issued",
            ].index(s if s != "eligible" else "ineligible")
            for s in seen
        ]
        assert ranks == sorted(ranks), order
        assert app.status == Status.CARD_ISSUED


def test_a_step_for_a_submission_never_made_is_a_broken_invariant():
    app = submitted()
    with pytest.raises(StepOutOfPlace):
        record_documents_verified(app, verified(app, submission=2), "e1")
    with pytest.raises(StepOutOfPlace):
        record_card_issued(draft(), card(app), "c1")
