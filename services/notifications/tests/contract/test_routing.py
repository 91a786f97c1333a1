"""Contract tier: each topic notifications hear of is routed to a notice, sent once per channel.

FastStream's in-memory broker and an in-memory database stand in for Kafka and Mongo, under the
real repositories; the mailer and the SMS sink are stand-ins that keep what they were given.
"""

from __future__ import annotations

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker
from notification_samples import facts, incomplete, issued, reminder, submitted, suspended

from amo_fakes import MemoryDatabase
from amo_notifications.adapters.ledger import COLLECTION as LEDGER
from amo_notifications.adapters.ledger import Ledger
from amo_notifications.adapters.mailer import Mailer
from amo_notifications.adapters.recipients import COLLECTION as RECIPIENTS
from amo_notifications.adapters.recipients import Recipients
from amo_notifications.app import SERVICE
from amo_notifications.handlers import Notifier, routes
from amo_notifications.messages import Composer
from amo_shared.aggregates import AggregateStore
from amo_shared.envelope import new_event
from amo_shared.subscriptions import subscribe
from amo_shared.topics import (
    APPLICATION_SUBMITTED,
    CARD_CHANGES,
    CARD_ISSUED,
    CARD_REVALIDATION_DUE,
    CARD_SUSPENDED,
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
    dlt,
)


class Outbox(Mailer):
    def __init__(self):
        super().__init__("mail.invalid", 25, "AMO <notifications@amo.ma>")
        self.sent = []

    async def send(self, msg):
        self.sent.append(msg)


class Sms:
    def __init__(self):
        self.sent = []

    async def send(self, message_id, to, text, language):
        self.sent.append((message_id, to, text, language))


@pytest.fixture
async def wiring():
    broker, db = KafkaBroker(), MemoryDatabase()
    ledger = Ledger(AggregateStore(db[LEDGER]))
    await ledger.ensure_indexes()
    mail, sms = Outbox(), Sms()
    notifier = Notifier(
        Recipients(AggregateStore(db[RECIPIENTS])), ledger, Composer(), mail, sms, "amo.test"
    )
    subscribe(broker, routes(notifier), group=SERVICE, db=db, attempts=3)
    dead = []

    for topic in (APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED, CARD_ISSUED):

        @broker.subscriber(dlt(topic), group_id="ops")
        async def on_dead(msg: KafkaMessage) -> None:
            dead.append(msg.headers)

    return broker, mail, sms, dead


async def publish(broker, event):
    await broker.publish(
        event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
    )


def ev(topic, payload, source, key="app-1"):
    return new_event(topic, payload, source=source, key=key)


def test_every_topic_told_is_subscribed():
    subscribed = {r.topic for r in routes(None)}
    assert {
        APPLICATION_SUBMITTED,
        DOCUMENTS_VERIFIED,
        ELIGIBILITY_DECIDED,
        CARD_ISSUED,
        CARD_REVALIDATION_DUE,
        *CARD_CHANGES,
    } == subscribed


async def test_a_submission_is_acknowledged_once_by_email_and_sms(wiring):
    broker, mail, sms, dead = wiring
    event = ev(APPLICATION_SUBMITTED, submitted("app-1", facts()), "registration")
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)  # a redelivery
        await publish(br, event.model_copy(update={"id": "a-copy"}))  # the same change again
    assert dead == []
    assert [m["To"] for m in mail.sent] == ["amina@example.ma"]
    assert mail.sent[0]["Message-ID"] == f"<registration.{event.id}.email@amo.test>"
    assert [(to, lang) for _, to, _, lang in sms.sent] == [("+212612345678", "fr")]


async def test_a_notice_before_its_contact_waits_and_follows_it_in_order(wiring):
    broker, mail, sms, dead = wiring
    applicant = facts()
    async with TestKafkaBroker(broker) as br:
        await publish(br, ev(DOCUMENTS_VERIFIED, incomplete("app-1", applicant), "documents"))
        assert mail.sent == []  # not dropped, not dead-lettered: waiting
        await publish(
            br,
            ev(APPLICATION_SUBMITTED, submitted("app-1", applicant, language="ar"), "registration"),
        )
    assert dead == []
    subjects = [m["Subject"] for m in mail.sent]
    assert len(subjects) == 2 and "مطلوبة" in subjects[1]
    assert [lang for *_, lang in sms.sent] == ["ar", "ar"]


async def test_card_events_reach_the_member_of_the_application(wiring):
    broker, mail, sms, dead = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, ev(APPLICATION_SUBMITTED, submitted("app-1", facts()), "registration"))
        await publish(br, ev(CARD_ISSUED, issued("app-1"), "cards"))
        await publish(br, ev(CARD_SUSPENDED, suspended("app-1"), "cards", key="M000000000017"))
        await publish(
            br, ev(CARD_REVALIDATION_DUE, reminder("app-1"), "cards", key="M000000000017")
        )
    assert dead == []
    assert len(mail.sent) == 4 and len(sms.sent) == 4
    assert "M000000000017" in mail.sent[1].get_body(("plain",)).get_content()
    assert "suspendue" in mail.sent[2]["Subject"]
