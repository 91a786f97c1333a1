"""Realm `amo` from code, through Keycloak's admin REST API with the data dir's bootstrap admin:
operators and hospitals (`make operator`, `make hospital`), and what tests need: a user with a
password, tokens by amo-cli's password grant or a hospital's client credentials, and the
verification link Keycloak emailed (read from Mailpit)."""

from __future__ import annotations

import html
import re
import secrets
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from .config import StackConfig
from .keycloak import REALM, admin_credentials, issuer, url

OPERATOR_ROLES = ("reviewer", "supervisor", "admin")
CITIZEN_ROLE, HOSPITAL_ROLE = "citizen", "hospital"
CLI_CLIENT = "amo-cli"  # public, password grant: scripts and tests only
AUDIENCE = "amo-gateway"  # every access token's `aud` carries it
DEFAULT_ROLES = f"default-roles-{REALM}"  # what self-registration gives (citizen, ...)
Json = dict[str, Any]


class TokenRefused(RuntimeError):
    """The token endpoint said no (400/401): `error` is its OAuth error code."""

    def __init__(self, status: int, body: Json):
        self.status, self.error = status, str(body.get("error", ""))
        super().__init__(f"{status} {self.error}: {body.get('error_description', '')}")


@dataclass(frozen=True)
class Operator:
    username: str
    role: str
    password: str | None  # the temporary one, None when left unchanged
    created: bool


@dataclass(frozen=True)
class Hospital:
    client_id: str
    secret: str | None  # None when left unchanged
    created: bool


# --------------------------------------------------------------------------- tokens
def _token(cfg: StackConfig, form: dict[str, str], realm: str = REALM) -> Json:
    r = httpx.post(f"{issuer(cfg, realm)}/protocol/openid-connect/token", data=form, timeout=30)
    if r.status_code in (400, 401):
        raise TokenRefused(r.status_code, r.json())
    r.raise_for_status()
    body: Json = r.json()
    return body


def password_grant(
    cfg: StackConfig, username: str, password: str, *, client_id: str = CLI_CLIENT
) -> Json:
    """amo-cli's direct grant: the token response (`access_token`, `refresh_token`, ...)."""
    form = {"grant_type": "password", "client_id": client_id, "scope": "openid"}
    return _token(cfg, form | {"username": username, "password": password})


def hospital_token(cfg: StackConfig, client_id: str, secret: str) -> Json:
    """A hospital system's token by client credentials."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return _token(cfg, form)


# --------------------------------------------------------------------------- admin API
def _checked(r: httpx.Response) -> None:
    if r.is_error:
        r.read()
        raise httpx.HTTPStatusError(
            f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:300]}",
            request=r.request,
            response=r,
        )


@contextmanager
def admin(cfg: StackConfig) -> Iterator[httpx.Client]:
    """An httpx client on `/admin/realms/amo`, signed in as the bootstrap admin; an error
    status raises `httpx.HTTPStatusError` with Keycloak's answer."""
    username, password = admin_credentials(cfg)
    form = {"grant_type": "password", "client_id": "admin-cli"}
    token = _token(cfg, form | {"username": username, "password": password}, realm="master")
    with httpx.Client(
        base_url=f"{url(cfg)}/admin/realms/{REALM}",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        event_hooks={"response": [_checked]},
        timeout=30,
    ) as api:
        yield api


def _created_id(r: httpx.Response) -> str:
    return r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def find_user(api: httpx.Client, username: str) -> Json | None:
    found: list[Json] = api.get("/users", params={"username": username, "exact": "true"}).json()
    return found[0] if found else None


def _role(api: httpx.Client, name: str) -> Json:
    role: Json = api.get(f"/roles/{name}").json()
    return role


def ensure_role(api: httpx.Client, name: str, description: str) -> None:
    try:
        _role(api, name)
    except httpx.HTTPStatusError as e:
        if e.response.status_code != 404:
            raise
        api.post("/roles", json={"name": name, "description": description})


def set_realm_roles(
    api: httpx.Client, user_id: str, roles: Iterable[str], *, drop: Iterable[str]
) -> None:
    """Give `user_id` these realm roles; take away those of `drop` it has and is not given."""
    wanted = set(roles)
    mapped = {m["name"] for m in api.get(f"/users/{user_id}/role-mappings/realm").json()}
    extra = [_role(api, n) for n in sorted((set(drop) & mapped) - wanted)]
    missing = [_role(api, n) for n in sorted(wanted - mapped)]
    if extra:
        api.request("DELETE", f"/users/{user_id}/role-mappings/realm", json=extra)
    if missing:
        api.post(f"/users/{user_id}/role-mappings/realm", json=missing)


