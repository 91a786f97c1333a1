"""Service credentials on the session's stack: the service clients made through Keycloak's admin
API (no secret in the repository), their 0600 credentials files, their client credentials tokens
(audience amo-services, realm role service), and `ServiceCallers` with a verifier of the real
realm letting them through while refusing a hospital's and a citizen's tokens. The first tests
need no server: the realm file, and the refusal of a client id that is no service client's."""

from __future__ import annotations

import json
import secrets
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from joserfc import jwt
from joserfc.jwk import KeySet

from amo_localstack import identity
from amo_localstack.config import StackConfig
from amo_localstack.keycloak import issuer
from amo_localstack.service_credentials import (
    GATEWAY_CLIENT,
    OPERATIONS_CLIENT,
    credentials_dir,
    read_service_credentials,
    service_credentials,
    token_url,
)
from amo_shared.identity import TokenVerifier
from amo_shared.service_auth import (
    SERVICE_AUDIENCE,
    SERVICE_ROLE,
    ServiceCallers,
    ServiceTokenRefused,
    ServiceTokens,
    jwks_fetcher,
)

REALM_FILE = Path(__file__).resolve().parents[1] / "keycloak" / "amo-realm.json"
PASSWORD = "Un-mot-de-passe-long-7"


# --------------------------------------------------------------------------- no server
def test_the_realm_file_declares_the_role_and_audience_and_no_service_client_secret():
    realm = json.loads(REALM_FILE.read_text())
    assert (identity.SERVICE_AUDIENCE, identity.SERVICE_ROLE) == (SERVICE_AUDIENCE, SERVICE_ROLE)
    roles = {r["name"]: r for r in realm["roles"]["realm"]}
    assert SERVICE_ROLE in roles
    # nobody gets it by registering
    assert SERVICE_ROLE not in roles["default-roles-amo"]["composites"]["realm"]
    clients = {c["clientId"]: c for c in realm["clients"]}
    assert clients[SERVICE_AUDIENCE]["bearerOnly"]
    # confidential clients with a service account are made at run time, never with a secret here
    assert not [c for c in realm["clients"] if c.get("serviceAccountsEnabled") or "secret" in c]
    # no clientScopes: declaring any would replace Keycloak's default ones (roles, profile, ...)
    assert "clientScopes" not in realm


@pytest.mark.parametrize("client_id", ["gateway", "hospital-x", "svc-", "svc-Gateway", "svc-a b"])
def test_a_client_id_that_is_no_service_clients_is_refused_before_calling_keycloak(
    client_id, tmp_path
):
    cfg = StackConfig.for_tests(tmp_path)
    with pytest.raises(ValueError, match="svc-<name>"):
        identity.ensure_service_client(cfg, client_id)
    assert not (tmp_path / "keycloak-admin.json").exists()


# --------------------------------------------------------------------------- on the stack
@pytest.fixture(scope="module")
def cfg(stack) -> StackConfig:
    return stack.cfg


@pytest.fixture(scope="module")
def files(cfg) -> dict[str, Path]:
    return service_credentials(cfg)


@pytest.fixture(scope="module")
def keys(cfg) -> KeySet:
    discovery = httpx.get(issuer(cfg) + "/.well-known/openid-configuration").json()
    return KeySet.import_key_set(httpx.get(discovery["jwks_uri"]).json())


def claims_of(cfg: StackConfig, keys: KeySet, token: str) -> dict[str, Any]:
    """The access token's claims once its signature, issuer, audience and expiry check out."""
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer(cfg)},
        aud={"essential": True, "value": SERVICE_AUDIENCE},
        exp={"essential": True},
        sub={"essential": True},
    ).validate(decoded.claims)
    return decoded.claims


