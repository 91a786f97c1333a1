"""Service credentials: internal HTTP endpoints answer only callers that hold one.

A service credential is an access token of the identity provider drawn by the OAuth2 client
credentials grant of a service client (`svc-gateway`, `svc-operations`, ...): issued by the
realm, for audience `amo-services`, not expired, and carrying realm role `service`. Citizens',
operators' and hospitals' tokens are none of these (other audience, no such role).

`ServiceCallers` is the receiving side, as ASGI middleware in front of a service's routes:
401 without a valid token, 403 for a valid token without the role, 503 while the provider's keys
cannot be fetched; the verified `Caller` is left in the request's state (`service_caller`), so a
route may say which client called. `ServiceTokens` is the calling side: a cached token, drawn
again shortly before it expires, one request to the token endpoint at a time.

Tokens and client secrets are never logged, nor put in an exception's message.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import structlog
from joserfc.errors import JoseError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from amo_shared.identity import Caller, FetchKeys, InvalidToken, TokenVerifier, http_key_fetcher

log = structlog.get_logger(__name__)

SERVICE_AUDIENCE = "amo-services"  # every service credential's `aud` carries it
SERVICE_ROLE = "service"  # the realm role only service clients' accounts hold
STATE_KEY = "service_caller"  # where the verified caller is left: request.state.service_caller

VerifierFactory = Callable[[], TokenVerifier | None]


# --------------------------------------------------------------------------- receiving side
def service_caller(connection: HTTPConnection) -> Caller | None:
    """The service client that made this request, as verified by `ServiceCallers` (None on an
    open path, or without the middleware). Usable as a FastAPI dependency."""
    caller: object = connection.scope.get("state", {}).get(STATE_KEY)
    return caller if isinstance(caller, Caller) else None


def jwks_fetcher(
    jwks_url: str, *, client: httpx.AsyncClient | None = None, timeout: float = 5.0
) -> FetchKeys:
    """The provider's key set from `jwks_url`, with `client` or, without one, a client made for
    each fetch (the verifier fetches once, then only on an unknown key id, rate limited)."""
    if client is not None:
        return http_key_fetcher(client, jwks_url)

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=timeout) as own:
            return await http_key_fetcher(own, jwks_url)()

    return fetch


def _is_open(path: str, open_paths: tuple[str, ...]) -> bool:
    """`path` equals an open path, or lies under one (a whole segment: `/docs` opens
    `/docs/oauth2-redirect`, not `/docsx`; an entry ending in `/` opens what is under it).
    A path with empty, `.` or `..` segments is never open: no `/health/../v1/...` detour."""
    segments = path.split("/")[1:]
    if not path.startswith("/") or any(s in ("", ".", "..") for s in segments[:-1]):
        return False
    if segments and segments[-1] in (".", ".."):
        return False
    for entry in open_paths:
        if entry.endswith("/"):
            if path.startswith(entry) or path == entry.rstrip("/"):
                return True
        elif path == entry or path.startswith(entry + "/"):
            return True
    return False


def _bearer(scope: Scope) -> str | None:
    """The token of the request's one `Authorization: Bearer <token>` header; "" when the
    header is there but malformed (two headers, another scheme, no token), None when absent."""
    values: list[bytes] = [
        v for k, v in scope.get("headers") or () if k.lower() == b"authorization"
    ]
    if not values:
        return None
    if len(values) > 1:
        return ""
    scheme, _, token = values[0].decode("latin-1").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        return ""
    return token


class ServiceCallers:
    """ASGI middleware: every HTTP request (and WebSocket) off `open_paths` needs a service
    credential, verified by the verifier `verifier_factory` gives (or that verifier itself);
    its audience must be `amo-services`. The factory is asked at each request, so it may read
    what the app's lifespan made; when it gives None (identity not configured) every request
    off the open paths is refused with 503: the endpoints never open by default.

    Refusals: 401 (`WWW-Authenticate: Bearer`) without a token or with one that is not valid,
    403 for a valid token without realm role `service`, 503 while the provider's keys cannot
    be fetched. A request let through carries its `Caller` in `scope["state"]["service_caller"]`
    (`request.state.service_caller`, or `service_caller(request)`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier_factory: VerifierFactory | TokenVerifier,
        open_paths: Iterable[str] = (),
    ) -> None:
        if isinstance(verifier_factory, TokenVerifier):
            _check_audience(verifier_factory)
        self.app = app
        self._verifier = verifier_factory
        self.open_paths = tuple(open_paths)
        if not all(p.startswith("/") for p in self.open_paths):
            raise ValueError("open paths start with '/'")

    def _resolve(self) -> TokenVerifier | None:
        v = self._verifier
        return v if isinstance(v, TokenVerifier) else v()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or _is_open(scope["path"], self.open_paths):
            return await self.app(scope, receive, send)
        refusal = await self._check(scope)
        if refusal is None:
            return await self.app(scope, receive, send)
        status, detail, challenge = refusal
        if scope["type"] == "websocket":
            # Closed before it is accepted: the server answers the handshake with 403.
            await send({"type": "websocket.close", "code": 1008, "reason": detail[:120]})
            return None
        await _refuse(send, status, detail, challenge)
        return None

    async def _check(self, scope: Scope) -> tuple[int, str, str | None] | None:
        """None when the caller may pass (its Caller put in the request's state), else the
        refusal: status, detail, WWW-Authenticate value."""
        path = scope["path"]
        token = _bearer(scope)
        if token is None:
            log.info("service call refused", path=path, reason="no bearer token")
            return 401, "a service credential (bearer token) is required", "Bearer"
        if not token:
            log.info("service call refused", path=path, reason="malformed authorization")
            return 401, "the Authorization header must be 'Bearer <token>'", _INVALID
        verifier = self._resolve()
        if verifier is None or verifier.audience != SERVICE_AUDIENCE:
            log.error(
                "service call refused: no verifier of service credentials",
                path=path,
                audience=verifier and verifier.audience,
            )
            return 503, "service credentials cannot be checked (not configured)", None
        try:
            caller = await verifier.verify(token)
        except InvalidToken as exc:
            log.info("service call refused", path=path, reason=str(exc))
            return (
                401,
                "the service credential is not valid (expired, or not for services)",
                _INVALID,
            )
        except (httpx.HTTPError, OSError, ValueError, JoseError) as exc:
            log.warning(
                "service call refused: identity provider's keys unavailable",
                path=path,
                error=type(exc).__name__,
            )
            return 503, "the identity provider is unavailable", None
        if not caller.has(SERVICE_ROLE):
            log.info(
                "service call refused",
                path=path,
                reason=f"no realm role {SERVICE_ROLE}",
                client=caller.client_id,
            )
            return 403, f"this endpoint needs a service credential (role {SERVICE_ROLE})", _SCOPE
        scope.setdefault("state", {})[STATE_KEY] = caller
        return None


