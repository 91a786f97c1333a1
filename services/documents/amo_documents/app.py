"""Composition root: settings -> runtime (Mongo, Kafka, outbox) + S3 storage -> routes and subscribers."""

from __future__ import annotations

import structlog
from fastapi import FastAPI

from amo_shared.runtime import Runtime, create_runtime, service_app

from amo_documents import api, handlers
from amo_documents.adapters.repository import COLLECTION, ApplicationDocuments
from amo_documents.adapters.s3 import DocumentStorage
from amo_documents.settings import Settings
from amo_documents.uploads import Uploads

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = create_runtime(handlers.SERVICE, settings)
    storage = DocumentStorage.connect(
        settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key.get_secret_value(),
        settings.s3_bucket, secure=settings.s3_secure,
    )

    async def setup(rt: Runtime) -> None:
        # The stack's setup creates the bucket; creating it here too spares an ordering problem.
        # S3 being down must not stop the verification consumer, which never touches S3.
        try:
            await storage.ensure_bucket()
        except Exception as exc:  # noqa: BLE001
            log.warning("document bucket not checked", bucket=settings.s3_bucket,
                        error=type(exc).__name__)
        await handlers.register(rt)

    app = service_app(runtime, setup, title="AMO documents", aggregates=[COLLECTION])
    app.state.uploads = Uploads(storage, ApplicationDocuments(runtime.store(COLLECTION)),
                                settings.max_upload_bytes)
    app.include_router(api.router)
    return app
