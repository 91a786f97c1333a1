"""Drivers for end-to-end tests: an applicant using the gateway, and an independent Kafka reader.

Imported by test modules (pytest `pythonpath` includes tests/support); fixtures are in conftest."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pikepdf
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from PIL import Image
from pymongo import AsyncMongoClient

# The same real PDF the operators' demo and chaos filings upload.
from amo_localstack.citizens import Citizen, CitizenAccounts
from amo_localstack.filing import pdf_with_text
from amo_shared.checklist import required_documents
from amo_shared.envelope import OutgoingEvent, new_event
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category
from amo_shared.kafka_access import KafkaAccess
from amo_shared.rib import rib_key
from amo_shared.topics import APPLICATION_SUBMITTED


def image_bytes(fmt: str, size: tuple[int, int] = (300, 400)) -> bytes:
    """A real, fully decodable image (a photo of a document, or an identity photo)."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 190, 180)).save(out, format=fmt)
    return out.getvalue()


PDF = pdf_with_text("ROYAUME DU MAROC", "ATTESTATION")
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")

_counter = iter(range(100000, 999999))


def cnie() -> str:
    return f"AB{next(_counter)}"


def rib() -> str:
    """A valid Moroccan RIB (24 digits, key checked), different on every call."""
    first_22 = f"011780{next(_counter):016d}"
    return first_22 + rib_key(first_22)


def applicant(category: str, **overrides) -> dict:
    """A plausible applicant of `category`, with the facts its rules need."""
    today = date.today()
    body = {
        "cnie": cnie(),
        "cnie_expiry": str(today + timedelta(days=5 * 365)),
        "rib": rib(),
        "first_name": "Amina",
        "last_name": "Alaoui",
        # Another birth date each time: two applicants with the same names and birth date under
        # different CNIEs are likely duplicates, which go to the operators' review queue.
        "birth_date": str(date(1975, 1, 1) + timedelta(days=next(_counter) % 7000)),
        "nationality": "MA",
        "category": category,
        "email": "amina@example.ma",
        "phone": "+212612345678",
    }
    extra = {
        "public_employee": {
            "employer": "Ministère de la Santé",
            "recruitment_date": str(today - timedelta(days=400)),
        },
        "independent_worker": {},
        "liberal_profession": {},
        "retiree": {
            "pension_fund": "CMR",
            "pension_number": "P123456",
            "birth_date": str(date(1950, 1, 1) + timedelta(days=next(_counter) % 3000)),
            "retirement_date": str(today - timedelta(days=30)),
        },
        # Survivors also need `deceased_member_number` (`Applicants.member()` makes one).
        "widow": {"member_death_date": str(today - timedelta(days=200)), "survivor_pension": True},
        # Old enough to file with a CNIE of their own; see `orphan_by_guardian` for a child.
        "orphan": {
            "member_death_date": str(today - timedelta(days=200)),
            "survivor_pension": True,
            "birth_date": str(today - timedelta(days=365 * 17 + 30 + next(_counter) % 300)),
        },
    }[category]
    return {**body, **extra, **overrides}


SURVIVORS = ("widow", "orphan")


def orphan_by_guardian(age: int = 10, **overrides) -> dict:
    """An orphan under 16: no CNIE of their own, the guardian files."""
    today = date.today()
    guardian = {
        "cnie": cnie(),
        "first_name": "Samira",
        "last_name": "Alaoui",
        "relationship": "aunt",
    }
    return applicant(
        "orphan",
        cnie=None,
        cnie_expiry=None,
        first_name="Yasmine",
        birth_date=str(today - timedelta(days=365 * age + 40)),
        guardian=guardian,
        **overrides,
    )


def required_uploads(body: dict) -> list[tuple[str, int | None]]:
    """What the checklist in force today asks of this applicant: (kind, dependant index)."""
    facts = ApplicantFacts.model_validate(
        {k: v for k, v in body.items() if k not in ("email", "phone", "language", "rib")}
    )
    return [(d.kind.value, d.dependant) for d in required_documents(facts, date.today())]


# The documents each category needs (the checklist); the tests upload exactly these.
_EVERY_MEMBER = ["photo", "rib"]
DOCUMENTS = {
    "public_employee": ["cnie", "work_certificate", *_EVERY_MEMBER],
    "independent_worker": ["cnie", "professional_registration", *_EVERY_MEMBER],
    "liberal_profession": ["cnie", "professional_registration", *_EVERY_MEMBER],
    "retiree": ["cnie", "retirement_certificate", *_EVERY_MEMBER],
    "widow": ["cnie", "death_certificate", "survivor_pension", *_EVERY_MEMBER],
    "orphan": ["cnie", "death_certificate", "survivor_pension", *_EVERY_MEMBER],
}
# What is uploaded for a kind: an identity photo is an image, everything else a PDF.
CONTENT = {"photo": (JPEG, "photo.jpg")}


