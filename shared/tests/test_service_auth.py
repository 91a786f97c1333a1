"""Service credentials with no server: the middleware in front of a small app, against keys made
here, and the client credentials token source against a token endpoint made of a function (the
same flows run against the real identity provider in deploy/local/tests)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated

import httpx
import pytest
import structlog
from fastapi import Depends, FastAPI, Request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from amo_shared.identity import Caller, TokenVerifier
from amo_shared.service_auth import (
    SERVICE_AUDIENCE,
    SERVICE_ROLE,
    ServiceCallers,
    ServiceTokenRefused,
    ServiceTokens,
    ServiceTokenUnavailable,
    jwks_fetcher,
    service_caller,
)
from amo_shared.settings import ServiceSettings

ISSUER = "http://127.0.0.1:8180/realms/amo"
JWKS_URL = ISSUER + "/protocol/openid-connect/certs"
OPEN = ("/livez", "/readyz", "/health", "/metrics", "/docs", "/openapi.json")


class Issuer:
    """The identity provider in miniature: a signing key, its JWKS, service credentials."""

    def __init__(self, kid: str = "svc-key") -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": kid})
        self.fetches = 0

    def jwks(self) -> dict:
        return KeySet([self.key]).as_dict(private=False)

    async def fetch(self) -> dict:
        self.fetches += 1
        return self.jwks()

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(issuer=ISSUER, audience=SERVICE_AUDIENCE, fetch_keys=self.fetch)

    def token(self, client: str = "svc-gateway", roles=(SERVICE_ROLE,), **claims) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": [SERVICE_AUDIENCE],
            "sub": f"service-account-{client}",
            "azp": client,
            "iat": now,
            "exp": now + 300,
            "realm_access": {"roles": list(roles)},
        } | claims
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, body, self.key)


ISSUED = Issuer()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def service_app(verifier_factory, open_paths=OPEN):
    app = FastAPI()

    @app.get("/health")
    async def health():
        return {"ok": True}

    @app.get("/docs/oauth2-redirect")
    async def docs_redirect():
        return {"ok": True}

    @app.get("/healthx")
    async def not_health():
        return {"ok": "healthx"}

    @app.get("/v1/things/{thing}")
    async def thing(
        thing: str, request: Request, caller: Annotated[Caller | None, Depends(service_caller)]
    ):
        assert caller is request.state.service_caller
        return {"thing": thing, "client": caller.client_id, "subject": caller.subject}

    @app.post("/v1/things")
    async def create(request: Request):
        return {"body": (await request.json())}

    return ServiceCallers(app, verifier_factory=verifier_factory, open_paths=open_paths)


@pytest.fixture
async def client():
    app = service_app(ISSUED.verifier())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        yield c


# --------------------------------------------------------------------------- ServiceCallers
async def test_a_service_credential_passes_and_the_route_sees_which_client_called(client):
    r = await client.get("/v1/things/7", headers=bearer(ISSUED.token("svc-operations")))
    assert r.status_code == 200
    assert r.json() == {
        "thing": "7",
        "client": "svc-operations",
        "subject": "service-account-svc-operations",
    }
    # the body reaches the route untouched
    r = await client.post("/v1/things", json={"a": 1}, headers=bearer(ISSUED.token()))
    assert r.status_code == 200 and r.json() == {"body": {"a": 1}}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer   "},
        {"Authorization": "Basic c3ZjOnNlY3JldA=="},
        {"Authorization": f"Token {ISSUED.token()}"},
        {"X-Service-Token": ISSUED.token()},  # only the Authorization header counts
    ],
)
async def test_without_a_bearer_token_the_answer_is_401(client, headers):
    r = await client.get("/v1/things/7", headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"] == "application/json" and r.json()["detail"]


async def test_two_authorization_headers_are_refused(client):
    token = ISSUED.token()
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]
    r = await client.get("/v1/things/7", headers=headers)
    assert r.status_code == 401


def _other_key_token() -> str:
    """Right claims, right key id, signed by a key that is not the provider's."""
    forger = Issuer(kid=ISSUED.key.kid)
    return forger.token()


@pytest.mark.parametrize(
    ("what", "token"),
    [
        ("wrong audience", lambda: ISSUED.token(aud=["amo-gateway", "account"])),
        ("no audience", lambda: ISSUED.token(aud=None)),
        ("expired", lambda: ISSUED.token(exp=int(time.time()) - 120)),
        ("foreign issuer", lambda: ISSUED.token(iss="http://127.0.0.1:8180/realms/other")),
        ("no subject", lambda: ISSUED.token(sub=None)),
        ("another key", _other_key_token),
        ("unknown key id", lambda: Issuer(kid="elsewhere").token()),
        ("not a token", lambda: "not.a.token"),
        ("unsigned", lambda: _unsigned(ISSUED.token())),
    ],
)
async def test_a_token_that_does_not_verify_is_401(client, what, token):
    r = await client.get("/v1/things/7", headers=bearer(token()))
    assert r.status_code == 401, what
    assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def _unsigned(token: str) -> str:
    import base64

    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
    _, body, _ = token.split(".")
    return f"{header}.{body}."


