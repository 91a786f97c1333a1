"""Settings every service shares; each service subclasses with its own env prefix.

Values that would break delivery are refused at start (a clear error naming the setting), not
discovered under load: zero attempts would acknowledge every message unprocessed.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from amo_shared.apidocs import Environment
from amo_shared.identity import TokenVerifier
from amo_shared.kafka_access import KafkaAccess
from amo_shared.service_auth import SERVICE_AUDIENCE, jwks_fetcher


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_", extra="ignore")

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", min_length=1)
    # The service's own principal on the closed bus (SASL SCRAM-SHA-512); its ACLs let it write
    # only the topics it owns. The local stack draws the password at first run.
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    # The CA that signed the brokers' certificate, to connect over TLS (from outside the host).
    kafka_ca_file: Path | None = None
    mongo_url: str = Field("mongodb://127.0.0.1:27017/", pattern=r"^mongodb(\+srv)?://")
    mongo_database: str = Field("amo", min_length=1)
    http_host: str = "127.0.0.1"
    http_port: int = Field(8100, ge=1, le=65535)
    log_level: str = Field("INFO", pattern=r"^(?i:debug|info|warning|error|critical)$")
    log_json: bool = True
    # `development` serves the service's API docs (/docs, /redoc, /openapi.json); production
    # does not.
    environment: Environment = "production"
    # The relay's poll when nothing wakes it; a local write wakes it at once.
    outbox_poll_seconds: float = Field(0.5, gt=0, le=60)
    # Bounded attempts for a message the handler keeps refusing, before its DLT.
    message_attempts: int = Field(3, ge=1, le=20)
    # A DLT replay holds its lease this long without renewing before another may take over.
    replay_lease_seconds: float = Field(60.0, ge=5, le=3600)
    # The identity provider whose service credentials (client credentials tokens for audience
    # `amo-services`, realm role `service`) the internal endpoints accept; its JWKS by default
    # at the issuer's certs endpoint. Unset: no verifier (see `service_verifier`).
    identity_issuer: str | None = Field(None, pattern=r"^https?://")
    identity_jwks_url: str | None = Field(None, pattern=r"^https?://")

    def kafka_access(self) -> KafkaAccess:
        password = self.kafka_password.get_secret_value() if self.kafka_password else None
        return KafkaAccess(
            self.kafka_bootstrap_servers, self.kafka_username, password, self.kafka_ca_file
        )

    def service_verifier(self, client: httpx.AsyncClient | None = None) -> TokenVerifier | None:
        """The verifier of service credentials (`amo_shared.service_auth`), fetching the keys
        with `client` (or a client of its own per fetch); None when `identity_issuer` is unset."""
        if not self.identity_issuer:
            return None
        jwks_url = self.identity_jwks_url or (
            self.identity_issuer.rstrip("/") + "/protocol/openid-connect/certs"
        )
        return TokenVerifier(
            issuer=self.identity_issuer,
            audience=SERVICE_AUDIENCE,
            fetch_keys=jwks_fetcher(jwks_url, client=client),
        )
