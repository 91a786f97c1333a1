"""Composition root: settings -> runtime (Mongo, Kafka, outbox) + S3 storage -> routes, subscribers
and the orphan sweep, each built once here."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from fastapi import FastAPI

from amo_documents import api, claim_attachments, handlers, reviews_api
from amo_documents.adapters.repository import COLLECTION, DocumentsRepository
from amo_documents.adapters.reviews import REVIEWS, ReviewRepository
from amo_documents.adapters.s3 import DocumentStorage, StorageFault
from amo_documents.document_rules import shipped_rules
from amo_documents.reviewing import Reconciler, Reviewing
from amo_documents.settings import Settings
from amo_documents.sweep import OrphanSweep
from amo_documents.uploads import Uploads
from amo_shared.runtime import Runtime, create_runtime, service_app

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = create_runtime(handlers.SERVICE, settings)
    storage = DocumentStorage.connect(
        settings.s3_endpoint,
        settings.s3_access_key,
        settings.s3_secret_key.get_secret_value(),
        settings.s3_bucket,
        secure=settings.s3_secure,
        connect_timeout=settings.s3_connect_timeout_seconds,
        read_timeout=settings.s3_read_timeout_seconds,
    )
    runtime.readiness["s3"] = storage.check
    repository = DocumentsRepository(runtime.store(COLLECTION))
    rules = shipped_rules()  # a wrong rules file stops the service here, at start-up
    reviewing = Reviewing(repository, ReviewRepository(runtime.store(REVIEWS)), rules)
    reconciler = Reconciler(reviewing, settings.review_reconcile_seconds)
    sweep = OrphanSweep(
        storage,
        repository,
        grace=timedelta(seconds=settings.orphan_grace_seconds),
        interval=settings.orphan_sweep_interval_seconds,
    )

    async def setup(rt: Runtime) -> None:
        # The stack's setup creates the bucket; creating it here too spares an ordering problem.
        # S3 being down must not stop the verification consumer, which never touches S3.
        try:
            await storage.ensure_bucket()
        except StorageFault as exc:
            log.warning("document bucket not checked", bucket=settings.s3_bucket, error=str(exc))
        await repository.store.ensure_index("awaiting_review")
        await reviewing.items.ensure_indexes()
        rt.subscribe(handlers.routes(repository, reviewing, rules))

    # Uploads stream with their own size limit; every other route keeps the shared body limit.
    app = service_app(
        runtime,
        setup,
        title="AMO documents",
        aggregates=[COLLECTION, REVIEWS],
        streamed_paths=("/applications/", "/claims/"),
    )
    serve_with_sweep(app, sweep, reconciler)
    app.state.uploads = Uploads(
        storage, repository, rules, settings.max_upload_bytes, settings.max_application_bytes
    )
    app.state.sweep = sweep
    app.state.reviewing = reviewing
    app.include_router(api.router)
    app.include_router(reviews_api.router)
    app.state.claim_attachments = claim_attachments.ClaimAttachments(
        storage, rules, settings.max_upload_bytes
    )
    app.include_router(claim_attachments.router)
    return app


def serve_with_sweep(app: FastAPI, sweep: OrphanSweep, reconciler: Reconciler) -> None:
    """Run the sweep and the review reconciler for as long as the service serves (not in
    `prepare`, which has no lifespan)."""
    serving = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        async with serving(app) as state:
            sweep.start()
            reconciler.start()
            try:
                yield state
            finally:
                await reconciler.stop()
                await sweep.stop()

    app.router.lifespan_context = lifespan
