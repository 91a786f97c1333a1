"""Restarted servers mid-flow: what was accepted is never lost, and nothing is doubled.
An outage pauses publishing and consuming (retries with capped backoff); it never dead-letters."""

from __future__ import annotations

import asyncio
import os
import signal

from amo_localstack.infra import start_kafka, start_mongo, stop_kafka, stop_mongo
from amo_localstack.services import service_pids
from amo_shared.topics import APPLICATION_SUBMITTED, CARD_ISSUED, ELIGIBILITY_DECIDED, dlt
from amo_testkit import applicant, required_uploads


async def test_broker_crash_between_submit_and_publish_loses_nothing(platform, applicants, bus):
    cfg = platform.stack.cfg
    body = applicant("widow", deceased_member_number=await applicants.member())
    app = await applicants.create(body)
    await app.upload_all(required_uploads(body))
    await asyncio.to_thread(stop_kafka, cfg, hard=True)  # a crash, not a clean shutdown
    try:
        # Accepted while the broker is down: the event waits in registration's outbox.
        assert (await app.submit()).status_code == 202
        await asyncio.sleep(3)
        assert (await app.view())["status"] == "submitted"
    finally:
        await asyncio.to_thread(start_kafka, cfg)
    view = await app.wait_for("card_issued", timeout=180)
    assert view["card"]["member_number"]
    assert len(await bus.records(APPLICATION_SUBMITTED, key=app.id)) == 1
    assert len(await bus.records(CARD_ISSUED, key=app.id)) == 1


async def test_mongo_wire_server_down_mid_flow_pauses_consumers_without_dead_letters(
    platform, applicants, bus
):
    cfg = platform.stack.cfg
    cards = service_pids(cfg)["cards"]
    os.kill(cards, signal.SIGSTOP)  # hold the cards consumer until the database is down
    try:
        app = await applicants.file_complete("orphan")
        await app.wait_for("eligible")
        await asyncio.to_thread(stop_mongo, cfg)
    finally:
        os.kill(cards, signal.SIGCONT)
    try:
        # Longer than PyMongo's 5 s server selection, so the handler fails and the policy retries.
        await asyncio.sleep(8)
    finally:
        await asyncio.to_thread(start_mongo, cfg)
    view = await app.wait_for("card_issued", timeout=180)
    assert view["status"] == "card_issued"
    assert len(await bus.records(CARD_ISSUED, key=app.id)) == 1
    for topic in (ELIGIBILITY_DECIDED, CARD_ISSUED):
        assert await bus.records(dlt(topic), key=app.id) == [], (
            "an outage is not the message's fault"
        )
    log = (cfg.log_dir / "cards.log").read_text()
    assert "dependency unavailable" in log, "the handler met the outage and retried"