def content_for(kind: str) -> tuple[bytes, str]:
    return CONTENT.get(kind, (PDF, "scan.pdf"))


@dataclass
class Application:
    """An application as its citizen sees it: every call signed in as the account that filed it."""

    id: str
    citizen: Citizen
    client: httpx.AsyncClient

    @property
    def token(self) -> str:
        return self.citizen.token

    @property
    def auth(self) -> dict[str, str]:
        return self.citizen.header()

    async def upload(
        self,
        kind: str,
        content: bytes = PDF,
        dependant: int | None = None,
        filename: str = "scan.pdf",
    ) -> httpx.Response:
        params = {"dependant": dependant} if dependant is not None else None
        return await self.client.put(
            f"/v1/applications/{self.id}/documents/{kind}",
            files={"file": (filename, content)},
            params=params,
            headers=self.auth,
        )

    async def submit(self) -> httpx.Response:
        return await self.client.post(f"/v1/applications/{self.id}/submit", headers=self.auth)

    async def card(self) -> dict:
        r = await self.client.get(f"/v1/applications/{self.id}/card", headers=self.auth)
        assert r.status_code == 200, r.text
        return r.json()

    async def upload_all(self, uploads: list[tuple[str, int | None]]) -> None:
        for kind, dependant in uploads:
            content, filename = content_for(kind)
            r = await self.upload(kind, content, dependant=dependant, filename=filename)
            assert r.status_code == 201, (kind, dependant, r.text)

    async def view(self) -> dict:
        r = await self.client.get(f"/v1/applications/{self.id}", headers=self.auth)
        assert r.status_code == 200, r.text
        return r.json()

    async def wait_for(self, *statuses: str, timeout: float = 90.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            view = await self.view()
            if view["status"] in statuses:
                return view
            if time.monotonic() > deadline:
                raise AssertionError(f"application stuck in {view['status']}: {view}")
            await asyncio.sleep(0.25)


@dataclass
class Applicants:
    """Citizens filing through the gateway, each application from an account of its own unless
    a `citizen` is given (a guardian filing for several orphans)."""

    client: httpx.AsyncClient
    accounts: CitizenAccounts

    async def citizen(self) -> Citizen:
        return await asyncio.to_thread(self.accounts.new)

    async def create(self, body: dict, citizen: Citizen | None = None) -> Application:
        citizen = citizen or await self.citizen()
        auth = await asyncio.to_thread(citizen.header)
        r = await self.client.post("/v1/applications", json=body, headers=auth)
        assert r.status_code == 201, r.text
        data = r.json()
        assert data["status"] == "draft"
        return Application(data["id"], citizen, self.client)

    async def file_complete(self, category: str, **overrides) -> Application:
        if category in SURVIVORS and "deceased_member_number" not in overrides:
            overrides["deceased_member_number"] = await self.member()
        app = await self.create(applicant(category, **overrides))
        for kind in DOCUMENTS[category]:
            content, filename = content_for(kind)
            r = await app.upload(kind, content, filename=filename)
            assert r.status_code == 201, r.text
        r = await app.submit()
        assert r.status_code == 202, r.text
        return app

    async def file(self, body: dict) -> Application:
        """Create `body`, upload what the checklist asks of it, submit."""
        app = await self.create(body)
        await app.upload_all(required_uploads(body))
        r = await app.submit()
        assert r.status_code == 202, r.text
        return app

    async def member(self, fresh: bool = False) -> str:
        """The member number of a public employee driven to a card (one per gateway and
        session unless `fresh`): the deceased member a survivor's application names."""
        base = str(self.client.base_url)
        if fresh or base not in _MEMBERS:
            app = await self.file_complete("public_employee", first_name="Driss")
            view = await app.wait_for("card_issued", "ineligible", "incomplete")
            assert view["status"] == "card_issued", view
            _MEMBERS[base] = view["card"]["member_number"]
        return _MEMBERS[base]


# Members made by `Applicants.member()`, by gateway URL (a session has one platform).
_MEMBERS: dict[str, str] = {}


async def eventually(check, what: str, timeout: float = 60.0):
    """Poll `check()` until it returns something truthy; the timeout only ends a hung test."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.2)


class Bus:
    """What an operator does with Kafka: publish, read a topic through, watch and reset a group."""

    def __init__(self, access: KafkaAccess):
        self.access = access
        self.options = access.client_options()
        self.producer = AIOKafkaProducer(**self.options, enable_idempotence=True)

    async def publish(self, event: OutgoingEvent):
        return await self.publish_raw(
            event.topic, event.payload.encode(), event.key, event.headers()
        )

    async def publish_raw(self, topic: str, value: bytes, key: str, headers: dict[str, str]):
        return await self.producer.send_and_wait(
            topic, value, key=key.encode(), headers=[(k, v.encode()) for k, v in headers.items()]
        )

    async def read(self, topic: str) -> list:
        """Every record of `topic` up to its current end, outside any consumer group."""
        consumer = AIOKafkaConsumer(**self.options, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            if not parts:
                parts = [TopicPartition(topic, p) for p in await self._partitions(consumer, topic)]
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            ends = await consumer.end_offsets(parts)
            records = []
            while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    records.extend(batch)
            return records
        finally:
            await consumer.stop()

    @staticmethod
    async def _partitions(consumer, topic):
        await consumer._client.force_metadata_update()
        return consumer.partitions_for_topic(topic) or ()

    async def committed(self, group: str, tp: TopicPartition) -> int:
        admin = AIOKafkaAdminClient(**self.options)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(group, partitions=[tp])
        finally:
            await admin.close()
        meta = offsets.get(tp)
        return meta.offset if meta else -1

    async def wait_consumed(self, group: str, sent) -> None:
        """Until `group` has committed past the record `send_and_wait` returned as `sent`."""
        tp = TopicPartition(sent.topic, sent.partition)

        async def past():
            return await self.committed(group, tp) > sent.offset

        await eventually(past, f"{group} consumed {sent.topic}@{sent.partition}:{sent.offset}")

    async def rewind(self, group: str, topic: str) -> None:
        """Reset `group`'s committed offsets on `topic` to the beginning (the group must be idle)."""
        consumer = AIOKafkaConsumer(**self.options, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = [TopicPartition(topic, p) for p in await self._partitions(consumer, topic)]
            consumer.assign(parts)
            starts = await consumer.beginning_offsets(parts)
            await consumer.commit({tp: starts[tp] for tp in parts})
        finally:
            await consumer.stop()

    async def records(self, topic: str, *, key: str | None = None) -> list:
        """The records of `topic` (with `key`, when given), outside any consumer group."""
        return [r for r in await self.read(topic) if key is None or (r.key or b"").decode() == key]

    async def wait_records(self, topic: str, key: str, count: int = 1, timeout: float = 60) -> list:
        """Records of `topic` with `key` once there are at least `count` (or at the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            recs = await self.records(topic, key=key)
            if len(recs) >= count or time.monotonic() > deadline:
                return recs
            await asyncio.sleep(0.5)

    async def wait_caught_up(self, group: str, topic: str, timeout: float = 90) -> None:
        """Until `group` has committed every partition of `topic` up to its current end."""
        consumer = AIOKafkaConsumer(**self.options)
        await consumer.start()
        try:
            parts = [TopicPartition(topic, p) for p in await self._partitions(consumer, topic)]
            ends = await consumer.end_offsets(parts)
        finally:
            await consumer.stop()

        async def caught_up():
            return all([await self.committed(group, tp) >= ends[tp] for tp in parts if ends[tp]])

        await eventually(caught_up, f"{group} caught up on {topic}", timeout)


def headers_of(record) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


def value_of(record) -> dict:
    return json.loads(record.value)


def new_id() -> str:
    return str(uuid.uuid4())


def submitted_event(app_id: str, topic: str = APPLICATION_SUBMITTED) -> OutgoingEvent:
    """A valid `application.submitted` event (a retiree, no personal data of anyone real)."""
    facts = ApplicantFacts(
        first_name="A",
        last_name="B",
        birth_date=date(1990, 1, 1),
        nationality="MA",
        category=Category.RETIREE,
    )
    payload = ApplicationSubmitted(
        application_id=app_id, submitted_at=datetime.now(UTC), applicant=facts
    )
    return new_event(topic, payload, source="tests", key=app_id)


@asynccontextmanager
async def scratch_database(stack, *collections: str) -> AsyncIterator:
    """A database of the test's own on the stack's Mongo-wire server, with `collections` under
    the version guard like every service's; dropped afterwards."""
    client: AsyncMongoClient = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    database = client[f"amo_test_{uuid.uuid4().hex[:8]}"]
    for name in collections:
        await database.create_collection(name)
    await stack.harden()
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()


def pdf_carrying(data: bytes) -> bytes:
    """A real, valid PDF (a text layer included) that carries `data` in a stream of its own: a
    distinct file of about the size wanted, for tests that need many different documents."""
    pdf = pikepdf.open(io.BytesIO(PDF))
    pdf.Root.AmoSample = pdf.make_stream(data)
    out = io.BytesIO()
    # The trailer's /ID from the content, not the clock: the same `data` makes the same bytes,
    # so a test may compare what was stored with a second call.
    pdf.save(out, compress_streams=False, deterministic_id=True)
    return out.getvalue()
