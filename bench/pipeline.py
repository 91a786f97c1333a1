"""Applicants through the whole platform: time from submit to card, throughput, and the resident
memory of the stack and the services. Starts its own stack and services (temporary data, free
ports). Usage: python bench/pipeline.py [--applicants 60] [--concurrency 12]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from amo_localstack.citizens import CitizenAccounts
from amo_localstack.harden import harden_mongo
from amo_localstack.infra import stack_rss_mb, temporary_stack
from amo_localstack.procs import rss_bytes
from amo_localstack.services import ServicePorts, service_pids, start_services
from amo_testkit import Applicants

CATEGORIES = [
    "public_employee",
    "independent_worker",
    "liberal_profession",
    "retiree",
    "widow",
    "orphan",
]


async def one(applicants: Applicants, category: str) -> float:
    app = await applicants.file_complete(category)
    t0 = time.perf_counter()
    view = await app.wait_for("card_issued", "ineligible", "incomplete", timeout=300)
    assert view["status"] == "card_issued", view
    return time.perf_counter() - t0


async def drive(gateway: str, n: int, concurrency: int, accounts: CitizenAccounts) -> list[float]:
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        applicants = Applicants(client, accounts)

        async def bounded(i: int) -> float:
            async with sem:
                return await one(applicants, CATEGORIES[i % len(CATEGORIES)])

        return await asyncio.gather(*(bounded(i) for i in range(n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=12)
    args = parser.parse_args()
    ports = ServicePorts.free()
    t0 = time.perf_counter()
    with temporary_stack("amo-bench-") as cfg:
        run(cfg, ports, args, t0)


def run(cfg, ports: ServicePorts, args, t0: float) -> None:
    start_services(cfg, ports)
    harden_mongo(cfg, verbose=False)
    print(f"stack and services up in {time.perf_counter() - t0:.1f} s")
    # Each application from a citizen's account of its own, all made before the clock starts.
    accounts = CitizenAccounts(cfg)
    accounts.stock(args.applicants + 1)
    t0 = time.perf_counter()
    asyncio.run(drive(ports.url("gateway"), 1, 1, accounts))
    print(f"first applicant to card (cold consumers): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    latencies = sorted(
        asyncio.run(drive(ports.url("gateway"), args.applicants, args.concurrency, accounts))
    )
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=20)
    print(
        f"{args.applicants} applicants, {args.concurrency} at a time: {wall:.1f} s, "
        f"{args.applicants / wall:.2f} cards/s"
    )
    print(
        f"submit -> card: p50 {statistics.median(latencies):.2f} s, p95 {q[18]:.2f} s, "
        f"max {latencies[-1]:.2f} s"
    )
    infra = stack_rss_mb(cfg)
    services = sum(rss_bytes(pid) for pid in service_pids(cfg).values()) / 2**20
    print(
        f"resident memory: infrastructure {infra:.0f} MB + services {services:.0f} MB "
        f"= {infra + services:.0f} MB (target < 2048 MB: ratio {(infra + services) / 2048:.2f})"
    )


if __name__ == "__main__":
    main()
