"""`make demo`: one applicant, through the public gateway, from registration to a card; then the
`card.issued` event as an independent consumer (a hospital system) reads it off Kafka."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from datetime import date, timedelta

import httpx
from aiokafka import AIOKafkaConsumer

from amo_localstack import bus as closed_bus
from amo_localstack.citizens import Citizen, CitizenAccounts
from amo_localstack.config import StackConfig
from amo_localstack.filing import content_for, member_documents, rib
from amo_localstack.mailpit import ui_url
from amo_localstack.services import ServicePorts
from amo_shared.kafka_access import KafkaAccess
from amo_shared.topics import CARD_ISSUED

# Where the story ends for the demo (in_review: an operator must look first).
FINAL = ("card_issued", "ineligible", "incomplete", "in_review")


async def drive(gateway: str, citizen: Citizen) -> dict:
    n = random.randint(100000, 999999)
    # A new person each run: the same names and birth date under another CNIE would be a
    # likely duplicate, which waits for an operator.
    body = {
        "cnie": f"BE{n}",
        "cnie_expiry": str(date.today() + timedelta(days=5 * 365)),
        "rib": rib(n),
        "first_name": "Youssef",
        "last_name": "Benali",
        "birth_date": str(date(1970, 1, 1) + timedelta(days=n % 9000)),
        "nationality": "MA",
        "category": "public_employee",
        "employer": "Ministère de l'Éducation nationale",
        "recruitment_date": str(date.today() - timedelta(days=30)),
        "email": "youssef.benali@example.ma",
        "phone": "+212661234567",
        "dependants": [
            {
                "relationship": "child",
                "first_name": "Sara",
                "last_name": "Benali",
                "birth_date": "2016-09-01",
            }
        ],
    }
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        # Signed in as the citizen (amo-cli's password grant; the portal uses code + PKCE).
        auth = citizen.header()
        r = await client.post("/v1/applications", json=body, headers=auth)
        r.raise_for_status()
        app = r.json()
        print(f"1. application {app['id']} created ({app['status']}) by {citizen.username}")
        checklist = await client.get(
            "/v1/checklist", params={"category": "public_employee", "dependants": "child"}
        )
        checklist.raise_for_status()
        for doc in member_documents(checklist.json()["documents"]):
            kind, dep = doc["kind"], doc.get("dependant")
            r = await client.put(
                f"/v1/applications/{app['id']}/documents/{kind}",
                headers=auth,
                params={"dependant": dep} if dep is not None else None,
                files={"file": content_for(kind)},
            )
            r.raise_for_status()
            print(
                f"2. uploaded {kind}: {r.json()['content_type']}, sha256 {r.json()['sha256'][:12]}…"
            )
        (await client.post(f"/v1/applications/{app['id']}/submit", headers=auth)).raise_for_status()
        print("3. submitted; following the status:")
        seen, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline:
            view = (await client.get(f"/v1/applications/{app['id']}", headers=auth)).json()
            if view["status"] != seen:
                seen = view["status"]
                print(f"   - {seen}")
            if seen in FINAL:
                return view
            await asyncio.sleep(0.3)
    raise SystemExit("the application did not reach a final status within 120 s")


async def read_card(kafka: KafkaAccess, application_id: str) -> None:
    consumer = AIOKafkaConsumer(
        CARD_ISSUED,
        **kafka.client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for rec in records:
                    if rec.key.decode() == application_id:
                        print(
                            f"\n4. {CARD_ISSUED} (partition {rec.partition}, offset {rec.offset})"
                        )
                        for k, v in rec.headers:
                            print(f"   {k}: {v.decode()}")
                        print(json.dumps(json.loads(rec.value), indent=2, ensure_ascii=False))
                        return
        raise SystemExit("card.issued not seen on Kafka")
    finally:
        await consumer.stop()


def main() -> None:
    cfg, ports = StackConfig.from_env(), ServicePorts.from_env()
    try:
        citizen = CitizenAccounts(cfg, batch=1).new()
        view = asyncio.run(drive(ports.url("gateway"), citizen))
    except httpx.ConnectError:
        sys.exit(f"no platform at {ports.url('gateway')}: start it with `make run`")
    if view["status"] != "card_issued":
        sys.exit(f"ended {view['status']}: {view.get('reasons')}")
    print(f"   member number {view['card']['member_number']}")
    asyncio.run(read_card(closed_bus.access(cfg), view["id"]))
    print(
        f"\n5. the messages sent to the applicant: {ui_url(cfg)} (Mailpit), SMS in {cfg.sms_outbox}"
    )


if __name__ == "__main__":
    main()
