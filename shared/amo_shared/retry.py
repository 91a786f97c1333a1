"""Waiting out transient failures: capped exponential backoff with jitter, for as long as it takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from amo_shared.failures import is_transient
from amo_shared.metrics import DELIVERY_RETRIES

log = structlog.get_logger(__name__)

T = TypeVar("T")
BACKOFF_CAP_SECONDS = 5.0


async def with_infra_retry(
    call: Callable[[], Awaitable[T]],
    what: str,
    *,
    transient: Callable[[BaseException], bool] = is_transient,
    group: str = "",
) -> T:
    """Run `call`, retrying transient failures with capped exponential backoff, forever: an
    outage pauses this consumer (and keeps per-key order) instead of emptying the topic."""

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        DELIVERY_RETRIES.labels(what, group, "transient").inc()
        log.warning(
            "dependency unavailable, retrying",
            what=what,
            error=type(exc).__name__,
            code=getattr(exc, "code", None),
            attempt=state.attempt_number,
        )

    async for attempt in AsyncRetrying(
        retry=retry_if_exception(transient),
        wait=wait_exponential_jitter(multiplier=0.2, max=BACKOFF_CAP_SECONDS, jitter=0.2),
        before_sleep=before_sleep,
        reraise=True,
    ):
        with attempt:
            return await call()
    raise AssertionError("unreachable")