def create_user(
    cfg: StackConfig,
    email: str,
    password: str,
    roles: Iterable[str] = (CITIZEN_ROLE,),
    *,
    email_verified: bool = True,
) -> str:
    """A user of realm `amo` (username = email) with exactly these realm roles; its id."""
    rep = {
        "username": email,
        "email": email,
        "emailVerified": email_verified,
        "enabled": True,
        # The realm's user profile requires both names: without them a sign-in is refused
        # ("Account is not fully set up") until the user fills them in.
        "firstName": "Test",
        "lastName": "User",
        "credentials": [{"type": "password", "value": password, "temporary": False}],
    }
    with admin(cfg) as api:
        user_id = _created_id(api.post("/users", json=rep))
        set_realm_roles(api, user_id, roles, drop=(DEFAULT_ROLES,))
    return user_id


def complete_first_login(
    cfg: StackConfig, username: str, password: str, *, first_name: str, last_name: str
) -> None:
    """What an operator's first sign-in does (tests): a permanent password, both names."""
    with admin(cfg) as api:
        user = find_user(api, username)
        if user is None:
            raise LookupError(f"no user {username!r} in realm {REALM}")
        api.put(
            f"/users/{user['id']}/reset-password",
            json={"type": "password", "value": password, "temporary": False},
        )
        user |= {"firstName": first_name, "lastName": last_name, "requiredActions": []}
        api.put(f"/users/{user['id']}", json=user)


# --------------------------------------------------------------------------- commands
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def ensure_operator(
    cfg: StackConfig, username: str, role: str, *, reset_password: bool = False
) -> Operator:
    """`make operator`: the operator (username = their email) with exactly `role`, created with
    a temporary password Keycloak makes them change at first sign-in; an existing operator's
    role is replaced and their password kept unless `reset_password`."""
    if role not in OPERATOR_ROLES:
        raise ValueError(f"unknown role {role!r}: ROLE must be one of {', '.join(OPERATOR_ROLES)}")
    email = username.strip().lower()
    if not _EMAIL.match(email):
        raise ValueError(
            f"USER must be the operator's email address (the realm signs in by email), not {username!r}"
        )
    password = secrets.token_urlsafe(12) if reset_password else None
    with admin(cfg) as api:
        user = find_user(api, email)
        if user is None:
            password = password or secrets.token_urlsafe(12)
            rep = {
                "username": email,
                "email": email,
                "emailVerified": True,  # vouched for by the admin who runs the command
                "enabled": True,
                "requiredActions": ["UPDATE_PASSWORD"],
                "credentials": [{"type": "password", "value": password, "temporary": True}],
            }
            user_id = _created_id(api.post("/users", json=rep))
        else:
            user_id = user["id"]
            if password:
                api.put(
                    f"/users/{user_id}/reset-password",
                    json={"type": "password", "value": password, "temporary": True},
                )
        # An operator account is nobody's citizen account: only its operator role.
        set_realm_roles(api, user_id, [role], drop=(DEFAULT_ROLES, CITIZEN_ROLE, *OPERATOR_ROLES))
    return Operator(email, role, password, created=user is None)


def hospital_slug(name: str) -> str:
    """`CHU Ibn Sina (Rabat)` -> `chu-ibn-sina-rabat`: Latin letters and digits, accents dropped."""
    latin = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")[:48].rstrip("-")
    if not slug:
        raise ValueError(
            f"NAME must contain Latin letters or digits (e.g. NAME='CHU Ibn Sina'), not {name!r}"
        )
    return slug


def _machine_client_rep(client_id: str, name: str, description: str) -> Json:
    """A confidential client that only takes client credentials: a hospital's system or a
    service of the platform (no browser flow, no password grant, no refresh token)."""
    return {
        "clientId": client_id,
        "name": name,
        "description": description,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "bearerOnly": False,
        "clientAuthenticatorType": "client-secret",
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "attributes": {
            "oauth2.device.authorization.grant.enabled": "false",
            "oidc.ciba.grant.enabled": "false",
            "client_credentials.use_refresh_token": "false",
        },
    }


