"""Object storage through the synchronous minio SDK, fed chunk by chunk from the event loop.

`put_object(length=-1)` runs in a worker thread and reads a pipe whose `read(n)` waits on a
bounded queue the request handler fills: the body flows to S3 without ever being whole in
memory or on disk, and a slow S3 slows the client down instead of filling memory.
Every S3 failure leaves this module as a `StorageFault` (an `InfrastructureUnavailable`): our
bucket answering badly is never the fault of the upload or the message being handled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn, TypeVar

import structlog
import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from amo_documents.adapters.pipe import ABORT, END, ChunkPipe, UploadAborted
from amo_documents.domain import Slot
from amo_shared.failures import InfrastructureUnavailable

log = structlog.get_logger(__name__)

PART_SIZE = 5 * 1024 * 1024  # S3's minimum part: at most one part is held in memory per upload
PREFIX = "applications/"
T = TypeVar("T")

# S3's "not now" answers, whatever their HTTP status (RequestTimeout comes as a 400).
TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "SlowDown",
        "ServiceUnavailable",
        "RequestTimeout",
        "OperationAborted",
        "XMinioServerNotInitialized",
    }
)
# Answers about our own bucket or credentials: the deployment is wrong, not the request.
MISCONFIGURED_CODES = frozenset(
    {
        "NoSuchBucket",
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AllAccessDisabled",
        "AccountProblem",
        "InvalidBucketName",
        "InvalidToken",
        "ExpiredToken",
    }
)


class StorageFault(InfrastructureUnavailable):
    """S3 cannot serve us now; the client may retry later, a consumer waits."""


class StorageUnavailable(StorageFault):
    """S3 is down, overloaded or unreachable (5xx, SlowDown, connection errors, timeouts)."""


class StorageMisconfigured(StorageFault):
    """S3 refuses our own bucket or credentials (NoSuchBucket, AccessDenied...): fix the setup."""


def storage_fault(exc: BaseException, operation: str) -> StorageFault | None:
    """What an exception from the SDK means, or None when it is not about S3 at all."""
    if isinstance(exc, S3Error):
        status = exc.response.status if exc.response is not None else 0
        what = f"S3 {operation}: {exc.code or status}"
        if exc.code in TRANSIENT_CODES or status >= 500 or not status:
            return StorageUnavailable(what)
        # Any other refusal concerns our bucket, our keys or our credentials, never the upload.
        return StorageMisconfigured(what)
    if isinstance(exc, (MinioException, urllib3.exceptions.HTTPError, OSError, TimeoutError)):
        return StorageUnavailable(f"S3 {operation}: {type(exc).__name__}")
    return None


def _raise_classified(exc: Exception, operation: str) -> NoReturn:
    fault = storage_fault(exc, operation)
    if fault is None:
        raise exc
    raise fault from exc


def object_key(application_id: str, slot: Slot, upload_id: str) -> str:
    """One key per upload, ours alone: the client's file name never reaches it."""
    folder = str(slot.kind) if slot.dependant is None else f"{slot.kind}-{slot.dependant}"
    return f"{PREFIX}{application_id}/{folder}/{upload_id}"


def application_of(key: str) -> str | None:
    """The application whose upload `key` is, or None for an object that is not ours."""
    if not key.startswith(PREFIX):
        return None
    application, _, rest = key[len(PREFIX) :].partition("/")
    return application if application and rest else None


@dataclass(frozen=True)
class StoredObject:
    key: str
    last_modified: datetime


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
                self.storage.bucket,
                self.key,
                self._pipe,
                length=-1,
                content_type=content_type,
                part_size=PART_SIZE,
                num_parallel_uploads=1,
            )
        except UploadAborted:
            raise
        except Exception as exc:
            _raise_classified(exc, "put")

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


def _client(
    endpoint: str,
    access_key: str,
    secret_key: str,
    secure: bool,
    *,
    connect: float,
    read: float,
    retries: urllib3.Retry | bool,
) -> Minio:
    # minio's own pool waits 5 minutes per call: an unreachable S3 must answer sooner than that.
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect, read=read), maxsize=10, retries=retries
    )
    return Minio(
        endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http
    )


class DocumentStorage:
    def __init__(self, client: Minio, bucket: str, probe: Minio | None = None):
        self.client = client
        self.bucket = bucket
        self.probe = probe or client  # readiness: no retries, short timeouts

    @classmethod
    def connect(
        cls,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
    ) -> DocumentStorage:
        retry = urllib3.Retry(total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504])
        return cls(
            _client(
                endpoint,
                access_key,
                secret_key,
                secure,
                connect=connect_timeout,
                read=read_timeout,
                retries=retry,
            ),
            bucket,
            _client(
                endpoint,
                access_key,
                secret_key,
                secure,
                connect=min(connect_timeout, 2.0),
                read=min(read_timeout, 3.0),
                retries=False,
            ),
        )

    async def _call(self, operation: str, fn: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(fn)
        except Exception as exc:
            _raise_classified(exc, operation)

    async def ensure_bucket(self) -> None:
        def ensure() -> None:
            if self.client.bucket_exists(self.bucket):
                return
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:  # another replica created it first
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

        await self._call("make bucket", ensure)

    async def check(self) -> None:
        """Readiness: raises a `StorageFault` unless our bucket answers."""
        if not await self._call("bucket check", lambda: self.probe.bucket_exists(self.bucket)):
            raise StorageMisconfigured("S3 bucket check: NoSuchBucket")

    def upload(self, key: str, content_type: str) -> ObjectUpload:
        """Start streaming a new object; must be called from the event loop."""
        return ObjectUpload(self, key, content_type)

    async def objects(self, batch: int = 500) -> AsyncIterator[list[StoredObject]]:
        """Every object of ours in the bucket, `batch` at a time (the listing is paged anyway)."""
        listing = iter(self.client.list_objects(self.bucket, prefix=PREFIX, recursive=True))

        def take() -> list[StoredObject]:
            page: list[StoredObject] = []
            for obj in listing:
                if obj.object_name and obj.last_modified and not obj.is_dir:
                    page.append(StoredObject(obj.object_name, obj.last_modified))
                if len(page) >= batch:
                    break
            return page

        while page := await self._call("list", take):
            yield page

    async def remove(self, key: str) -> None:
        await self._call("remove", lambda: self.client.remove_object(self.bucket, key))

    async def discard(self, key: str) -> None:
        """Remove an object that must not stay; a failure is logged, never raised over the
        error that made it unwanted (the orphan sweep removes it later)."""
        try:
            await self.remove(key)
        except Exception as exc:
            log.warning("object not removed", key=key, error=type(exc).__name__)
