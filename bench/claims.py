"""Claims through the whole platform: facilities bill directly through the gateway (the quickest
path: no attachments), the claims service adjudicates from Kafka; time from submit to the
claim.adjudicated event, throughput, next to the pure calculator (`adjudicate` in a loop, same
machine, same run) and the ratio. Starts its own stack and services (temporary data, free ports).
Usage: python bench/claims.py [--members 8] [--claims 200] [--concurrency 16] [--loops 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from amo_claimkit import Facility, inpe, line, member_with_card

from amo_claims.domain import Claim, Coverage, adjudicate
from amo_claims.reference_files import load_reference
from amo_localstack import bus as closed_bus
from amo_localstack import identity
from amo_localstack.citizens import CitizenAccounts
from amo_localstack.harden import harden_mongo
from amo_localstack.infra import temporary_stack
from amo_localstack.services import ServicePorts, start_services
from amo_shared.kafka_access import KafkaAccess
from amo_shared.topics import CLAIM_ADJUDICATED
from amo_testkit import Applicants

HOSPITAL = "FAC-000101"  # a public hospital: direct billing from 200 DH


class Adjudicated:
    """claim.adjudicated read from the topic's end: when each claim id was first decided."""

    def __init__(self, kafka: KafkaAccess):
        self.consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
        self.seen: dict[str, float] = {}
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        await self.consumer.start()
        await self.consumer._client.force_metadata_update()
        parts = [
            TopicPartition(CLAIM_ADJUDICATED, p)
            for p in self.consumer.partitions_for_topic(CLAIM_ADJUDICATED) or ()
        ]
        self.consumer.assign(parts)
        await self.consumer.seek_to_end(*parts)
        for tp in parts:
            await self.consumer.position(tp)  # resolve the end now, before anything is filed
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for record in self.consumer:
            self.seen.setdefault(json.loads(record.value)["claim_id"], time.perf_counter())

    async def wait(self, ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.seen.keys():
            if time.monotonic() > deadline:
                raise SystemExit(f"{len(ids - self.seen.keys())} claims never adjudicated")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
        await self.consumer.stop()


async def members(gateway: str, claims_url: str, n: int, accounts: CitizenAccounts) -> list[str]:
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        applicants = Applicants(client, accounts)
        sem = asyncio.Semaphore(8)
        categories = ("public_employee", "independent_worker")

        async def one(i: int) -> str:
            async with sem:
                return (await member_with_card(applicants, claims_url, categories[i % 2])).number

        return await asyncio.gather(*(one(i) for i in range(n)))


async def file_claims(
    gateway: str, kafka: KafkaAccess, token: str, numbers: list[str], m: int, concurrency: int
) -> tuple[float, list[float]]:
    reader = Adjudicated(kafka)
    await reader.start()
    sem = asyncio.Semaphore(concurrency)
    sent: dict[str, float] = {}
    try:
        async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
            hospital = Facility(HOSPITAL, {"Authorization": f"Bearer {token}"}, client)

            async def one(i: int) -> None:
                async with sem:
                    t0 = time.perf_counter()
                    r = await hospital.bill(
                        numbers[i % len(numbers)], [line("CS", "300.00")], prescriber=inpe()
                    )
                    if r.status_code != 202:
                        raise SystemExit(f"filing answered {r.status_code}: {r.text[:300]}")
                    sent[r.json()["id"]] = t0

            start = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(m)))
            await reader.wait(set(sent), timeout=600)
    finally:
        await reader.stop()
    wall = max(reader.seen[i] for i in sent) - start
    return wall, sorted(reader.seen[i] - t0 for i, t0 in sent.items())


def calculator_rate(loops: int) -> float:
    """The pure calculator on the same kind of claim: reference, coverage, history in memory."""
    reference = load_reference()
    today = dt.date.today()
    coverage = Coverage(
        member_number="M1",
        scheme="CNOPS",
        status="active",
        valid_from=today - dt.timedelta(days=365),
        beneficiaries=[{"rank": 0}],
    )
    claims = [
        Claim(
            member_number="M1",
            beneficiary_rank=0,
            provider_id=f"{100000000 + i}",
            facility_kind="public",
            facility_id=HOSPITAL,
            filed_by="facility",
            filed_on=today,
            lines=[{"act_code": "CS", "date": today, "billed": "300.00"}],
        )
        for i in range(100)
    ]
    t0 = time.perf_counter()
    for i in range(loops):
        adjudicate(claims[i % 100], reference, coverage, set(), today, approvals={})
    return loops / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--loops", type=int, default=5000)
    args = parser.parse_args()
    ports = ServicePorts.free()
    t0 = time.perf_counter()
    with temporary_stack("amo-bench-claims-") as cfg:
        start_services(cfg, ports)
        harden_mongo(cfg, verbose=False)
        print(f"stack and services up in {time.perf_counter() - t0:.1f} s")
        gateway, claims_url = ports.url("gateway"), ports.url("claims")
        t0 = time.perf_counter()
        numbers = asyncio.run(members(gateway, claims_url, args.members, CitizenAccounts(cfg)))
        print(f"{args.members} members with cards in {time.perf_counter() - t0:.1f} s")
        # The hospital bills as a client of the identity provider whose tokens name it.
        made = identity.ensure_hospital(cfg, "Bench hospital", facility=HOSPITAL)
        assert made.secret is not None
        token = identity.hospital_token(cfg, made.client_id, made.secret)["access_token"]
        kafka = closed_bus.access(cfg)
        asyncio.run(file_claims(gateway, kafka, token, numbers, 4, 4))  # warm consumers
        wall, latencies = asyncio.run(
            file_claims(gateway, kafka, token, numbers, args.claims, args.concurrency)
        )
    q = statistics.quantiles(latencies, n=20)
    service = args.claims / wall
    print(
        f"{args.claims} claims, {args.concurrency} at a time: {wall:.1f} s, "
        f"{service:.1f} claims adjudicated/s end to end"
    )
    print(
        f"submit -> claim.adjudicated: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {q[18] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    pure = calculator_rate(args.loops)
    print(
        f"pure calculator: {pure:.0f} adjudications/s (one process, in memory); "
        f"end to end is {service / pure:.4f} of it (1 : {pure / service:.0f})"
    )


if __name__ == "__main__":
    main()