def _hospital_rep(client_id: str, name: str) -> Json:
    return _machine_client_rep(client_id, name, "A hospital's system: client credentials only")


_AUDIENCE_MAPPER: Json = {
    "name": f"audience {AUDIENCE}",
    "protocol": "openid-connect",
    "protocolMapper": "oidc-audience-mapper",
    "config": {
        "included.client.audience": AUDIENCE,
        "access.token.claim": "true",
        "id.token.claim": "false",
        "introspection.token.claim": "true",
    },
}


FACILITY_CLAIM = "facility_id"  # the approved facility a hospital client bills as
_FACILITY_ID = re.compile(r"^FAC-\d{6}$")


def _facility_mapper(facility: str) -> Json:
    return {
        "name": FACILITY_CLAIM,
        "protocol": "openid-connect",
        "protocolMapper": "oidc-hardcoded-claim-mapper",
        "config": {
            "claim.name": FACILITY_CLAIM,
            "claim.value": facility,
            "jsonType.label": "String",
            "access.token.claim": "true",
            "id.token.claim": "false",
            "introspection.token.claim": "true",
        },
    }


def _set_facility(api: httpx.Client, cid: str, facility: str) -> None:
    """The client's tokens name `facility` (the mapper replaced if it named another)."""
    for mapper in api.get(f"/clients/{cid}/protocol-mappers/models").json():
        if mapper.get("name") == FACILITY_CLAIM:
            if mapper.get("config", {}).get("claim.value") == facility:
                return
            api.delete(f"/clients/{cid}/protocol-mappers/models/{mapper['id']}")
    api.post(f"/clients/{cid}/protocol-mappers/models", json=_facility_mapper(facility))


def ensure_hospital(
    cfg: StackConfig, name: str, *, facility: str | None = None, rotate_secret: bool = False
) -> Hospital:
    """`make hospital`: confidential client `hospital-<slug>`, client credentials only, its
    service account holding realm role `hospital` (created if missing); with `facility` (an
    approved facility's id, FAC-NNNNNN) its tokens carry it, which lets it bill directly as
    that facility. The secret Keycloak draws is returned when the client is created or
    `rotate_secret`, else None."""
    if not name.strip():
        raise ValueError("NAME is empty: give the hospital's name, e.g. NAME='CHU Ibn Sina'")
    if facility is not None and not _FACILITY_ID.match(facility):
        raise ValueError(
            f"FACILITY must be an approved facility's id (FAC-000201), not {facility!r}"
        )
    client_id = f"hospital-{hospital_slug(name)}"
    rep = _hospital_rep(client_id, name.strip())
    with admin(cfg) as api:
        ensure_role(api, HOSPITAL_ROLE, "A hospital's system (client credentials)")
        found = api.get("/clients", params={"clientId": client_id}).json()
        if found:
            cid = found[0]["id"]
            api.put(f"/clients/{cid}", json=found[0] | rep)  # flows back to what they must be
        else:
            cid = _created_id(
                api.post("/clients", json=rep | {"protocolMappers": [_AUDIENCE_MAPPER]})
            )
        if found and rotate_secret:
            api.post(f"/clients/{cid}/client-secret")
        secret = None
        if not found or rotate_secret:
            secret = api.get(f"/clients/{cid}/client-secret").json()["value"]
        account = api.get(f"/clients/{cid}/service-account-user").json()
        set_realm_roles(api, account["id"], [HOSPITAL_ROLE], drop=(DEFAULT_ROLES,))
        if facility is not None:
            _set_facility(api, cid, facility)
    return Hospital(client_id, secret, created=not found)


# --------------------------------------------------------------------------- service clients
SERVICE_AUDIENCE = "amo-services"  # every service credential's `aud` carries it
SERVICE_ROLE = "service"  # what the internal endpoints require (amo_shared.service_auth)
_SERVICE_CLIENT_ID = re.compile(r"^svc-[a-z0-9][a-z0-9-]{0,40}$")


def _service_rep(client_id: str) -> Json:
    return _machine_client_rep(
        client_id,
        f"Service client {client_id}",
        "Calls the internal services: client credentials only, secret never in the repository "
        "(drawn by Keycloak, read through the admin API)",
    )