@pytest.mark.parametrize("roles", [(), ("citizen",), ("hospital", "default-roles-amo")])
async def test_a_valid_token_without_role_service_is_403(client, roles):
    r = await client.get("/v1/things/7", headers=bearer(ISSUED.token("hospital-x", roles=roles)))
    assert r.status_code == 403 and "service" in r.json()["detail"]


async def test_open_paths_need_no_token_and_only_whole_segments_open(client):
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/docs/oauth2-redirect")).status_code == 200
    # not under an open path: a look-alike, and a detour through one
    assert (await client.get("/healthx")).status_code == 401
    for detour in ("/health/../v1/things/7", "/health//x", "/docs/./oauth2-redirect"):
        assert await _status_for_raw_path(detour) == 401, detour


async def _status_for_raw_path(path: str) -> int:
    """Call the middleware with `path` as the server would put it in the scope (httpx would
    normalise the dot segments before sending)."""
    sent: list[dict] = []

    async def inner(scope, receive, send):
        raise AssertionError("reached the app")

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    middleware = ServiceCallers(inner, verifier_factory=ISSUED.verifier(), open_paths=OPEN)
    await middleware({"type": "http", "path": path, "headers": []}, receive, send)
    return sent[0]["status"]


async def test_lifespan_and_other_scopes_pass_through():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["type"])

    middleware = ServiceCallers(inner, verifier_factory=ISSUED.verifier())
    await middleware({"type": "lifespan"}, None, None)
    assert seen == ["lifespan"]


async def test_keys_unreachable_is_503_and_the_next_call_passes_once_they_are_back():
    up = {"value": False}

    def jwks(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == JWKS_URL
        if not up["value"]:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=ISSUED.jwks())

    async with httpx.AsyncClient(transport=httpx.MockTransport(jwks)) as keys_client:
        verifier = TokenVerifier(
            issuer=ISSUER,
            audience=SERVICE_AUDIENCE,
            fetch_keys=jwks_fetcher(JWKS_URL, client=keys_client),
        )
        app = service_app(lambda: verifier)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as c:
            r = await c.get("/v1/things/7", headers=bearer(ISSUED.token()))
            assert r.status_code == 503 and r.json()["detail"]
            assert "www-authenticate" not in r.headers and r.headers["retry-after"]
            # no key set cached from the failure: the next request fetches again
            up["value"] = True
            r = await c.get("/v1/things/7", headers=bearer(ISSUED.token()))
            assert r.status_code == 200


async def test_a_provider_answering_an_error_for_its_keys_is_503():
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(502))
    ) as keys_client:
        verifier = TokenVerifier(
            issuer=ISSUER,
            audience=SERVICE_AUDIENCE,
            fetch_keys=jwks_fetcher(JWKS_URL, client=keys_client),
        )
        app = service_app(verifier)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as c:
            r = await c.get("/v1/things/7", headers=bearer(ISSUED.token()))
    assert r.status_code == 503


