"""The pace an upload must keep through the gateway: it ends by an overall deadline and, after a
short grace, keeps up a minimum average rate. A client that trickles bytes (slow loris) would
otherwise hold a connection, a worker's memory and an upstream request open for as long as it
likes; it is cut off with a 408 instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from time import monotonic

from fastapi import Request

from amo_gateway.settings import Settings


class UploadTooSlow(Exception):
    """The upload missed its deadline or fell below the minimum rate."""


@dataclass(frozen=True)
class Pace:
    deadline_seconds: float
    min_bytes_per_second: float
    grace_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> Pace:
        return cls(
            settings.upload_deadline_seconds,
            settings.upload_min_bytes_per_second,
            settings.upload_grace_seconds,
        )

    def wait_allowed(self, received: int, elapsed: float) -> float:
        """How much longer the next chunk may take, `received` bytes and `elapsed` seconds in:
        until the deadline, or until the average rate would fall below the minimum (never
        before the grace has passed)."""
        by_rate = max(self.grace_seconds, received / self.min_bytes_per_second)
        return min(self.deadline_seconds, by_rate) - elapsed

    async def kept(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """`chunks` as they arrive; raises UploadTooSlow as soon as the pace is missed."""
        started, received = monotonic(), 0
        iterator = aiter(chunks)
        while True:
            allowed = self.wait_allowed(received, monotonic() - started)
            if allowed <= 0:
                raise UploadTooSlow
            try:
                async with asyncio.timeout(allowed):
                    chunk = await anext(iterator)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise UploadTooSlow from None
            received += len(chunk)
            yield chunk


def paced_body(request: Request) -> AsyncIterator[bytes]:
    """The request's body as it streams, held to the app's upload pace."""
    pace: Pace = request.app.state.pace
    return pace.kept(request.stream())
