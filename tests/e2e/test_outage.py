"""Faults, whole platform: PostgreSQL (behind FerretDB) stopped while a backlog of submitted
applications is in flight. FerretDB answers `InternalError` meanwhile; the services wait it out:
every application gets its card, once, and nothing is dead-lettered."""

from __future__ import annotations

import asyncio
import time

from amo_localstack.orchestrator import start_programs
from amo_localstack.supervision import Supervisor
from amo_shared.topics import (
    APPLICATION_SUBMITTED,
    CARD_ISSUED,
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
    dlt,
)
from amo_testkit import DOCUMENTS, headers_of, value_of

PIPELINE = (APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED, CARD_ISSUED)
BACKLOG = 24
OUTAGE_SECONDS = 12


async def test_postgresql_stopped_under_a_backlog_every_card_is_issued_and_nothing_dead_lettered(
    platform, applicants, bus
):
    cfg = platform.stack.cfg
    dead_before = {t: len(await bus.read(dlt(t))) for t in PIPELINE}
    categories = list(DOCUMENTS)
    apps = await asyncio.gather(
        *(applicants.file_complete(categories[i % len(categories)]) for i in range(BACKLOG))
    )

    supervisor = Supervisor(cfg)
    await asyncio.to_thread(supervisor.stop, "postgres")
    stopped = time.monotonic()
    cards_at_stop = {(r.key or b"").decode() for r in await bus.read(CARD_ISSUED)}
    in_flight = [a for a in apps if a.id not in cards_at_stop]
    await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    await asyncio.to_thread(start_programs, cfg, ["postgres"])

    assert in_flight, "the outage must catch applications in flight, or it proves nothing"
    for app in apps:
        view = await app.wait_for("card_issued", timeout=180)
        assert view["card"]["member_number"]
    # A relay whose removal write met the outage publishes its event again, same `ce_id`
    # (at least once; consumers absorb it): what must be one is the card and its event.
    cards: dict[str, set[tuple[str, str]]] = {a.id: set() for a in apps}
    for r in await bus.read(CARD_ISSUED):
        if (r.key or b"").decode() not in cards:
            continue  # other tests' records, a poison one among them
        cards[(r.key or b"").decode()].add((headers_of(r)["ce_id"], value_of(r)["member_number"]))
    assert all(len(cards[a.id]) == 1 for a in apps), "one card, one event per application"
    dead_after = {t: len(await bus.read(dlt(t))) for t in PIPELINE}
    assert dead_after == dead_before, "an outage is waited out, never dead-lettered"