async def test_no_verifier_refuses_everything_but_the_open_paths():
    app = service_app(lambda: None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        assert (await c.get("/v1/things/7", headers=bearer(ISSUED.token()))).status_code == 503
        assert (await c.get("/v1/things/7")).status_code == 401
        assert (await c.get("/health")).status_code == 200


async def test_a_verifier_for_another_audience_is_not_accepted():
    gateway = TokenVerifier(issuer=ISSUER, audience="amo-gateway", fetch_keys=ISSUED.fetch)
    with pytest.raises(ValueError, match="amo-services"):
        ServiceCallers(FastAPI(), verifier_factory=gateway)
    with pytest.raises(ValueError, match="start with '/'"):
        ServiceCallers(FastAPI(), verifier_factory=ISSUED.verifier(), open_paths=("health",))
    # given by a factory: refused at the request (fail closed), not let through
    app = service_app(lambda: gateway)
    token = ISSUED.token(aud=["amo-gateway"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        assert (await c.get("/v1/things/7", headers=bearer(token))).status_code == 503


async def test_the_factory_is_asked_at_each_request_and_keys_fetched_once():
    issuer = Issuer()
    made: list[TokenVerifier] = []

    def factory() -> TokenVerifier | None:
        if not made:
            made.append(issuer.verifier())
        return made[0]

    app = service_app(factory)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        assert (await c.get("/health")).status_code == 200
        assert not made  # an open path asks for nothing
        for _ in range(3):
            r = await c.get("/v1/things/7", headers=bearer(issuer.token()))
            assert r.status_code == 200
    assert issuer.fetches == 1


async def test_a_websocket_without_a_credential_is_closed_before_it_opens():
    async def run(headers: list[tuple[bytes, bytes]]) -> list[dict]:
        sent: list[dict] = []
        connect = [{"type": "websocket.connect"}]

        async def inner(scope, receive, send):
            assert scope["state"]["service_caller"].client_id == "svc-gateway"
            await receive()
            await send({"type": "websocket.accept"})

        async def receive():
            return connect.pop(0) if connect else {"type": "websocket.disconnect"}

        async def send(message):
            sent.append(message)

        middleware = ServiceCallers(inner, verifier_factory=ISSUED.verifier(), open_paths=OPEN)
        scope = {"type": "websocket", "path": "/v1/stream", "headers": headers}
        await middleware(scope, receive, send)
        return sent

    [closed] = await run([])
    assert closed["type"] == "websocket.close" and closed["code"] == 1008
    token = ISSUED.token().encode()
    assert await run([(b"authorization", b"Bearer " + token)]) == [{"type": "websocket.accept"}]


async def test_the_token_is_never_logged(client):
    token_ok, token_bad = ISSUED.token(roles=()), ISSUED.token(exp=int(time.time()) - 999)
    with structlog.testing.capture_logs() as logs:
        await client.get("/v1/things/7", headers=bearer(token_ok))
        await client.get("/v1/things/7", headers=bearer(token_bad))
        await client.get("/v1/things/7")
    assert len(logs) == 3
    text = json.dumps(logs, default=str)
    for token in (token_ok, token_bad):
        assert token not in text and token.split(".")[2] not in text
    assert {e["reason"] for e in logs} >= {"no bearer token", "no realm role service"}


# --------------------------------------------------------------------------- settings
def test_settings_give_no_verifier_without_an_issuer_and_default_the_jwks_url():
    assert ServiceSettings().service_verifier() is None
    verifier = ServiceSettings(identity_issuer=ISSUER).service_verifier()
    assert verifier is not None
    assert (verifier.issuer, verifier.audience) == (ISSUER, SERVICE_AUDIENCE)
    with pytest.raises(ValueError):
        ServiceSettings(identity_issuer="127.0.0.1:8180/realms/amo")


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({"AMO_IDENTITY_ISSUER": ISSUER + "/"}, JWKS_URL),
        (
            {"AMO_IDENTITY_ISSUER": ISSUER, "AMO_IDENTITY_JWKS_URL": "http://keys.test/jwks"},
            "http://keys.test/jwks",
        ),
    ],
)
async def test_the_settings_verifier_fetches_its_keys_where_configured(monkeypatch, env, url):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    asked: list[str] = []

    def jwks(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json=ISSUED.jwks())

    async with httpx.AsyncClient(transport=httpx.MockTransport(jwks)) as keys_client:
        verifier = ServiceSettings().service_verifier(keys_client)
        assert verifier is not None
        issued = ISSUED.token(iss=verifier.issuer)
        caller = await verifier.verify(issued)
    assert asked == [url] and caller.has(SERVICE_ROLE)


# --------------------------------------------------------------------------- ServiceTokens
TOKEN_URL = ISSUER + "/protocol/openid-connect/token"


class TokenEndpoint:
    """A token endpoint: counts requests, answers `answers` in turn (the last one repeats)."""

    def __init__(self, *answers, delay: float = 0.0):
        self.answers = list(answers) or ["ok"]
        self.requests: list[httpx.Request] = []
        self.delay = delay
        self.expires_in = 300

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        body = {
            "access_token": f"token-{len(self.requests)}",
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }
        return httpx.Response(200, json=body)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_one_token_serves_many_calls_and_the_grant_is_client_credentials():
    endpoint = TokenEndpoint()
    async with endpoint.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "s3cret", http=http)
        for _ in range(20):
            assert await tokens.header() == {"Authorization": "Bearer token-1"}
        await tokens.aclose()  # the caller's client stays open
        assert not http.is_closed
    [request] = endpoint.requests
    assert request.method == "POST" and str(request.url) == TOKEN_URL
    form = dict(httpx.QueryParams(request.content.decode()))
    assert form == {
        "grant_type": "client_credentials",
        "client_id": "svc-gateway",
        "client_secret": "s3cret",
    }
    assert "s3cret" not in repr(tokens)


