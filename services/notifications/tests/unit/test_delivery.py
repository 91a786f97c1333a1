"""The ledger's rule and the identities it keys by: one message per change and channel."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from notification_samples import decided, facts, incomplete, issued, submitted, suspended

from amo_notifications.domain import (
    CHANNELS,
    Channel,
    Progress,
    Step,
    change_id,
    ledger_id,
    message_id,
    next_step,
    notice_for,
)


def test_only_a_notice_recorded_as_sent_is_skipped():
    assert next_step(None) is Step.SEND
    # pending: it may or may not have left before a crash; sending again is the one duplicate
    assert next_step(Progress.PENDING) is Step.SEND
    assert next_step(Progress.SENT) is Step.SKIP


@given(event=st.text(min_size=1, max_size=60))
def test_message_ids_are_deterministic_per_event_and_channel(event):
    ids = {message_id(event, c, "notifications.amo.ma") for c in CHANNELS}
    assert len(ids) == 2
    assert message_id(event, Channel.EMAIL, "x.ma") == message_id(event, Channel.EMAIL, "x.ma")
    for mid in ids:
        assert re.fullmatch(r"<[A-Za-z0-9_.-]+@notifications\.amo\.ma>", mid)


def test_records_and_changes_are_per_channel():
    assert ledger_id("r:1", Channel.EMAIL) != ledger_id("r:1", Channel.SMS)
    assert change_id("c", Channel.EMAIL) != change_id("c", Channel.SMS)


def test_a_copy_under_another_event_id_is_the_same_change():
    event = submitted("app-1", facts())
    assert notice_for("r:1", event).change == notice_for("r:2", event).change
    assert notice_for("r:1", event).event != notice_for("r:2", event).event


def test_distinct_changes_have_distinct_keys():
    applicant = facts()
    notices = [
        notice_for("e:1", submitted("app-1", applicant)),
        notice_for("e:2", submitted("app-1", applicant, submission=2)),
        notice_for("e:3", incomplete("app-1", applicant, outcome="in_review")),
        notice_for("e:4", incomplete("app-1", applicant)),
        notice_for("e:5", decided("app-1", applicant)),
        notice_for("e:6", issued("app-1")),
        notice_for("e:7", suspended("app-1")),
    ]
    assert len({n.change for n in notices}) == len(notices)


def test_a_complete_verdict_tells_nothing_of_its_own():
    assert notice_for("d:1", incomplete("app-1", facts(), outcome="complete")) is None


def test_a_notice_keeps_no_cnie_nor_bank_details():
    notice = notice_for("d:1", incomplete("app-1", facts(cnie="ZX998877")))
    dumped = notice.model_dump_json()
    assert "ZX998877" not in dumped and "****" not in dumped and "c2VjcmV0" not in dumped
