"""Object storage through the synchronous minio SDK, fed chunk by chunk from the event loop.

`put_object(length=-1)` runs in a worker thread and reads a pipe whose `read(n)` waits on a
bounded queue the request handler fills: the body flows to S3 without ever being whole in
memory or on disk, and a slow S3 slows the client down instead of filling memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import structlog
from minio import Minio
from minio.error import S3Error

from amo_shared.events import DocumentKind

from amo_documents.adapters.pipe import ABORT, END, ChunkPipe, UploadAborted

log = structlog.get_logger(__name__)

PART_SIZE = 5 * 1024 * 1024  # S3's minimum part: at most one part is held in memory per upload


class StorageUnavailable(Exception):
    """S3 failed or could not be reached; the client may retry later."""


def object_key(application_id: str, kind: DocumentKind, dependant: int | None = None) -> str:
    """Keys are ours: the client's file name never reaches the key."""
    folder = str(kind) if dependant is None else f"{kind}-{dependant}"
    return f"applications/{application_id}/{folder}/{uuid.uuid4()}"


class ObjectUpload:
    """One object being written; `complete()` or `abort()` must end it."""

    def __init__(self, storage: DocumentStorage, key: str, content_type: str):
        self.storage = storage
        self.key = key
        self._pipe = ChunkPipe(asyncio.get_running_loop())
        self._worker = asyncio.ensure_future(asyncio.to_thread(self._put, content_type))

    def _put(self, content_type: str) -> None:
        # One part at a time (no parallel uploads): memory stays at about one part per upload.
        try:
            self.storage.client.put_object(
                self.storage.bucket, self.key, self._pipe, length=-1, content_type=content_type,
                part_size=PART_SIZE, num_parallel_uploads=1,
            )
        except UploadAborted:
            raise
        except Exception as exc:  # urllib3 or minio errors: S3 is down or refused the write
            raise StorageUnavailable(type(exc).__name__) from exc

    async def write(self, chunk: bytes) -> None:
        await self._pipe.send(chunk, self._worker)

    async def complete(self) -> None:
        await self._pipe.send(END, self._worker)
        await self._worker

    async def abort(self) -> None:
        """Stop the worker and leave nothing behind (minio aborts its own multipart upload)."""
        if not self._worker.done():
            with contextlib.suppress(Exception):  # the worker failed on its own: cleanup goes on
                await self._pipe.send(ABORT, self._worker)
        with contextlib.suppress(Exception):  # UploadAborted, or the S3 error that stopped it
            await self._worker
        # Nothing should exist (a single-part object is written only whole): make sure of it.
        await self.storage.discard(self.key)


class DocumentStorage:
    def __init__(self, client: Minio, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def connect(cls, endpoint: str, access_key: str, secret_key: str, bucket: str,
                secure: bool = False) -> DocumentStorage:
        return cls(Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure),
                   bucket)

    async def ensure_bucket(self) -> None:
        def ensure() -> None:
            if self.client.bucket_exists(self.bucket):
                return
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:  # another replica created it first
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

        await asyncio.to_thread(ensure)

    def upload(self, key: str, content_type: str) -> ObjectUpload:
        """Start streaming a new object; must be called from the event loop."""
        return ObjectUpload(self, key, content_type)

    async def discard(self, key: str) -> None:
        """Remove an object that must not stay; a failure is logged, never raised over the
        error that made it unwanted (an orphan object costs storage, not correctness)."""
        try:
            await asyncio.to_thread(self.client.remove_object, self.bucket, key)
        except Exception as exc:  # noqa: BLE001
            log.warning("object not removed", key=key, error=type(exc).__name__)
