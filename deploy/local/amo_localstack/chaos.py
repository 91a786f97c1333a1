"""`make chaos [N=200]`: N applications filed through the gateway of a temporary platform of its
own (free ports, temporary data) while every service is SIGKILLed once, the broker is SIGKILLed
once and PostgreSQL is frozen for 15 s (SIGSTOP, then SIGCONT). supervisord, not this script,
brings the killed programs back. An independent consumer (no group) counts `card.issued` per
application. Exit status 0 only for exactly N distinct cards, none twice, none missing, and no
dead letter on any `*.dlt` topic.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections import defaultdict

import httpx
import typer
from aiokafka import AIOKafkaConsumer, TopicPartition

from amo_shared.kafka_access import KafkaAccess
from amo_shared.topics import CARD_ISSUED, DLT_SUFFIX

from . import bus as closed_bus
from .citizens import CitizenAccounts
from .config import StackConfig
from .filing import Gateway, Progress, file_one
from .infra import temporary_stack
from .programs import BY_NAME
from .services import start_services
from .supervision import Supervisor

# The order faults come in, each once the filing has gone that much further.
FAULTS = (
    "registration",
    "documents",
    "kafka",
    "eligibility",
    "postgres",
    "cards",
    "gateway",
    "claims",
    "notifications",
)
FREEZE_SECONDS = 15


class CardCounter:
    """An independent consumer of `card.issued`, from the beginning, outside any group."""

    def __init__(self, kafka: KafkaAccess):
        self.consumer = AIOKafkaConsumer(
            CARD_ISSUED,
            **kafka.client_options(),
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.events: dict[str, list[tuple[str, str]]] = defaultdict(list)  # app -> (ce_id, member)

    async def run(self, stop: asyncio.Event) -> None:
        await self.consumer.start()
        try:
            while not stop.is_set():
                for records in (await self.consumer.getmany(timeout_ms=500)).values():
                    for rec in records:
                        headers = {k: (v or b"").decode() for k, v in rec.headers}
                        member = json.loads(rec.value).get("member_number", "")
                        self.events[rec.key.decode()].append((headers.get("ce_id", ""), member))
        finally:
            await self.consumer.stop()


async def dead_letters(kafka: KafkaAccess) -> dict[str, int]:
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        topics = sorted(t for t in await consumer.topics() if t.endswith(DLT_SUFFIX))
        counts = {}
        for topic in topics:
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            ends, starts = (
                await consumer.end_offsets(parts),
                await consumer.beginning_offsets(parts),
            )
            counts[topic] = sum(ends[tp] - starts[tp] for tp in parts)
        return counts
    finally:
        await consumer.stop()


async def _running(sup: Supervisor, name: str, other_than: int | None = None) -> int:
    """The pid of `name` once supervisord has it running (past its start-up seconds)."""
    deadline = time.monotonic() + 180
    while True:
        info = await asyncio.to_thread(sup.info, name)
        if info["statename"] == "RUNNING" and info["pid"] != other_than:
            return int(info["pid"])
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} not running 180 s after a fault")
        await asyncio.sleep(0.2)


def _probe(cfg: StackConfig, name: str) -> bool:
    try:
        BY_NAME[name].probe(cfg)
        return True
    except Exception:  # not ready yet
        return False


async def fault(cfg: StackConfig, sup: Supervisor, name: str, at: str, progress: Progress) -> None:
    pid = await _running(sup, name)
    if name == "postgres":
        os.killpg(pid, signal.SIGSTOP)  # the postmaster and every backend
        await asyncio.sleep(FREEZE_SECONDS)
        os.killpg(pid, signal.SIGCONT)
        progress.faults.append(f"PostgreSQL frozen {FREEZE_SECONDS} s (SIGSTOP, SIGCONT) {at}")
    else:
        os.killpg(pid, signal.SIGKILL)
        t0 = time.monotonic()
        new_pid = await _running(sup, name, other_than=pid)
        while not await asyncio.to_thread(_probe, cfg, name):
            await asyncio.sleep(0.2)
        progress.faults.append(
            f"SIGKILL {name} (pid {pid}) {at}; ready again in "
            f"{time.monotonic() - t0:.1f} s (pid {new_pid}, by supervisord)"
        )
    print("  " + progress.faults[-1], flush=True)


async def inflict(cfg: StackConfig, progress: Progress, n: int, filing: asyncio.Future) -> None:
    """Each fault once the filing has gone that far; a fault does not wait for the previous
    one's recovery."""
    sup, faults = Supervisor(cfg), []
    for i, name in enumerate(FAULTS):
        threshold = (i + 1) * n // (len(FAULTS) + 1)
        while progress.submitted < threshold and not filing.done():
            await asyncio.sleep(0.1)
        at = f"at {progress.submitted}/{n} submitted"
        faults.append(asyncio.create_task(fault(cfg, sup, name, at, progress)))
        await asyncio.sleep(1)  # the kill itself, before the next threshold is looked at
    await asyncio.gather(*faults)


