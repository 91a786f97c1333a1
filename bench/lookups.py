"""Lookups by key on the local Mongo-wire server, at growing collection sizes.

Starts its own stack (temporary data dir, free ports), loads an `applications`-shaped
collection in steps, and measures find-by-_id, find-by-indexed-field and CAS update rates,
before and after the stack's hardening step. Prints figures and the ratio to the smallest size.
Usage: python bench/lookups.py [--sizes 10000,1000000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from pymongo import AsyncMongoClient

from amo_localstack.config import StackConfig
from amo_localstack.harden import harden_mongo
from amo_localstack.infra import temporary_stack


def doc(i: int) -> dict:
    return {
        "_id": f"app-{i:08d}",
        "_v": 0,
        "status": "submitted",
        "member_number": f"M{i:012d}",
        "outbox": [],
        "outbox_pending": False,
        "applicant": {"first_name": "Amina", "last_name": f"Name{i}", "category": "retiree"},
    }


async def rate(op, n_keys: int, seconds: float) -> float:
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        await op(random.randrange(n_keys))
        done += 1
    return done / seconds


async def measure(col, n: int, seconds: float) -> dict[str, float]:
    async def by_id(i):
        assert await col.find_one({"_id": f"app-{i:08d}"}) is not None

    async def by_field(i):
        assert await col.find_one({"member_number": f"M{i:012d}"}) is not None

    async def cas(i):
        d = await col.find_one({"_id": f"app-{i:08d}"})
        await col.update_one(
            {"_id": d["_id"], "_v": d["_v"]}, {"$set": {"status": "eligible"}, "$inc": {"_v": 1}}
        )

    return {
        "find_by_id/s": await rate(by_id, n, seconds),
        "find_by_member_number/s": await rate(by_field, n, seconds),
        "cas_update/s": await rate(cas, n, seconds),
    }


async def run(cfg: StackConfig, sizes: list[int], seconds: float) -> None:
    client = AsyncMongoClient(cfg.mongo_url)
    col = client["amo_bench"]["applications"]
    await col.drop()
    await client["amo_bench"].create_collection("applications")
    await col.create_index("member_number", unique=True)
    loaded, results = 0, {}
    for n in sizes:
        t0 = time.perf_counter()
        for start in range(loaded, n, 5000):
            await col.insert_many(
                [doc(i) for i in range(start, min(n, start + 5000))], ordered=False
            )
        loaded = n
        print(f"loaded {n:>9,} documents in {time.perf_counter() - t0:6.1f} s")
        if n == sizes[0]:
            raw = await measure(col, n, seconds)
            print(f"  without the hardening step: {fmt(raw)}")
        await asyncio.to_thread(harden_mongo, cfg, verbose=False)
        await client["amo_bench"].command("ping")
        results[n] = await measure(col, n, seconds)
        print(f"  hardened:                   {fmt(results[n])}")
    base = results[sizes[0]]
    print("\nratio to the smallest size (1.00 = flat):")
    for n, r in results.items():
        print(f"  {n:>9,}: " + ", ".join(f"{k} {r[k] / base[k]:.2f}" for k in r))
    await client.close()


def fmt(r: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:,.0f}" for k, v in r.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with temporary_stack("amo-bench-") as cfg:
        asyncio.run(run(cfg, sizes, args.seconds))


if __name__ == "__main__":
    main()
