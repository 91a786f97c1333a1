"""The composition of one service process: Mongo, an idempotent Kafka broker, the outbox relay,
and a FastAPI app with `/health`; each service's `app.py` adds its handlers and routes."""

from __future__ import annotations

import asyncio
import sys

from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.errors import CollectionInvalid
from pymongo.asynchronous.database import AsyncDatabase

from amo_shared.aggregates import AggregateStore
from amo_shared.envelope import OutgoingEvent
from amo_shared.logging import configure_logging
from amo_shared.outbox import OutboxRelay
from amo_shared.replay import replay_dead_letters
from amo_shared.settings import ServiceSettings
from amo_shared.subscriptions import Route, Subscription, subscribe


def make_broker(settings: ServiceSettings, client_id: str) -> KafkaBroker:
    # Idempotent producer (acks=all): a retried send is never written twice.
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        logger=None,
    )


@dataclass
class Runtime:
    """What handlers and routes of one service share during the process's life."""

    name: str
    settings: ServiceSettings
    broker: KafkaBroker
    mongo: AsyncMongoClient
    db: AsyncDatabase
    relay: OutboxRelay | None = None
    stores: dict[str, AggregateStore] = field(default_factory=dict)
    subscriptions: list[Subscription] = field(default_factory=list)
    # Dependencies beyond Mongo and Kafka that `/readyz` must see answering (e.g. "s3").
    readiness: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)

    def subscribe(self, routes: list[Route]) -> None:
        """Put `routes` under the delivery policy in this service's consumer group."""
        self.subscriptions += subscribe(self.broker, routes, group=self.name, db=self.db,
                                        attempts=self.settings.message_attempts)

    def store(self, collection: str) -> AggregateStore:
        """The aggregate store of `collection`, whose new events wake the relay."""
        if collection not in self.stores:
            self.stores[collection] = AggregateStore(self.db[collection], on_events=self._wake)
        return self.stores[collection]

    def _wake(self) -> None:
        if self.relay:
            self.relay.wake()

    async def publish(self, event: OutgoingEvent) -> None:
        await self.broker.publish(
            event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
        )


Setup = Callable[[Runtime], Awaitable[None]]


def create_runtime(name: str, settings: ServiceSettings) -> Runtime:
    configure_logging(name, settings.log_level, settings.log_json)
    mongo = AsyncMongoClient(settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000)
    return Runtime(name=name, settings=settings, broker=make_broker(settings, name), mongo=mongo,
                   db=mongo[settings.mongo_database])


def service_app(runtime: Runtime, setup: Setup, *, title: str, aggregates: list[str]) -> FastAPI:
    """A FastAPI app whose lifespan creates collections, starts the broker and the relay.

    `setup` registers subscribers and creates indexes; it runs before the broker starts.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await prepare_schema(runtime, setup, aggregates)
        await runtime.broker.start()
        runtime.relay = OutboxRelay([runtime.db[c] for c in aggregates], runtime.publish,
                                    runtime.settings.outbox_poll_seconds)
        runtime.relay.start()
        app.state.ready = True
        try:
            yield
        finally:
            await runtime.relay.stop()
            await runtime.broker.stop()
            await runtime.mongo.close()

    app = FastAPI(title=title, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.schema = lambda: prepare_schema(runtime, setup, aggregates)
    app.state.ready = False

    @app.post("/operations/dead-letters/replay", tags=["operations"])
    async def replay() -> list[dict]:
        """Replay this service's own dead letters (internal: operators, after a fix)."""
        return [vars(await replay_dead_letters(runtime.broker, runtime.settings.kafka_bootstrap_servers, sub))
                for sub in runtime.subscriptions]

    @app.get("/health", tags=["operations"])
    async def health() -> JSONResponse:
        try:
            await runtime.db.command("ping")
            ok = app.state.ready
        except Exception:  # noqa: BLE001 - health reports, it does not raise
            ok = False
        return JSONResponse({"service": runtime.name, "status": "ok" if ok else "unavailable"},
                            status_code=200 if ok else 503)

    return app


async def prepare_schema(runtime: Runtime, setup: Setup, aggregates: list[str]) -> None:
    """Collections, indexes and subscribers: everything a service declares before it writes."""
    await ensure_collections(runtime.db, aggregates)
    for name in aggregates:
        await runtime.store(name).ensure_indexes()
    await setup(runtime)


def serve(app: FastAPI, settings: ServiceSettings, argv: list[str] | None = None) -> None:
    """`python -m amo_<service>` serves; `... prepare` only creates the service's collections and
    indexes and exits, so the local stack can install its version guard before anyone writes."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["prepare"]:
        asyncio.run(_prepare(app))
        return
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None)


async def _prepare(app: FastAPI) -> None:
    runtime: Runtime = app.state.runtime
    try:
        await app.state.schema()
    finally:
        await runtime.mongo.close()


async def ensure_collections(db: AsyncDatabase, names: list[str]) -> None:
    """Create collections up front: the local stack's hardening step finds them by their tables."""
    existing = set(await db.list_collection_names())
    for name in [*names, "processed_events"]:
        if name not in existing:
            try:
                await db.create_collection(name)
            except CollectionInvalid:
                pass  # another replica created it first