async def campaign(cfg: StackConfig, n: int, concurrency: int, wait_s: float) -> bool:
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the broker's restart is expected
    progress, stop = Progress(), asyncio.Event()
    counter = CardCounter(closed_bus.access(cfg))
    counting = asyncio.create_task(counter.run(stop))
    sem, checklists = asyncio.Semaphore(concurrency), {}
    t0 = time.monotonic()
    async with httpx.AsyncClient(base_url=cfg.service_url("gateway"), timeout=30) as client:
        # Every citizen made and signed in before the faults: PostgreSQL's freeze stops the
        # identity provider too, and a filing's sign-in is not what this drill is about.
        accounts = CitizenAccounts(cfg)
        await asyncio.to_thread(accounts.stock, n, signed_in=True)
        gw = Gateway(client, progress, accounts)

        async def bounded(i: int) -> None:
            async with sem:
                try:
                    await file_one(gw, i, checklists)
                except RuntimeError as e:
                    progress.failures.append(str(e))

        filing = asyncio.create_task(
            asyncio.wait([asyncio.create_task(bounded(i)) for i in range(n)])
        )
        await inflict(cfg, progress, n, filing)
        await filing
        filed_s = time.monotonic() - t0
        print(
            f"filed {progress.submitted} of {n} in {filed_s:.1f} s ({progress.retries} calls "
            f"retried while the platform recovered)",
            flush=True,
        )
        ours, last, seen = set(progress.ids), time.monotonic(), 0
        while time.monotonic() - last < wait_s:
            now_seen = len(ours & set(counter.events))
            if now_seen != seen:
                seen, last = now_seen, time.monotonic()
            if seen >= progress.submitted:
                await asyncio.sleep(10)  # a late second card would show up now
                break
            await asyncio.sleep(0.5)
        stop.set()
        await counting
        missing = sorted(a for a in ours if a not in counter.events)
        for app_id in missing[:20]:
            r = await client.get(
                f"/v1/applications/{app_id}",
                headers=progress.ids[app_id].header(),
            )
            print(
                f"  missing: {app_id} status {r.json().get('status') if r.is_success else r.status_code}"
            )
    cards = {a: ev for a, ev in counter.events.items() if a in ours}
    duplicates = sum(len({ce_id for ce_id, _ in ev}) - 1 for ev in cards.values())
    copies = sum(len(ev) - len({ce_id for ce_id, _ in ev}) for ev in cards.values())
    dlt = await dead_letters(closed_bus.access(cfg))
    print(
        f"cards: {len(cards)} of {n} cards, {duplicates} duplicates, {n - len(cards)} missing "
        f"({copies} redelivered copies of an event already seen; "
        f"last card {time.monotonic() - t0:.1f} s after the first call)"
    )
    print(
        f"dead letters: {sum(dlt.values())} (" + ", ".join(f"{t} {c}" for t, c in dlt.items()) + ")"
    )
    for failure in progress.failures[:10]:
        print(f"  filing failed: {failure}")
    return (
        len(cards) == n
        and duplicates == 0
        and not sum(dlt.values())
        and not progress.failures
        and len(progress.faults) == len(FAULTS)
    )


def main(
    applications: int = typer.Option(200, "--applications", "-n", help="How many to file."),
    concurrency: int = typer.Option(10, help="Applicants filing at the same time."),
    wait: float = typer.Option(180.0, help="Seconds without a new card before giving up."),
) -> None:
    t0 = time.monotonic()
    with temporary_stack("amo-chaos-") as cfg:
        start_services(cfg)
        print(
            f"chaos: {applications} applications, {concurrency} at a time, on a platform of its "
            f"own (up in {time.monotonic() - t0:.1f} s, data {cfg.data_dir})",
            flush=True,
        )
        ok = asyncio.run(campaign(cfg, applications, concurrency, wait))
    print("chaos: PASS" if ok else "chaos: FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    typer.run(main)