_INVALID = 'Bearer error="invalid_token"'
_SCOPE = 'Bearer error="insufficient_scope"'


def _check_audience(verifier: TokenVerifier) -> None:
    if verifier.audience != SERVICE_AUDIENCE:
        # Another audience's verifier would let, e.g., any gateway token with the role through.
        raise ValueError(
            f"a service credential verifier checks audience {SERVICE_AUDIENCE!r}, "
            f"not {verifier.audience!r}"
        )


async def _refuse(send: Send, status: int, detail: str, challenge: str | None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if challenge:
        headers.append((b"www-authenticate", challenge.encode()))
    if status == 503:
        headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------- calling side
class ServiceTokenError(RuntimeError):
    """No service credential could be drawn (the message names no token or secret)."""


class ServiceTokenRefused(ServiceTokenError):
    """The token endpoint refused the client (400/401): wrong secret, unknown or disabled
    client, no client credentials grant. Retrying does not help; `error` is the OAuth code."""

    def __init__(self, client_id: str, status: int, error: str, description: str) -> None:
        self.client_id, self.status, self.error = client_id, status, error
        super().__init__(
            f"the token endpoint refused client {client_id!r}: {status} {error or 'error'}"
            + (f" ({description})" if description else "")
        )


class ServiceTokenUnavailable(ServiceTokenError):
    """The token endpoint could not be reached, or failed, on every attempt."""


class _ServerError(Exception):
    """A 5xx of the token endpoint: worth another attempt."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"token endpoint answered {status}")


class ServiceTokens:
    """A service client's credential for calls to the services: `await tokens.header()` is
    `{"Authorization": "Bearer <token>"}` with a cached token, drawn again by the client
    credentials grant once less than `margin_seconds` of its life is left (at most half of its
    lifetime). Concurrent callers share one request to the token endpoint; connection errors
    and 5xx answers are retried (`attempts` in all), then `ServiceTokenUnavailable`; a 400/401
    raises `ServiceTokenRefused` at once. Callers that failed together share that failure.

    `http`, when given, is the caller's client (not closed here); otherwise one is made and
    closed by `aclose()`."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        http: httpx.AsyncClient | None = None,
        margin_seconds: float = 30,
        attempts: int = 4,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("a service client needs its client id and secret")
        if attempts < 1 or margin_seconds < 0:
            raise ValueError("attempts must be at least 1 and the margin not negative")
        self.token_url, self.client_id = token_url, client_id
        self._secret = client_secret
        self._own = http is None
        self._http = http if http is not None else httpx.AsyncClient(timeout=timeout)
        self._margin, self._attempts, self._clock = margin_seconds, attempts, clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = float("-inf")
        self._draws = 0  # token endpoint rounds done (each possibly several attempts)
        self._failure: ServiceTokenError | None = None  # of the last round, if it failed

    @classmethod
    def from_file(cls, path: Path | str, **options: Any) -> ServiceTokens:
        """From a credentials file `{"client_id", "client_secret", "token_url"}` (the local
        stack writes one per service client, 0600, under its data dir)."""
        creds = json.loads(Path(path).read_text())
        return cls(creds["token_url"], creds["client_id"], creds["client_secret"], **options)

    def __repr__(self) -> str:  # no secret, no token
        return f"ServiceTokens(client_id={self.client_id!r}, token_url={self.token_url!r})"

    async def header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}"}

    async def token(self) -> str:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        seen = self._draws
        async with self._lock:
            if self._token is not None and self._clock() < self._refresh_at:
                return self._token  # drawn by the caller we waited for
            if self._draws != seen and self._failure is not None:
                raise self._failure  # that caller's round failed just now: so did ours
            self._failure = None
            started = self._clock()  # the token's life is counted from before the request
            try:
                token, lifetime = await self._draw()
            except ServiceTokenError as exc:
                self._failure = exc
                raise
            finally:
                self._draws += 1  # after the round: callers that waited on it see it counted
            self._failure = None
            self._token = token
            self._refresh_at = started + lifetime - min(self._margin, lifetime / 2)
            return token

    def invalidate(self) -> None:
        """Forget the cached token (e.g. after a service answered 401): the next call draws."""
        self._token, self._refresh_at = None, float("-inf")

    async def _draw(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
        }
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type((httpx.TransportError, _ServerError)),
                stop=stop_after_attempt(self._attempts),
                wait=wait_exponential_jitter(multiplier=0.2, max=2.0, jitter=0.2),
                reraise=True,
            ):
                with attempt:
                    response = await self._http.post(self.token_url, data=form)
                    if response.status_code >= 500:
                        raise _ServerError(response.status_code)
        except (httpx.TransportError, _ServerError) as exc:
            log.warning(
                "service token unavailable",
                client=self.client_id,
                error=type(exc).__name__,
                attempts=self._attempts,
            )
            raise ServiceTokenUnavailable(
                f"no service token for client {self.client_id!r} from {self.token_url}: "
                f"{type(exc).__name__} after {self._attempts} attempts"
            ) from None
        body = _json(response)
        if response.status_code in (400, 401):
            log.warning("service token refused", client=self.client_id, error=body.get("error"))
            raise ServiceTokenRefused(
                self.client_id,
                response.status_code,
                str(body.get("error") or ""),
                str(body.get("error_description") or ""),
            )
        if response.is_error:
            raise ServiceTokenError(
                f"the token endpoint answered {response.status_code} for client {self.client_id!r}"
            )
        token, expires_in = body.get("access_token"), body.get("expires_in")
        token_type = str(body.get("token_type") or "bearer")
        if not isinstance(token, str) or not token or token_type.lower() != "bearer":
            raise ServiceTokenError(
                f"the token endpoint's answer for client {self.client_id!r} has no bearer token"
            )
        # Without a lifetime the token is used for this call only.
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
            return token, 0.0
        return token, max(float(expires_in), 0.0)

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def __aenter__(self) -> ServiceTokens:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
