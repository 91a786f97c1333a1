"""Keycloak on the session's stack: a citizen registers through Keycloak's own pages over plain
HTTP and signs in with the authorization code and PKCE; amo-cli's password grant; the code paths
of `make operator` and `make hospital`; every token checked against the realm's JWKS. The first
tests need no server: the program's declaration, the realm file and the commands' refusals."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from typer.testing import CliRunner

from amo_localstack import identity
from amo_localstack.cli import app
from amo_localstack.config import PORT_FIELDS, StackConfig
from amo_localstack.keycloak import REALM, issuer, keycloak_command
from amo_localstack.orchestrator import start_programs
from amo_localstack.programs import BY_NAME, SERVER
from amo_localstack.supervision import Supervisor

REALM_FILE = Path(__file__).resolve().parents[1] / "keycloak" / "amo-realm.json"
PORTAL_CALLBACK = "http://127.0.0.1:8200/callback"
PASSWORD = "Un-mot-de-passe-long-7"


# --------------------------------------------------------------------------- no server
def test_keycloak_is_a_server_on_its_own_ports_with_no_secret_on_its_command_line(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    program = BY_NAME["keycloak"]
    assert program.kind == SERVER and not program.optional and program.after == ("postgres",)
    assert {"keycloak_http_port", "keycloak_management_port"} <= set(PORT_FIELDS)
    assert program.ports(cfg) == {
        "keycloak_http_port": cfg.keycloak_http_port,
        "keycloak_management_port": cfg.keycloak_management_port,
    }
    assert program.url(cfg) == f"http://127.0.0.1:{cfg.keycloak_http_port}"
    d = StackConfig.model_fields
    assert (d["keycloak_http_port"].default, d["keycloak_management_port"].default) == (8180, 9180)
    command = keycloak_command(cfg)
    assert command.argv[2:] == ["start", "--optimized", "--import-realm"]
    assert command.env["JAVA_OPTS_KC_HEAP"] == "-Xms64m -Xmx384m"
    assert command.env["AMO_MAILPIT_SMTP_PORT"] == str(cfg.mailpit_smtp_port)
    assert not (tmp_path / "keycloak-admin.json").exists()  # drawn by the start, not here


def test_the_realm_file_declares_the_development_realm():
    realm = json.loads(REALM_FILE.read_text())
    assert realm["realm"] == REALM and realm["registrationAllowed"] and realm["verifyEmail"]
    assert realm["registrationEmailAsUsername"] and realm["bruteForceProtected"]
    assert realm["accessTokenLifespan"] == 300 and "length(12)" in realm["passwordPolicy"]
    assert realm["smtpServer"]["port"].startswith("${AMO_MAILPIT_SMTP_PORT")
    roles = {r["name"]: r for r in realm["roles"]["realm"]}
    assert {"citizen", "reviewer", "supervisor", "admin", "hospital"} <= set(roles)
    assert "citizen" in roles["default-roles-amo"]["composites"]["realm"]
    clients = {c["clientId"]: c for c in realm["clients"]}
    portal, cli = clients["amo-portal"], clients["amo-cli"]
    assert portal["publicClient"] and portal["standardFlowEnabled"]
    assert not portal["directAccessGrantsEnabled"] and not portal["implicitFlowEnabled"]
    assert portal["attributes"]["pkce.code.challenge.method"] == "S256"
    assert portal["redirectUris"] == ["http://127.0.0.1:8200/*"]
    assert (
        cli["publicClient"] and cli["directAccessGrantsEnabled"] and not cli["standardFlowEnabled"]
    )
    assert clients["amo-gateway"]["bearerOnly"]
    for client in (portal, cli):
        [mapper] = client["protocolMappers"]
        assert mapper["config"]["included.client.audience"] == identity.AUDIENCE


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["operator", "--user", "amina@amo.ma", "--role", "root"], "unknown role 'root'"),
        (["operator", "--user", "amina", "--role", "reviewer"], "email address"),
        (["hospital", "--name", "  "], "NAME is empty"),
        (["hospital", "--name", "مستشفى"], "Latin letters or digits"),
    ],
)
def test_the_commands_refuse_bad_input_before_calling_keycloak(args, says, monkeypatch, tmp_path):
    monkeypatch.setenv("AMO_LOCAL_DIR", str(tmp_path))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and says in result.output
    assert not (tmp_path / "keycloak-admin.json").exists()


def test_hospital_client_ids_are_slugs_of_their_names():
    assert identity.hospital_slug("CHU Ibn Sina (Rabat)") == "chu-ibn-sina-rabat"
    assert identity.hospital_slug("Hôpital Moulay-Youssef") == "hopital-moulay-youssef"


# --------------------------------------------------------------------------- on the stack
@pytest.fixture(scope="module")
def cfg(stack) -> StackConfig:
    return stack.cfg


@pytest.fixture(scope="module")
def keys(cfg) -> KeySet:
    discovery = httpx.get(issuer(cfg) + "/.well-known/openid-configuration").json()
    return KeySet.import_key_set(httpx.get(discovery["jwks_uri"]).json())


def claims_of(cfg: StackConfig, keys: KeySet, token: str) -> dict[str, Any]:
    """The access token's claims once its signature, issuer, audience and expiry check out."""
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer(cfg)},
        aud={"essential": True, "value": identity.AUDIENCE},
        exp={"essential": True},
        sub={"essential": True},
    ).validate(decoded.claims)
    return decoded.claims


