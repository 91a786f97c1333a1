"""Unit: a review item's four-eyes life: claim, approve, refuse, confirm by another operator,
overrule; every step recorded with who, when and why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amo_documents.domain import Concern, Slot
from amo_documents.domain.reviews import ReviewConflict, ReviewItem, mask_cnie
from amo_shared.events import DocumentKind

AT = datetime(2025, 6, 2, 10, tzinfo=UTC)


def item() -> ReviewItem:
    concern = Concern(
        "app-1.1.work_certificate",
        "document",
        Slot(DocumentKind.WORK_CERTIFICATE),
        "document.no_text_layer",
        "a" * 64,
    )
    return ReviewItem.opened("app-1", 1, concern, "AB123456", AT)


def test_an_item_shows_a_masked_cnie_only():
    assert item().cnie_masked == "AB****56"
    assert mask_cnie(None) is None


def test_claim_then_approve_records_who_when_and_why():
    it = item()
    assert it.act("claim", "op-1", AT)
    assert not it.act("claim", "op-1", AT)  # claiming again changes nothing
    it.act("approve", "op-1", AT, "attestation conforme")
    assert it.status == "approved" and it.final and it.deciders() == ("op-1",)
    assert [(s.action, s.operator, s.reason) for s in it.history] == [
        ("claim", "op-1", ""),
        ("approve", "op-1", "attestation conforme"),
    ]


def test_a_claimed_item_is_anothers_to_decide():
    it = item()
    it.act("claim", "op-1", AT)
    for action in ("claim", "approve", "refuse"):
        with pytest.raises(ReviewConflict):
            it.act(action, "op-2", AT, "raison")


def test_a_refusal_needs_a_second_different_operator_to_confirm():
    it = item()
    it.act("refuse", "op-1", AT, "cachet absent")
    assert it.status == "refusal_pending" and not it.final
    with pytest.raises(ReviewConflict):
        it.act("confirm", "op-1", AT)
    it.act("confirm", "op-2", AT)
    assert it.status == "refused" and it.deciders() == ("op-1", "op-2")
    assert it.refusal_reason == "cachet absent"


def test_an_overruled_refusal_waits_again_for_anyone():
    it = item()
    it.act("refuse", "op-1", AT, "cachet absent")
    with pytest.raises(ReviewConflict):
        it.act("overrule", "op-1", AT)
    it.act("overrule", "op-2", AT, "cachet visible page 2")
    assert (it.status, it.claimed_by, it.refused_by) == ("waiting", None, None)
    it.act("approve", "op-2", AT, "conforme")
    assert it.status == "approved" and len(it.history) == 3


def test_a_decision_needs_a_reason():
    with pytest.raises(ReviewConflict):
        item().act("approve", "op-1", AT, "  ")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["claim", "approve", "refuse", "confirm", "overrule"]),
            st.sampled_from(["op-1", "op-2", "op-3"]),
        ),
        max_size=12,
    )
)
def test_no_sequence_of_steps_refuses_without_two_operators(steps):
    it = item()
    for action, operator in steps:
        try:
            it.act(action, operator, AT, "raison")
        except ReviewConflict:
            continue
        if it.final:
            break
    if it.status == "refused":
        refuser, confirmer = it.deciders()
        assert refuser != confirmer
    # Every confirmation or overruling in the history came from someone else than the refuser.
    refuser = None
    for step in it.history:
        if step.action == "refuse":
            refuser = step.operator
        elif step.action in ("confirm", "overrule"):
            assert step.operator != refuser