def roles(claims: dict[str, Any]) -> set[str]:
    return set(claims["realm_access"]["roles"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_credentials_files_are_the_owners_only_and_name_the_token_endpoint(cfg, files):
    assert set(files) == {GATEWAY_CLIENT, OPERATIONS_CLIENT}
    assert stat.S_IMODE(credentials_dir(cfg).stat().st_mode) == 0o700
    for client_id, path in files.items():
        assert path == credentials_dir(cfg) / f"{client_id}.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        creds = json.loads(path.read_text())
        assert set(creds) == {"client_id", "client_secret", "token_url"}
        assert creds["client_id"] == client_id and len(creds["client_secret"]) >= 16
        assert (
            creds["token_url"] == token_url(cfg) == issuer(cfg) + "/protocol/openid-connect/token"
        )
    assert not list(credentials_dir(cfg).glob("*.tmp"))


def test_a_service_clients_token_is_for_the_services_with_role_service(cfg, keys, files):
    creds = read_service_credentials(cfg, GATEWAY_CLIENT)
    granted = identity.service_token(cfg, GATEWAY_CLIENT, creds["client_secret"])
    claims = claims_of(cfg, keys, granted["access_token"])
    assert SERVICE_AUDIENCE in claims["aud"] and claims["azp"] == GATEWAY_CLIENT
    assert roles(claims) == {SERVICE_ROLE}  # no citizen, no default roles
    assert "refresh_token" not in granted
    with pytest.raises(identity.TokenRefused) as refused:
        identity.service_token(cfg, GATEWAY_CLIENT, creds["client_secret"] + "x")
    assert refused.value.status == 401
    # client credentials only: no password grant
    denied = httpx.post(
        token_url(cfg),
        data={
            "grant_type": "password",
            "client_id": GATEWAY_CLIENT,
            "client_secret": creds["client_secret"],
            "username": "x@example.ma",
            "password": PASSWORD,
        },
    )
    assert denied.status_code in (400, 401) and denied.json()["error"] == "unauthorized_client"


def _service(cfg: StackConfig, http: httpx.AsyncClient) -> ServiceCallers:
    """A small service behind the middleware, verifying with the real realm's keys."""
    app = FastAPI()

    @app.get("/health")
    async def health():
        return {"ok": True}

    @app.get("/v1/who")
    async def who(request: Request):
        return {"client": request.state.service_caller.client_id}

    verifier = TokenVerifier(
        issuer=issuer(cfg),
        audience=SERVICE_AUDIENCE,
        fetch_keys=jwks_fetcher(f"{issuer(cfg)}/protocol/openid-connect/certs", client=http),
    )
    return ServiceCallers(app, verifier_factory=lambda: verifier, open_paths=("/health",))


async def test_service_callers_let_service_clients_through_and_refuse_other_tokens(cfg, files):
    hospital = identity.ensure_hospital(cfg, f"Clinique {secrets.token_hex(2)}")
    assert hospital.secret
    hospital_token = identity.hospital_token(cfg, hospital.client_id, hospital.secret)
    email = f"amina.{secrets.token_hex(4)}@example.ma"
    identity.create_user(cfg, email, PASSWORD, roles=("citizen",))
    citizen_token = identity.password_grant(cfg, email, PASSWORD)

    async with (
        httpx.AsyncClient(timeout=30) as http,
        ServiceTokens.from_file(files[GATEWAY_CLIENT], http=http) as gateway,
        ServiceTokens.from_file(files[OPERATIONS_CLIENT]) as operations,
    ):
        service = _service(cfg, http)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service), base_url="http://svc"
        ) as svc:
            # ServiceTokens draws from the real token endpoint, once for several calls
            header = await gateway.header()
            assert await gateway.header() == header
            for tokens, client_id in ((gateway, GATEWAY_CLIENT), (operations, OPERATIONS_CLIENT)):
                r = await svc.get("/v1/who", headers=await tokens.header())
                assert r.status_code == 200 and r.json() == {"client": client_id}

            assert (await svc.get("/health")).status_code == 200
            assert (await svc.get("/v1/who")).status_code == 401
            # a hospital's and a citizen's tokens are not for the services (audience amo-gateway)
            for refused in (hospital_token, citizen_token):
                r = await svc.get("/v1/who", headers=_bearer(refused["access_token"]))
                assert r.status_code == 401
                assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'

        wrong = ServiceTokens(token_url(cfg), GATEWAY_CLIENT, "not-the-secret", http=http)
        with pytest.raises(ServiceTokenRefused) as no:
            await wrong.header()
        assert no.value.status == 401 and "not-the-secret" not in str(no.value)


async def test_a_service_audience_token_without_role_service_is_403_until_ensured_again(cfg):
    client_id = f"svc-test-{secrets.token_hex(3)}"
    secret = identity.ensure_service_client(cfg, client_id)
    with identity.admin(cfg) as api:
        [client] = api.get("/clients", params={"clientId": client_id}).json()
        account = api.get(f"/clients/{client['id']}/service-account-user").json()
        identity.set_realm_roles(api, account["id"], [], drop=(SERVICE_ROLE,))
    roleless = identity.service_token(cfg, client_id, secret)["access_token"]

    async with httpx.AsyncClient(timeout=30) as http:
        service = _service(cfg, http)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service), base_url="http://svc"
        ) as svc:
            r = await svc.get("/v1/who", headers=_bearer(roleless))
            assert r.status_code == 403 and SERVICE_ROLE in r.json()["detail"]
            # ensuring the client again gives its account the role back
            assert identity.ensure_service_client(cfg, client_id) == secret
            token = identity.service_token(cfg, client_id, secret)["access_token"]
            r = await svc.get("/v1/who", headers=_bearer(token))
            assert r.status_code == 200 and r.json() == {"client": client_id}


def test_ensuring_a_service_client_twice_keeps_one_client_and_its_secret(cfg, files):
    before = read_service_credentials(cfg, OPERATIONS_CLIENT)
    again = service_credentials(cfg)
    assert again == files and read_service_credentials(cfg, OPERATIONS_CLIENT) == before
    assert identity.ensure_service_client(cfg, OPERATIONS_CLIENT) == before["client_secret"]
    with identity.admin(cfg) as api:
        [client] = api.get("/clients", params={"clientId": OPERATIONS_CLIENT}).json()
        assert client["serviceAccountsEnabled"] and not client["publicClient"]
        assert not client["standardFlowEnabled"] and not client["directAccessGrantsEnabled"]
        mappers = api.get(f"/clients/{client['id']}/protocol-mappers/models").json()
        audience = [m for m in mappers if m["protocolMapper"] == "oidc-audience-mapper"]
        assert [m["config"]["included.client.audience"] for m in audience] == [SERVICE_AUDIENCE]
        assert len(api.get("/clients", params={"clientId": SERVICE_AUDIENCE}).json()) == 1