def roles(claims: dict[str, Any]) -> set[str]:
    return set(claims["realm_access"]["roles"])


def _email() -> str:
    return f"amina.{secrets.token_hex(4)}@example.ma"


def test_the_realm_is_served_with_our_issuer_and_mails_through_the_stacks_mailpit(cfg):
    discovery = httpx.get(issuer(cfg) + "/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"http://127.0.0.1:{cfg.keycloak_http_port}/realms/amo"
    assert "S256" in discovery["code_challenge_methods_supported"]
    with identity.admin(cfg) as api:
        realm = api.get("").json()
    # the `${AMO_MAILPIT_SMTP_PORT}` placeholder, resolved at import from Keycloak's environment
    assert realm["smtpServer"]["port"] == str(cfg.mailpit_smtp_port) != "1025"
    assert realm["accessTokenLifespan"] == 300
    ready = httpx.get(f"http://127.0.0.1:{cfg.keycloak_management_port}/health/ready")
    assert ready.status_code == 200


def _browser() -> httpx.Client:
    """A client that, like a browser, sends `Secure` cookies to http://127.0.0.1 (a secure
    context for browsers; Keycloak marks its SameSite=None cookies Secure even over HTTP)."""
    client = httpx.Client(timeout=30)

    def loopback_is_secure(response: httpx.Response) -> None:
        for cookie in client.cookies.jar:
            if cookie.domain == "127.0.0.1":
                cookie.secure = False

    client.event_hooks["response"] = [loopback_is_secure]
    return client


def _follow_to_portal(browser: httpx.Client, response: httpx.Response) -> str:
    """Follow Keycloak's redirects until one leaves for the portal; that location."""
    while response.is_redirect:
        location = response.headers["Location"]
        if location.startswith(PORTAL_CALLBACK):
            return location
        response = browser.get(location)
    raise AssertionError(f"no redirect to the portal (status {response.status_code})")


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_a_citizen_registers_verifies_their_email_and_signs_in_with_code_and_pkce(cfg, keys):
    email, (verifier, challenge), state = _email(), _pkce(), secrets.token_urlsafe(8)
    auth = issuer(cfg) + "/protocol/openid-connect/auth"
    params = {
        "client_id": "amo-portal",
        "response_type": "code",
        "redirect_uri": PORTAL_CALLBACK,
        "scope": "openid",
        "state": state,
    }
    with _browser() as browser:
        # PKCE is required: no challenge, no sign-in page
        refused = browser.get(auth, params=params)
        assert refused.is_redirect and "code_challenge" in refused.headers["Location"]

        login = browser.get(
            auth, params=params | {"code_challenge": challenge, "code_challenge_method": "S256"}
        )
        assert login.status_code == 200
        [register_href] = re.findall(r'href="([^"]*/login-actions/registration[^"]*)"', login.text)
        page = browser.get(httpx.URL(str(login.url)).join(html.unescape(register_href)))
        form = re.search(r'<form[^>]*id="kc-register-form"[^>]*action="([^"]+)"', page.text)
        assert page.status_code == 200 and form, "no registration form"
        fields = {
            "email": email,
            "firstName": "Amina",
            "lastName": "Benali",
            "password": PASSWORD,
            "password-confirm": PASSWORD,
        }
        # then the verify-email page, whose first display sends the email
        waiting = browser.post(html.unescape(form.group(1)), data=fields, follow_redirects=True)
        assert waiting.status_code == 200

        link = identity.verification_link(cfg, email)
        assert link.startswith(issuer(cfg) + "/login-actions/action-token?")
        callback = _follow_to_portal(browser, browser.get(link))

    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [state]
    token_url = issuer(cfg) + "/protocol/openid-connect/token"
    exchange = {
        "grant_type": "authorization_code",
        "client_id": "amo-portal",
        "code": query["code"][0],
        "redirect_uri": PORTAL_CALLBACK,
    }
    tokens = httpx.post(token_url, data=exchange | {"code_verifier": verifier}).json()
    claims = claims_of(cfg, keys, tokens["access_token"])
    assert "citizen" in roles(claims) and claims["azp"] == "amo-portal"
    assert claims["email"] == email and claims["email_verified"] is True
    # a code is used once
    again = httpx.post(token_url, data=exchange | {"code_verifier": verifier})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    with identity.admin(cfg) as api:
        user = identity.find_user(api, email)
    assert user is not None and user["emailVerified"] and claims["sub"] == user["id"]
    later = identity.password_grant(cfg, email, PASSWORD)  # the same person the next time
    assert claims_of(cfg, keys, later["access_token"])["sub"] == claims["sub"]


def test_amo_cli_password_grant_for_a_created_user(cfg, keys):
    email = _email()
    user_id = identity.create_user(cfg, email, PASSWORD, roles=("citizen",))
    claims = claims_of(cfg, keys, identity.password_grant(cfg, email, PASSWORD)["access_token"])
    assert claims["sub"] == user_id and claims["azp"] == "amo-cli"
    assert roles(claims) == {"citizen"} and claims["exp"] - claims["iat"] == 300
    with pytest.raises(identity.TokenRefused) as refused:
        identity.password_grant(cfg, email, PASSWORD + "x")
    assert refused.value.error == "invalid_grant"
    # amo-portal has no password grant
    with pytest.raises(identity.TokenRefused) as refused:
        identity.password_grant(cfg, email, PASSWORD, client_id="amo-portal")
    assert refused.value.error == "unauthorized_client"


def test_make_operator_creates_a_reviewer_then_changes_their_role(cfg, keys):
    email = _email()
    made = identity.ensure_operator(cfg, email.upper(), "reviewer")
    assert made.created and made.username == email and made.role == "reviewer"
    assert made.password and len(made.password) >= 12
    # the temporary password must be changed at first sign-in: no token with it
    with pytest.raises(identity.TokenRefused, match="not fully set up"):
        identity.password_grant(cfg, email, made.password)

    identity.complete_first_login(cfg, email, PASSWORD, first_name="Amina", last_name="Alaoui")
    claims = claims_of(cfg, keys, identity.password_grant(cfg, email, PASSWORD)["access_token"])
    assert "reviewer" in roles(claims) and "citizen" not in roles(claims)

    moved = identity.ensure_operator(cfg, email, "supervisor")
    assert not moved.created and moved.password is None  # the password stays theirs
    claims = claims_of(cfg, keys, identity.password_grant(cfg, email, PASSWORD)["access_token"])
    assert {"supervisor"} <= roles(claims) and not {"reviewer", "citizen"} & roles(claims)


def test_make_hospital_gives_a_client_credentials_token_with_role_hospital(cfg, keys):
    name = f"CHU Ibn Sina {secrets.token_hex(2)}"
    made = identity.ensure_hospital(cfg, name)
    assert made.created and made.client_id == f"hospital-{identity.hospital_slug(name)}"
    assert made.secret
    claims = claims_of(
        cfg, keys, identity.hospital_token(cfg, made.client_id, made.secret)["access_token"]
    )
    assert roles(claims) == {"hospital"} and claims["azp"] == made.client_id

    with pytest.raises(identity.TokenRefused) as refused:
        identity.hospital_token(cfg, made.client_id, made.secret + "x")
    # 401; Keycloak names it `unauthorized_client` where RFC 6749 says `invalid_client`
    assert refused.value.status == 401 and refused.value.error == "unauthorized_client"
    # client credentials only: no password grant for it
    form = {"grant_type": "password", "client_id": made.client_id, "client_secret": made.secret}
    denied = httpx.post(
        issuer(cfg) + "/protocol/openid-connect/token",
        data=form | {"username": "x@example.ma", "password": PASSWORD},
    )
    assert denied.status_code in (400, 401) and denied.json()["error"] == "unauthorized_client"

    again = identity.ensure_hospital(cfg, name)
    assert not again.created and again.secret is None  # printed once, kept
    identity.hospital_token(cfg, made.client_id, made.secret)
    rotated = identity.ensure_hospital(cfg, name, rotate_secret=True)
    assert rotated.secret and rotated.secret != made.secret
    identity.hospital_token(cfg, made.client_id, rotated.secret)
    with pytest.raises(identity.TokenRefused):
        identity.hospital_token(cfg, made.client_id, made.secret)


def test_tokens_are_issued_right_after_a_postgresql_restart(cfg, keys):
    # The pool's connections all die with PostgreSQL; each is checked before it is lent, so the
    # first requests after the restart get fresh ones instead of a 500 (the test suite's own
    # outage tests restart PostgreSQL under a running Keycloak).
    email = _email()
    user_id = identity.create_user(cfg, email, PASSWORD, roles=("citizen",))
    for _ in range(3):
        identity.password_grant(cfg, email, PASSWORD)
    Supervisor(cfg).stop("postgres")
    start_programs(cfg, ["postgres"])
    for _ in range(3):
        token = identity.password_grant(cfg, email, PASSWORD)["access_token"]
        assert claims_of(cfg, keys, token)["sub"] == user_id
