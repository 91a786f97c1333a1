"""docker-compose.yml read as compose reads it (no container engine here): every image an exact
release, the bus closed as in deploy/local, Keycloak with realm `amo` behind the gateway, and no
secret with a default."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from amo_localstack import keycloak
from amo_localstack.compose_bus import (
    ADMIN_PASSWORD_VAR,
    password_var,
    plan_from_env,
    required_vars,
)
from amo_localstack.config import SERVICES
from amo_shared.kafka_access import MECHANISM
from amo_shared.sealed import Keyring
from amo_shared.topics import BUS_SERVICES

REPO = Path(__file__).resolve().parents[3]
TEXT = (REPO / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(TEXT)
ALL = COMPOSE["services"]
DOCS = (REPO / "deploy" / "docker" / "README.md").read_text()
FORMAT_SCRIPT = REPO / "deploy" / "docker" / "kafka-format.sh"
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, ${NAME:+alt}
INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
)
# The only variable compose may fill in itself: not a secret.
DEFAULTED = {"AMO_BEHIND_TLS"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEYS?$|JAAS|TOKEN")


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in (ALL[service].get("environment") or {}).items()}


def required(var: str) -> str:
    """How a value requiring `var` starts."""
    return "${" + var + ":?"


def interpolate(value: str, values: dict[str, str]) -> str:
    return INTERPOLATION.sub(lambda m: values[m["name"]], value)


def kafka_properties(service: str) -> dict[str, str]:
    """The properties the apache/kafka image renders from KAFKA_* (KafkaDockerWrapper)."""
    props = {}
    for key, value in env(service).items():
        if key.startswith("KAFKA_"):
            name = key.removeprefix("KAFKA_").lower().replace("_", ".")
            props[name.replace("...", "-").replace("..", "_")] = value
    return props


def depends(service: str) -> dict[str, str]:
    return {k: v["condition"] for k, v in (ALL[service].get("depends_on") or {}).items()}


def bind_mounts(service: str) -> dict[str, str]:
    mounts = {}
    for volume in ALL[service].get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("./"):
            mounts[target] = source
    return mounts


# --- images and secrets ---------------------------------------------------------------------


def test_every_image_is_an_exact_release():
    for name, svc in ALL.items():
        image = svc.get("image", "")
        repository, _, tag = image.rpartition(":")
        assert repository and tag, (name, image)
        assert tag not in ("latest", "stable", "edge") and re.search(r"\d", tag), (name, image)
        # A bare major (postgres:17) floats across releases.
        assert not re.fullmatch(r"v?\d+", tag), (name, image)
    assert ALL["keycloak"]["image"] == f"quay.io/keycloak/keycloak:{keycloak.KEYCLOAK_VERSION}"
    assert ALL["kafka"]["image"] == ALL["kafka-format"]["image"] == "apache/kafka:4.1.0"
    assert ALL["keycloak-db"]["image"].startswith("postgres:17.")


def test_no_secret_has_a_default_and_every_required_variable_is_documented():
    found = list(INTERPOLATION.finditer(TEXT))
    assert found
    defaulted = {m["name"] for m in found if m["op"] != ":?"}
    assert defaulted <= DEFAULTED, defaulted
    for m in found:
        if m["op"] == ":?":
            assert m["arg"] == f"set {m['name']} (deploy/docker/README.md)", m.group()
            assert f"`{m['name']}`" in DOCS, m["name"]
    # Whatever holds a secret takes it from a required variable, never a literal.
    for name in ALL:
        for key, value in env(name).items():
            if SECRET_NAME.search(key):
                assert INTERPOLATION.search(value), (name, key)
                assert all(m["op"] == ":?" for m in INTERPOLATION.finditer(value)), (name, key)
    for secret in ("password=", "PASSWORD:"):
        for line in TEXT.splitlines():
            if secret in line and not line.lstrip().startswith("#"):
                assert "${" in line or "$$" in line, line


def test_the_mounted_files_are_in_the_repository():
    for name in ALL:
        for source in bind_mounts(name).values():
            assert (REPO / source).is_file(), (name, source)


# --- the closed bus -------------------------------------------------------------------------


def test_the_broker_speaks_only_sasl_and_allows_nothing_unless_granted():
    props = kafka_properties("kafka")
    protocols = dict(p.split(":") for p in props["listener.security.protocol.map"].split(","))
    assert protocols == {"INTERNAL": "SASL_PLAINTEXT", "CONTROLLER": "SASL_PLAINTEXT"}
    listeners = {entry.split("://")[0] for entry in props["listeners"].split(",")}
    assert listeners == set(protocols)
    assert props["advertised.listeners"] == "INTERNAL://kafka:9092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["inter.broker.listener.name"] == "INTERNAL"
    assert props["sasl.enabled.mechanisms"] == MECHANISM
    assert props["listener.name.internal.sasl.enabled.mechanisms"] == MECHANISM
    assert props["sasl.mechanism.inter.broker.protocol"] == MECHANISM
    # KRaft's controller cannot check SCRAM: PLAIN there, as in deploy/local.
    assert props["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert props["listener.name.controller.sasl.enabled.mechanisms"] == "PLAIN"
    assert props["authorizer.class.name"] == (
        "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    )
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["super.users"] == "User:admin"
    admin_password = required(ADMIN_PASSWORD_VAR)
    scram = props[f"listener.name.internal.{MECHANISM.lower()}.sasl.jaas.config"]
    assert scram.startswith("org.apache.kafka.common.security.scram.ScramLoginModule required ")
    assert 'username="admin"' in scram and f'password="{admin_password}' in scram
    plain = props["listener.name.controller.plain.sasl.jaas.config"]
    assert f'password="{admin_password}' in plain and f'user_admin="{admin_password}' in plain
    # The data volume is where the broker writes (the image's default is /tmp).
    assert "kafka-data:" + props["log.dirs"] in ALL["kafka"]["volumes"]
    assert props["auto.create.topics.enable"] == "false"


def test_the_broker_is_healthy_only_once_admin_logs_in():
    check = " ".join(ALL["kafka"]["healthcheck"]["test"])
    assert "--command-config" in check and "SASL_PLAINTEXT" in check and MECHANISM in check
    assert "$$" + ADMIN_PASSWORD_VAR in check
    assert env("kafka")[ADMIN_PASSWORD_VAR].startswith(required(ADMIN_PASSWORD_VAR))


def test_the_storage_is_formatted_first_with_admins_scram_credentials():
    fmt = ALL["kafka-format"]
    assert depends("kafka") == {"kafka-format": "service_completed_successfully"}
    assert fmt["restart"] == "no"
    # The same broker settings, the same volume.
    assert env("kafka-format") == env("kafka")
    assert ALL["kafka"]["volumes"][0] in fmt["volumes"]
    [script] = [t for t, s in bind_mounts("kafka-format").items() if s.endswith("kafka-format.sh")]
    assert fmt["entrypoint"] == ["bash", script]
    text = FORMAT_SCRIPT.read_text()
    assert '--add-scram "SCRAM-SHA-512=[name=admin,password=$password]"' in text
    assert "--ignore-formatted" in text and "meta.properties" in text


def test_the_format_script_renders_the_properties_as_the_image_does():
    values = {
        "KAFKA_LISTENER_NAME_INTERNAL_SCRAM___SHA___512_SASL_JAAS_CONFIG": 'x required a="b";',
        "KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND": "false",
        "KAFKA_SOME__UNDERSCORED_NAME": "1",
        "KAFKA_HEAP_OPTS": "-Xmx1g",
    }
    render = FORMAT_SCRIPT.read_text().split("render() {", 1)[1].split("\n}\n", 1)[0]
    out = subprocess.run(
        ["bash", "-c", "render() {" + render + "\n}\nrender"],
        env=values,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sorted(out.splitlines()) == [
        "allow.everyone.if.no.acl.found=false",
        'listener.name.internal.scram-sha-512.sasl.jaas.config=x required a="b";',
        "some_underscored.name=1",
    ]


def test_every_bus_service_logs_in_as_itself_with_a_required_password():
    on_the_bus = {n for n in ALL if any(k.endswith("_KAFKA_BOOTSTRAP_SERVERS") for k in env(n))}
    assert on_the_bus == set(BUS_SERVICES)
    values = {var: f"{var.lower()}-secret-secret" for var in required_vars()} | {
        "AMO_DATA_KEYS": Keyring.generate_spec(),
        "AMO_S3_ACCESS_KEY": "amo",
        "AMO_S3_SECRET_KEY": "s" * 16,
    }
    for service in BUS_SERVICES:
        p = f"AMO_{service.upper()}_"
        e = env(service)
        assert e[p + "KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert e[p + "KAFKA_USERNAME"] == service
        assert e[p + "KAFKA_PASSWORD"].startswith(required(password_var(service)))
        assert depends(service)["kafka-setup"] == "service_completed_successfully"
        # Read by the service's own settings, as it will be in its container.
        settings_class = importlib.import_module(f"amo_{service}.settings").Settings
        settings = settings_class(
            **{
                k.removeprefix(p).lower(): interpolate(v, values)
                for k, v in e.items()
                if k.startswith(p)
            }
        )
        access = settings.kafka_access()
        assert access.username == service
        assert access.password == values[password_var(service)]
        assert access.security_protocol() == "SASL_PLAINTEXT"
    assert not any("KAFKA" in k for k in env("gateway"))


def test_the_bus_setup_gets_every_login_and_grants_before_any_service_starts():
    setup = ALL["kafka-setup"]
    assert setup["image"] == ALL["registration"]["image"]
    assert setup["command"] == [
        "python", "-m", "amo_localstack.compose_bus", "--bootstrap", "kafka:9092",
    ]  # fmt: skip
    assert depends("kafka-setup") == {"kafka": "service_healthy"}
    e = env("kafka-setup")
    assert set(e) == set(required_vars())
    for var, value in e.items():
        assert value.startswith(required(var))
    # The admin's and each service's password are the same variables the broker and the
    # services read.
    for service in BUS_SERVICES:
        assert e[password_var(service)] == env(service)[f"AMO_{service.upper()}_KAFKA_PASSWORD"]
    assert e[ADMIN_PASSWORD_VAR] == env("kafka")[ADMIN_PASSWORD_VAR]
    plan = plan_from_env("kafka:9092", {v: interpolate(e[v], {v: "p" * 20}) for v in e})
    assert len(plan.acls) > 0


# --- the identity provider ------------------------------------------------------------------


def _keycloak_env() -> dict[str, str]:
    return env("keycloak")


def test_keycloak_imports_the_realm_on_its_own_database():
    kc: dict[str, Any] = ALL["keycloak"]
    assert kc["command"][0] == "start" and "--import-realm" in kc["command"]
    mounts = bind_mounts("keycloak")
    realm_targets = [t for t, s in mounts.items() if s == "./deploy/local/" + keycloak.REALM_FILE]
    assert len(realm_targets) == 1
    assert realm_targets[0].startswith("/opt/keycloak/data/import/")
    assert realm_targets[0].endswith(".json")
    e = _keycloak_env()
    assert e["KC_DB"] == "postgres"
    host, database = re.fullmatch(r"jdbc:postgresql://([^:/]+):5432/(\w+)", e["KC_DB_URL"]).groups()
    db = env(host)
    assert ALL[host]["image"].startswith("postgres:")
    assert (db["POSTGRES_DB"], db["POSTGRES_USER"]) == (database, e["KC_DB_USERNAME"])
    assert e["KC_DB_PASSWORD"] == db["POSTGRES_PASSWORD"]
    assert e["KC_DB_PASSWORD"].startswith(required("AMO_KEYCLOAK_DB_PASSWORD"))
    assert depends("keycloak")[host] == "service_healthy"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in ALL[host]["volumes"])
    # The same pool checks as the local stack's.
    [pool] = [s for t, s in mounts.items() if t == "/opt/keycloak/conf/quarkus.properties"]
    lines = set((REPO / pool).read_text().splitlines())
    assert {f"{k}={v}" for k, v in keycloak.POOL_PROPERTIES.items()} <= lines


def test_keycloaks_admin_is_required_its_heap_bounded_its_health_on_the_management_port():
    e = _keycloak_env()
    assert e["KC_BOOTSTRAP_ADMIN_USERNAME"].startswith(required("AMO_KEYCLOAK_ADMIN_USERNAME"))
    assert e["KC_BOOTSTRAP_ADMIN_PASSWORD"].startswith(required("AMO_KEYCLOAK_ADMIN_PASSWORD"))
    assert re.search(r"-Xmx\d+[mg]\b", e["JAVA_OPTS_KC_HEAP"])
    assert e["KC_HEALTH_ENABLED"] == "true" and e["KC_CACHE"] == "local"
    check = " ".join(ALL["keycloak"]["healthcheck"]["test"])
    assert "/dev/tcp/127.0.0.1/9000" in check and "GET /health/ready" in check


def test_every_placeholder_of_the_realm_file_is_set():
    realm = (REPO / "deploy" / "local" / keycloak.REALM_FILE).read_text()
    # `${role_...}` are Keycloak's own message keys, not environment variables.
    placeholders = set(re.findall(r"\$\{(AMO_[A-Z0-9_]+)", realm))
    assert placeholders == {"AMO_MAILPIT_SMTP_PORT"}
    assert placeholders <= set(_keycloak_env())
    # Mailpit's SMTP port in its container.
    assert (
        _keycloak_env()["AMO_MAILPIT_SMTP_PORT"]
        == env("notifications")["AMO_NOTIFICATIONS_SMTP_PORT"]
    )


def test_the_gateway_trusts_the_compose_realm_and_fetches_its_keys_on_the_network():
    gateway = env("gateway")
    public = _keycloak_env()["KC_HOSTNAME"]
    assert public.startswith(required("AMO_IDENTITY_URL")) and public.endswith("}")
    assert gateway["AMO_GATEWAY_IDENTITY_ISSUER"] == f"{public}/realms/{keycloak.REALM}"
    assert gateway["AMO_GATEWAY_IDENTITY_JWKS_URL"] == (
        f"http://keycloak:8080/realms/{keycloak.REALM}/protocol/openid-connect/certs"
    )
    assert depends("gateway")["keycloak"] == "service_healthy"
    from amo_gateway.settings import Settings

    values = {"AMO_IDENTITY_URL": "https://id.example.ma", "AMO_BEHIND_TLS": "true"}
    settings = Settings(
        identity_issuer=interpolate(gateway["AMO_GATEWAY_IDENTITY_ISSUER"], values),
        identity_jwks_url=gateway["AMO_GATEWAY_IDENTITY_JWKS_URL"],
    )
    assert settings.identity_issuer == "https://id.example.ma/realms/amo"
    assert settings.jwks_url.startswith("http://keycloak:8080/")


def test_services_start_after_the_bus_and_the_gateway_last():
    for name in SERVICES:
        if name == "gateway":
            continue
        assert depends(name)[f"prepare-{name}"] == "service_completed_successfully"
    assert "topics" not in ALL  # its job (topics only, on an open bus) is kafka-setup's now
