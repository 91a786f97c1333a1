"""Delivery guarantees on the real stack: redelivered and rewound events, poison events,
racing writers, and a service killed mid-flow. Nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import json

import httpx

from amo_localstack.services import start_services, stop_service
from amo_shared.topics import (
    APPLICATION_SUBMITTED,
    CARD_ISSUED,
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
    dlt,
)
from amo_testkit import applicant, headers_of, new_id, required_uploads, value_of


async def test_same_application_submitted_twice_yields_one_card(applicants, bus):
    app = await applicants.file_complete("retiree")
    await app.wait_for("card_issued")
    [original] = await bus.wait_records(APPLICATION_SUBMITTED, key=app.id)
    # The very same event again (same ce_id), and a copy under a new ce_id: both are redeliveries.
    key, headers = original.key.decode(), headers_of(original)
    await bus.publish_raw(APPLICATION_SUBMITTED, original.value, key, headers)
    await bus.publish_raw(
        APPLICATION_SUBMITTED, original.value, key, {**headers, "ce_id": new_id()}
    )
    # A later applicant's card proves the consumers went past both copies.
    later = await applicants.file_complete("retiree")
    await later.wait_for("card_issued")
    await bus.wait_records(CARD_ISSUED, key=later.id)
    assert len(await bus.records(DOCUMENTS_VERIFIED, key=app.id)) == 1
    assert len(await bus.records(CARD_ISSUED, key=app.id)) == 1


async def test_rewound_consumer_groups_issue_no_second_card(platform, applicants, bus):
    apps = [await applicants.file_complete(c) for c in ("public_employee", "widow")]
    for app in apps:
        await app.wait_for("card_issued")
    cfg = platform.stack.cfg
    for group, topic in (("documents", APPLICATION_SUBMITTED), ("cards", ELIGIBILITY_DECIDED)):
        stop_service(group, cfg)
        await bus.rewind(group, topic)
    start_services(cfg, platform.ports, names=("documents", "cards"))
    for group, topic in (("documents", APPLICATION_SUBMITTED), ("cards", ELIGIBILITY_DECIDED)):
        await bus.wait_caught_up(group, topic)
    for app in apps:
        assert len(await bus.records(CARD_ISSUED, key=app.id)) == 1
        assert len(await bus.records(DOCUMENTS_VERIFIED, key=app.id)) == 1
        assert (await app.view())["status"] == "card_issued"


POISON = {
    APPLICATION_SUBMITTED: "documents",
    DOCUMENTS_VERIFIED: "eligibility",
    ELIGIBILITY_DECIDED: "cards",
    CARD_ISSUED: "claims",
}


async def test_poison_event_on_each_topic_lands_in_its_dlt_and_the_pipeline_goes_on(
    applicants, bus
):
    keys = {}
    for topic in POISON:
        key = "poison-" + new_id()
        keys[topic] = key
        headers = {
            "ce_specversion": "1.0",
            "ce_id": new_id(),
            "ce_source": "tests",
            "ce_type": f"ma.amo.{topic}.v1",
            "ce_time": "2026-01-01T00:00:00Z",
            "ce_subject": key,
            "content-type": "application/json",
        }
        await bus.publish_raw(topic, b'{"application_id": 42, "oops": true', key, headers)
    app = await applicants.file_complete("liberal_profession")
    assert (await app.wait_for("card_issued"))["status"] == "card_issued"
    for topic, group in POISON.items():
        dead = await bus.wait_records(dlt(topic), key=keys[topic])
        mine = [r for r in dead if headers_of(r)["dlt_group"] == group]
        assert len(mine) == 1, (topic, [headers_of(r) for r in dead])
        h = headers_of(mine[0])
        assert h["dlt_topic"] == topic and "invalid payload" in h["dlt_reason"]
        assert h["dlt_offset"].isdigit() and h["dlt_partition"].isdigit() and h["dlt_time"]
        assert mine[0].value == b'{"application_id": 42, "oops": true'


async def test_cards_replays_its_own_dead_letters_and_parks_a_still_broken_one(platform, bus):
    key = "poison-" + new_id()
    headers = {
        "ce_specversion": "1.0",
        "ce_id": new_id(),
        "ce_source": "tests",
        "ce_type": "ma.amo.eligibility.decided.v1",
        "ce_time": "2026-01-01T00:00:00Z",
        "ce_subject": key,
        "content-type": "application/json",
    }
    await bus.publish_raw(ELIGIBILITY_DECIDED, b"{}", key, headers)
    await bus.wait_records(dlt(ELIGIBILITY_DECIDED), key=key)
    async with httpx.AsyncClient(base_url=platform.url("cards"), timeout=120) as client:
        first = (await client.post("/operations/dead-letters/replay")).json()["reports"]
        second = (await client.post("/operations/dead-letters/replay")).json()["reports"]
    # cards reads two topics; only eligibility.decided's dead letters are here.
    [report] = [r for r in first if r["topic"] == ELIGIBILITY_DECIDED]
    second = [r for r in second if r["topic"] == ELIGIBILITY_DECIDED]
    assert report["topic"] == ELIGIBILITY_DECIDED and report["group"] == "cards"
    assert report["replayed"] >= 1 and report["processed"] == 0
    assert report["parked_again"] == report["replayed"], "a schema error is still a schema error"
    assert second[0]["replayed"] == report["parked_again"], (
        "only the newly parked entries come back"
    )
    entries = [
        r
        for r in await bus.records(dlt(ELIGIBILITY_DECIDED), key=key)
        if headers_of(r)["dlt_group"] == "cards"
    ]
    assert len(entries) == 3 and headers_of(entries[-1])["dlt_topic"] == ELIGIBILITY_DECIDED


async def test_racing_submits_file_one_application(applicants, bus):
    body = applicant("orphan", deceased_member_number=await applicants.member())
    app = await applicants.create(body)
    await app.upload_all(required_uploads(body))
    answers = await asyncio.gather(*(app.submit() for _ in range(8)))
    assert {r.status_code for r in answers} == {202}
    await app.wait_for("card_issued")
    assert len(await bus.records(APPLICATION_SUBMITTED, key=app.id)) == 1
    assert len(await bus.records(CARD_ISSUED, key=app.id)) == 1


async def test_cards_service_down_mid_flow_loses_nothing(platform, applicants, bus):
    cfg = platform.stack.cfg
    stop_service("cards", cfg, hard=True)
    try:
        app = await applicants.file_complete("independent_worker")
        view = await app.wait_for("eligible")
        assert view["card"] is None
    finally:
        start_services(cfg, platform.ports, names=("cards",))
    await app.wait_for("card_issued")
    assert len(await bus.wait_records(CARD_ISSUED, key=app.id)) == 1
    decided = await bus.records(ELIGIBILITY_DECIDED, key=app.id)
    assert [value_of(r)["outcome"] for r in decided] == ["approved"]
    assert json.loads(decided[0].value)["application_id"] == app.id
