"""The composition of one service process: Mongo, an idempotent Kafka broker, the outbox relay,
and a FastAPI app with the operations endpoints (`/livez`, `/readyz`, `/health`, `/metrics`),
traces and JSON logs; each service's `app.py` adds its handlers and routes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.errors import CollectionInvalid

from amo_shared.aggregates import AggregateStore
from amo_shared.apidocs import api_docs
from amo_shared.bodylimit import BodyLimit
from amo_shared.delivery_api import delivery_router
from amo_shared.envelope import OutgoingEvent
from amo_shared.limits import BODY_MAX_BYTES
from amo_shared.logging import broker_logger, configure_logging
from amo_shared.operations import kafka_check, mongo_check, operations_router
from amo_shared.outbox import PARKED_OUTBOX, OutboxRelay
from amo_shared.records import Database, Document
from amo_shared.settings import ServiceSettings
from amo_shared.subscriptions import Route, Subscription, subscribe
from amo_shared.telemetry import (
    broker_middlewares,
    configure_tracing,
    continued,
    flush,
    instrument_app,
)
from amo_shared.topics import CONSUMES


def make_broker(settings: ServiceSettings, client_id: str) -> KafkaBroker:
    # Idempotent producer (acks=all): a retried send is never written twice. Spans and metrics
    # for every message; FastStream's log lines go through the redacting JSON handler.
    access = settings.kafka_access()
    return KafkaBroker(
        access.bootstrap,
        security=access.security(),
        client_id=client_id,
        enable_idempotence=True,
        logger=broker_logger(),
        middlewares=broker_middlewares(client_id),
    )


@dataclass
class Runtime:
    """What handlers and routes of one service share during the process's life."""

    name: str
    settings: ServiceSettings
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document]
    db: Database
    relay: OutboxRelay | None = None
    stores: dict[str, AggregateStore] = field(default_factory=dict)
    subscriptions: list[Subscription] = field(default_factory=list)
    # Dependencies beyond Mongo and Kafka that `/readyz` must see answering (e.g. "s3").
    readiness: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)

    def subscribe(self, routes: list[Route]) -> None:
        """Put `routes` under the delivery policy in this service's consumer group."""
        unlisted = [r.topic for r in routes if r.topic not in CONSUMES.get(self.name, ())]
        if unlisted:
            # The broker's ACLs are made from the map: such a subscription could never read.
            raise ValueError(f"{self.name} consumes {unlisted}, not in amo_shared.topics.CONSUMES")
        self.subscriptions += subscribe(
            self.broker,
            routes,
            group=self.name,
            db=self.db,
            attempts=self.settings.message_attempts,
        )

    def store(self, collection: str) -> AggregateStore:
        """The aggregate store of `collection`, whose new events wake the relay."""
        if collection not in self.stores:
            self.stores[collection] = AggregateStore(self.db[collection], on_events=self._wake)
        return self.stores[collection]

    def _wake(self) -> None:
        if self.relay:
            self.relay.wake()

    async def publish(self, event: OutgoingEvent) -> None:
        # Under the context stored with the event, so the producer span is the child of the
        # request or consumer span that caused it, and the record's `traceparent` continues it.
        with continued(event.traceparent):
            await self.broker.publish(
                event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
            )


Setup = Callable[[Runtime], Awaitable[None]]


def create_runtime(name: str, settings: ServiceSettings) -> Runtime:
    configure_logging(name, settings.log_level, settings.log_json)
    configure_tracing(name)
    mongo: AsyncMongoClient[Document] = AsyncMongoClient(
        settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    return Runtime(
        name=name,
        settings=settings,
        broker=make_broker(settings, name),
        mongo=mongo,
        db=mongo[settings.mongo_database],
    )


def service_app(
    runtime: Runtime,
    setup: Setup,
    *,
    title: str,
    aggregates: list[str],
    streamed_paths: tuple[str, ...] = (),
) -> FastAPI:
    """A FastAPI app whose lifespan creates collections, starts the broker and the relay.

    `setup` registers subscribers and creates indexes; it runs before the broker starts.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await prepare_schema(runtime, setup, aggregates)
        await runtime.broker.start()
        runtime.relay = OutboxRelay(
            [runtime.db[c] for c in aggregates],
            runtime.publish,
            runtime.settings.outbox_poll_seconds,
            parked=runtime.db[PARKED_OUTBOX],
        )
        runtime.relay.start()
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            await runtime.relay.stop()
            await runtime.broker.stop()
            await runtime.mongo.close()
            flush()

    # API docs only in development (a map of the routes is no help to anyone else).
    app = FastAPI(title=title, lifespan=lifespan, **api_docs(runtime.settings.environment))
    # The same body limit as the gateway's; routes that stream (uploads) enforce their own.
    app.add_middleware(BodyLimit, max_bytes=BODY_MAX_BYTES, exempt=streamed_paths)
    app.state.runtime = runtime
    app.state.schema = lambda: prepare_schema(runtime, setup, aggregates)
    app.state.ready = False

    app.include_router(delivery_router(runtime))

    async def started() -> bool:
        return bool(app.state.ready)  # consumers subscribed and the relay running

    app.include_router(
        operations_router(
            runtime.name,
            lambda: {
                "started": started,
                "database": mongo_check(runtime.db),
                "kafka": kafka_check(runtime.broker),
                **runtime.readiness,
            },
        )
    )
    instrument_app(app, runtime.name)
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


async def ensure_collections(db: Database, names: list[str]) -> None:
    """Create collections up front: the local stack's hardening step finds them by their tables."""
    existing = set(await db.list_collection_names())
    for name in [*names, "processed_events", "outbox_parked", "dead_letters_parked", "leases"]:
        if name not in existing:
            try:
                await db.create_collection(name)
            except CollectionInvalid:
                pass  # another replica created it first