async def test_a_token_is_drawn_again_when_less_than_the_margin_is_left():
    endpoint, clock = TokenEndpoint(), Clock()
    async with endpoint.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "s", http=http, clock=clock)
        assert await tokens.token() == "token-1"
        clock.now += 269  # 31 s left of 300
        assert await tokens.token() == "token-1"
        clock.now += 2  # 29 s left
        assert await tokens.token() == "token-2"
        clock.now += 200
        assert await tokens.token() == "token-2"
        # a short-lived token is used for half its life, not never
        endpoint.expires_in = 20
        tokens.invalidate()
        assert await tokens.token() == "token-3"
        clock.now += 9
        assert await tokens.token() == "token-3"
        clock.now += 2
        assert await tokens.token() == "token-4"
    assert len(endpoint.requests) == 4


async def test_concurrent_callers_share_one_request():
    endpoint = TokenEndpoint(delay=0.05)
    async with endpoint.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "s", http=http)
        headers = await asyncio.gather(*(tokens.header() for _ in range(25)))
    assert len(endpoint.requests) == 1
    assert {h["Authorization"] for h in headers} == {"Bearer token-1"}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "unauthorized_client", "error_description": "Invalid client secret"}),
        (400, {"error": "invalid_client", "error_description": "Invalid client credentials"}),
        (401, None),
    ],
)
async def test_a_refusal_of_the_token_endpoint_raises_at_once(status, body):
    answer = httpx.Response(status, json=body) if body else httpx.Response(status, text="no")
    endpoint = TokenEndpoint(answer)
    async with endpoint.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "wrong-secret", http=http)
        with pytest.raises(ServiceTokenRefused) as refused:
            await tokens.header()
    assert len(endpoint.requests) == 1  # no retry of a refusal
    assert refused.value.status == status and refused.value.client_id == "svc-gateway"
    assert refused.value.error == (body or {}).get("error", "")
    assert "svc-gateway" in str(refused.value) and "wrong-secret" not in str(refused.value)


async def test_callers_waiting_on_a_refused_request_share_its_refusal():
    endpoint = TokenEndpoint(httpx.Response(401, json={"error": "unauthorized_client"}), delay=0.05)
    async with endpoint.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "s", http=http)
        results = await asyncio.gather(
            *(tokens.header() for _ in range(10)), return_exceptions=True
        )
        assert all(isinstance(r, ServiceTokenRefused) for r in results)
        assert len(endpoint.requests) == 1
        # a later call tries again
        with pytest.raises(ServiceTokenRefused):
            await tokens.header()
    assert len(endpoint.requests) == 2


async def test_connection_errors_and_5xx_are_retried_then_give_up():
    boom = httpx.ConnectError("connection refused")
    endpoint = TokenEndpoint(boom, httpx.Response(503), "ok")
    async with endpoint.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "s", http=http)
        assert await tokens.token() == "token-3"
    assert len(endpoint.requests) == 3

    down = TokenEndpoint(httpx.ConnectError("connection refused"))
    async with down.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "s", http=http, attempts=2)
        with pytest.raises(ServiceTokenUnavailable, match="ConnectError after 2 attempts"):
            await tokens.token()
    assert len(down.requests) == 2


async def test_an_answer_without_a_token_is_an_error():
    endpoint = TokenEndpoint(httpx.Response(200, json={"token_type": "Bearer"}))
    async with endpoint.client() as http:
        tokens = ServiceTokens(TOKEN_URL, "svc-gateway", "s", http=http)
        with pytest.raises(RuntimeError, match="no bearer token"):
            await tokens.token()


async def test_from_a_credentials_file_with_its_own_client(tmp_path):
    path = tmp_path / "svc-operations.json"
    creds = {"client_id": "svc-operations", "client_secret": "s", "token_url": TOKEN_URL}
    path.write_text(json.dumps(creds))
    tokens = ServiceTokens.from_file(path)
    assert (tokens.client_id, tokens.token_url) == ("svc-operations", TOKEN_URL)
    async with tokens:
        pass
    assert tokens._http.is_closed  # its own client, closed with it
    with pytest.raises(ValueError):
        ServiceTokens(TOKEN_URL, "svc-operations", "")


async def test_service_tokens_pass_the_middleware_end_to_end():
    """A caller's ServiceTokens header against a service behind ServiceCallers."""

    def grant(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": ISSUED.token(), "expires_in": 300})

    app = service_app(ISSUED.verifier())
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(grant)) as idp,
        ServiceTokens(TOKEN_URL, "svc-gateway", "s", http=idp) as tokens,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c,
    ):
        r = await c.get("/v1/things/9", headers=await tokens.header())
    assert r.status_code == 200 and r.json()["client"] == "svc-gateway"
