"""The orphan sweep: removes objects of the bucket that no record points to, once old enough.

Orphans come from uploads whose filing had an uncertain outcome, from replaced objects whose
removal failed, and from a process killed between the object and its record. An object younger
than the grace period is never removed, whatever the records say: its upload may still be on
its way to being filed. The grace must exceed the longest upload plus its filing.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from amo_documents.adapters.repository import DocumentsRepository
from amo_documents.adapters.s3 import DocumentStorage, application_of

log = structlog.get_logger(__name__)


@dataclass
class SweepReport:
    listed: int = 0
    removed: int = 0
    referenced: int = 0
    recent: int = 0  # unreferenced or not, too young to judge


class OrphanSweep:
    def __init__(
        self,
        storage: DocumentStorage,
        repository: DocumentsRepository,
        *,
        grace: timedelta,
        interval: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.storage = storage
        self.repository = repository
        self.grace = grace
        self.interval = interval
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    async def sweep(self, now: datetime | None = None) -> SweepReport:
        """One pass over the bucket; a storage or database fault stops it (the next pass retries)."""
        cutoff = (now or self.clock()) - self.grace
        report = SweepReport()
        async for page in self.storage.objects():
            report.listed += len(page)
            old = [o for o in page if o.last_modified <= cutoff and application_of(o.key)]
            report.recent += sum(1 for o in page if o.last_modified > cutoff)
            # Listed first, records read after: a record written meanwhile is still seen.
            referenced = await self.repository.referenced_keys(
                {application_of(o.key) or "" for o in old}
            )
            for obj in old:
                if obj.key in referenced:
                    report.referenced += 1
                    continue
                await self.storage.remove(obj.key)
                report.removed += 1
                log.info("orphan object removed", key=obj.key)
        return report

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="documents-orphan-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        # A random first wait: replicas started together do not sweep together.
        await asyncio.sleep(random.uniform(0, self.interval))
        while True:
            try:
                report = await self.sweep()
                log.info(
                    "orphan sweep done",
                    listed=report.listed,
                    removed=report.removed,
                    referenced=report.referenced,
                    recent=report.recent,
                )
            except Exception as exc:
                log.warning("orphan sweep failed", error=type(exc).__name__)
            await asyncio.sleep(self.interval)
