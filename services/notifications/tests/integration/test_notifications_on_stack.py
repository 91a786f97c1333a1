"""Notifications on the real stack: Kafka, FerretDB and the real Mailpit. One event, one email
and one SMS, whatever Kafka redelivers; an early event waits for its contact; an SMTP outage is
waited out, not dead-lettered.

The app runs in process with its lifespan; Mailpit is read through its API, the SMS sink as the
file it is.
"""

from __future__ import annotations

import json
from uuid import uuid4

import httpx
import pytest
from notification_samples import facts, incomplete, submitted

from amo_localstack.orchestrator import start_programs, stop_programs
from amo_localstack.programs import SERVICE as SERVICE_PROGRAM
from amo_localstack.programs import names
from amo_localstack.supervision import Supervisor
from amo_notifications.app import SERVICE, create_app
from amo_notifications.settings import Settings
from amo_shared.consumer import PROCESSED
from amo_shared.envelope import new_event
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED, dlt

CNIE = "ZX998877"


@pytest.fixture(autouse=True, scope="module")
def platform_paused(stack):
    """These tests run the notifications app in process and count the emails one made-up event
    gives. When another test of the session has started the whole platform, its services would
    answer the same events: its notifications program shares the service's consumer group (and
    so its partitions), its documents service answers an application.submitted with a notice of
    its own to the same address. So the platform's services are stopped for these tests and
    started again after; they resume after the offsets these tests commit."""
    supervisor = Supervisor(stack.cfg)
    running = []
    if supervisor.running():
        info = supervisor.all_info()
        running = [n for n in names(stack.cfg, SERVICE_PROGRAM) if n in info]
        running = [n for n in running if supervisor.state(n) == "RUNNING"]
    stop_programs(stack.cfg, supervisor, running)
    yield
    if running:
        start_programs(stack.cfg, running)


def settings(stack, database, tmp_path) -> Settings:
    return Settings(
        **stack.kafka_settings("notifications"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
        smtp_host="127.0.0.1",
        smtp_port=stack.smtp_port,
        sms_outbox=str(tmp_path / "sms.jsonl"),
        outbox_poll_seconds=0.2,
    )


def case(language="fr"):
    app_id, email = f"app-{uuid4().hex[:8]}", f"it-{uuid4().hex[:8]}@example.ma"
    applicant = facts(cnie=CNIE)
    event = new_event(
        APPLICATION_SUBMITTED,
        submitted(app_id, applicant, email=email, language=language),
        source="registration",
        key=app_id,
    )
    return app_id, email, applicant, event


def sms_lines(tmp_path, event_id: str) -> list[dict]:
    path = tmp_path / "sms.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [line for line in lines if event_id in line["id"]]


async def raw(stack, message_id: str) -> str:
    """The message as sent (headers, encoded parts) and as read (subject, text, HTML decoded)."""
    async with httpx.AsyncClient(base_url=stack.mailpit_url, timeout=10) as client:
        sent = await client.get(f"/api/v1/message/{message_id}/raw")
        read = await client.get(f"/api/v1/message/{message_id}")
        sent.raise_for_status()
        read.raise_for_status()
        m = read.json()
        return "\n".join((sent.text, m["Subject"], m["Text"], m["HTML"]))


async def test_one_event_gives_one_email_and_one_sms_whatever_kafka_redelivers(
    stack, bus, database, run_app, wait, mailbox, tmp_path
):
    _app_id, email, _applicant, event = case()
    app = create_app(settings(stack, database, tmp_path))
    async with run_app(app):
        await bus.publish(event)
        await bus.publish(event)  # a redelivery
        last = await bus.publish(event.model_copy(update={"id": str(uuid4())}))  # a copy
        await bus.wait_consumed(SERVICE, last)
        first = await wait(lambda: mailbox(email), "the acknowledgement in Mailpit")
    assert len(first) == 1 and len(sms_lines(tmp_path, event.id)) == 1
    body = await raw(stack, first[0]["ID"])
    assert f"Message-ID: <registration.{event.id}.email@notifications.amo.ma>" in body
    assert CNIE not in body

    # Rewound twice: as an operator would, then having lost the dedup records too.
    for forget_processed in (False, True):
        await bus.rewind(SERVICE, APPLICATION_SUBMITTED)
        app = create_app(settings(stack, database, tmp_path))
        async with run_app(app):
            if forget_processed:
                await app.state.runtime.db[PROCESSED].delete_many({})
            await bus.wait_consumed(SERVICE, last)
        assert len(await mailbox(email)) == 1
        assert len(sms_lines(tmp_path, event.id)) == 1


async def test_a_notice_before_its_contact_waits_then_follows_it(
    stack, bus, database, run_app, wait, mailbox, tmp_path
):
    app_id, email, applicant, event = case(language="ar")
    early = new_event(
        DOCUMENTS_VERIFIED, incomplete(app_id, applicant), source="documents", key=app_id
    )
    app = create_app(settings(stack, database, tmp_path))
    async with run_app(app):
        sent = await bus.publish(early)
        await bus.wait_consumed(SERVICE, sent)
        doc = await app.state.recipients.store.get(app_id)
        assert [n["event"] for n in doc["waiting"]] == [f"documents:{early.id}"]
        assert await mailbox(email) == []
        sent = await bus.publish(event)
        await bus.wait_consumed(SERVICE, sent)
        messages = await wait(
            lambda: _at_least(mailbox, email, 2), "the acknowledgement and the notice"
        )
        assert (await app.state.recipients.store.get(app_id))["waiting"] == []
    assert len(messages) == 2
    notice = next(m for m in messages if "مطلوبة" in m["Subject"])
    body = await raw(stack, notice["ID"])
    assert 'lang="ar"' in body and 'dir="rtl"' in body
    assert CNIE not in body
    assert not [r for r in await bus.read(dlt(DOCUMENTS_VERIFIED)) if r.key == app_id.encode()]


async def test_an_smtp_outage_is_waited_out_and_the_email_leaves_once(
    stack, bus, database, run_app, wait, mailbox, tmp_path
):
    _app_id, email, _applicant, event = case()
    app = create_app(settings(stack, database, tmp_path))
    sup = Supervisor(stack.cfg)
    async with run_app(app):
        sup.stop("mailpit")
        try:
            sent = await bus.publish(event)
            ledger = app.state.ledger.store
            # recorded before the send, never marked: the send is being retried
            await wait(lambda: ledger.get(f"registration:{event.id}:email"), "the pending record")
        finally:
            start_programs(stack.cfg, ["mailpit"])
        await bus.wait_consumed(SERVICE, sent)
        messages = await wait(lambda: mailbox(email), "the email after the outage")
        record = await ledger.get(f"registration:{event.id}:email")
    assert len(messages) == 1 and record["status"] == "sent"
    assert not [
        r for r in await bus.read(dlt(APPLICATION_SUBMITTED)) if r.key == event.key.encode()
    ]


async def _at_least(mailbox, email, n):
    found = await mailbox(email)
    return found if len(found) >= n else None