_SERVICE_AUDIENCE_MAPPER: Json = {
    "name": f"audience {SERVICE_AUDIENCE}",
    "protocol": "openid-connect",
    "protocolMapper": "oidc-audience-mapper",
    "config": {
        "included.client.audience": SERVICE_AUDIENCE,
        "access.token.claim": "true",
        "id.token.claim": "false",
        "introspection.token.claim": "true",
    },
}


def _ensure_service_audience(api: httpx.Client) -> None:
    """The resource server `amo-services` (bearer only), the audience of service credentials:
    in the realm file, made here for a realm imported before it was."""
    if not api.get("/clients", params={"clientId": SERVICE_AUDIENCE}).json():
        api.post(
            "/clients",
            json={
                "clientId": SERVICE_AUDIENCE,
                "name": "AMO internal services (the audience of service credentials)",
                "description": "Resource server: checks service credentials, signs nobody in",
                "enabled": True,
                "protocol": "openid-connect",
                "bearerOnly": True,
                "publicClient": False,
                "standardFlowEnabled": False,
                "implicitFlowEnabled": False,
                "directAccessGrantsEnabled": False,
                "serviceAccountsEnabled": False,
            },
        )


def _set_service_audience(api: httpx.Client, cid: str) -> None:
    """The client's tokens name audience `amo-services`: one mapper, put back as it must be."""
    wanted = _SERVICE_AUDIENCE_MAPPER
    for mapper in api.get(f"/clients/{cid}/protocol-mappers/models").json():
        if mapper.get("name") == wanted["name"]:
            same = mapper.get("protocolMapper") == wanted["protocolMapper"]
            if same and mapper.get("config", {}) | wanted["config"] == mapper.get("config"):
                return
            api.delete(f"/clients/{cid}/protocol-mappers/models/{mapper['id']}")
    api.post(f"/clients/{cid}/protocol-mappers/models", json=wanted)


def ensure_service_client(cfg: StackConfig, client_id: str) -> str:
    """Confidential client `client_id` (`svc-...`) for calls to the internal services: client
    credentials only, its tokens for audience `amo-services`, its service account holding
    exactly realm role `service` (created if missing; an existing one is put back as it must
    be). Its secret, drawn by Keycloak and read back through the admin API, is returned."""
    if not _SERVICE_CLIENT_ID.match(client_id):
        raise ValueError(
            f"a service client's id is svc-<name> (lower-case letters, digits, '-'), "
            f"not {client_id!r}"
        )
    rep = _service_rep(client_id)
    with admin(cfg) as api:
        ensure_role(api, SERVICE_ROLE, "A service client's account: calls the internal services")
        _ensure_service_audience(api)
        found = api.get("/clients", params={"clientId": client_id}).json()
        if found:
            cid = found[0]["id"]
            api.put(f"/clients/{cid}", json=found[0] | rep)  # flows back to what they must be
        else:
            cid = _created_id(api.post("/clients", json=rep))
        _set_service_audience(api, cid)
        account = api.get(f"/clients/{cid}/service-account-user").json()
        mapped = api.get(f"/users/{account['id']}/role-mappings/realm").json()
        others = [m["name"] for m in mapped]  # a service account is no one's account
        set_realm_roles(api, account["id"], [SERVICE_ROLE], drop=(DEFAULT_ROLES, *others))
        secret: str = api.get(f"/clients/{cid}/client-secret").json()["value"]
    return secret


def service_token(cfg: StackConfig, client_id: str, secret: str) -> Json:
    """A service client's token by client credentials (`TokenRefused` on 400/401)."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return _token(cfg, form)


# --------------------------------------------------------------------------- mail
_ACTION_LINK = re.compile(r"https?://[^\s\"'<>]+/login-actions/action-token\?[^\s\"'<>]+")


def verification_link(cfg: StackConfig, address: str, *, timeout: float = 30.0) -> str:
    """The link of the newest email Keycloak sent `address` (verify email), read from Mailpit."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=cfg.mailpit_url, timeout=10) as mail:
        while True:
            found = mail.get("/api/v1/search", params={"query": f"to:{address}"}).json()
            for summary in found.get("messages") or []:  # newest first
                message = mail.get(f"/api/v1/message/{summary['ID']}").json()
                link = _ACTION_LINK.search(message.get("Text") or "")
                if link:
                    return html.unescape(link.group(0))
            if time.monotonic() > deadline:
                raise TimeoutError(f"no verification email to {address} within {timeout:.0f}s")
            time.sleep(0.5)
