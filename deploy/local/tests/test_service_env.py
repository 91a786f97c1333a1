"""What each service process is handed by the local stack: its own principal on the bus and no
other's password, the identity provider's issuer for the gateway, development mode."""

from __future__ import annotations

import json

from amo_localstack import StackConfig, keycloak
from amo_localstack.service_programs import service_env
from amo_shared.topics import BUS_SERVICES


def test_each_service_logs_in_to_the_bus_as_itself_and_knows_no_other_password(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    envs = {name: service_env(name, cfg) for name in (*BUS_SERVICES, "gateway")}
    passwords = json.loads(cfg.kafka_credentials_file.read_text())
    for name in BUS_SERVICES:
        env, p = envs[name], f"AMO_{name.upper()}_"
        assert env[p + "KAFKA_USERNAME"] == name
        assert env[p + "KAFKA_PASSWORD"] == passwords[name]
        others = {pw for who, pw in passwords.items() if who != name}
        assert not others & set(env.values()), name
    # The gateway never touches Kafka: no login at all.
    assert not any("KAFKA_PASSWORD" in k for k in envs["gateway"])
    assert passwords["admin"] not in {v for env in envs.values() for v in env.values()}


def test_the_gateway_trusts_the_stacks_identity_provider_and_holds_no_static_credential(
    tmp_path,
):
    cfg = StackConfig.for_tests(tmp_path)
    env = service_env("gateway", cfg)
    assert env["AMO_GATEWAY_IDENTITY_ISSUER"] == keycloak.issuer(cfg)
    assert not any(k.endswith(("_CREDENTIALS", "_TOKENS")) for k in env)
    assert env["AMO_GATEWAY_ENVIRONMENT"] == "development"
