"""Abuse limits at the door: requests per client address and per account, application creations
per address and uploads per account, answered 429 with `Retry-After` once spent.

Counters live in this process's memory (the `limits` library's async sliding-window counters):
each gateway replica counts on its own, so N replicas allow up to N times a limit until a
shared store (Redis) is configured.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from amo_gateway.settings import Settings

TOO_MANY = "too many requests: try again later"


def address_of(request: Request) -> str:
    """The client's address as the server saw it (behind a proxy, uvicorn's proxy headers
    decide what that is, from the proxies it trusts)."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class RateLimits:
    per_address: RateLimitItem
    per_account: RateLimitItem
    creations_per_address: RateLimitItem
    uploads_per_account: RateLimitItem
    enabled: bool = True

    @classmethod
    def of(cls, settings: Settings) -> RateLimits:
        return cls(
            parse(settings.rate_limit_per_address),
            parse(settings.rate_limit_per_account),
            parse(settings.rate_limit_application_creations),
            parse(settings.rate_limit_uploads),
            enabled=settings.rate_limits_enabled,
        )


class Limiter:
    """One process's counters: `spend` takes one request from a limit or refuses with 429."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        # Two counters per key, whatever the limit: an address flood costs little memory.
        self._counter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def spend(self, item: RateLimitItem, *key: str) -> None:
        if not self.limits.enabled:
            return
        if await self._counter.hit(item, *key):
            return
        stats = await self._counter.get_window_stats(item, *key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY, headers={"Retry-After": str(retry_after)}
        )


def limiter(request: Request) -> Limiter:
    return request.app.state.limiter


LimiterDep = Annotated[Limiter, Depends(limiter)]


async def within_rate_limits(request: Request, counters: LimiterDep) -> None:
    """Every public call: one request from the address's limit. The account's limit is spent
    once its token is verified (auth.verified), keyed by the account's subject."""
    await counters.spend(counters.limits.per_address, "address", address_of(request))


async def spend_creation(request: Request, counters: Limiter, account: str) -> None:
    """One application creation from the address's allowance and the account's (called once
    the body is valid: a malformed form costs only the general limits)."""
    await counters.spend(counters.limits.creations_per_address, "create", address_of(request))
    await counters.spend(counters.limits.creations_per_address, "create-by", account)
