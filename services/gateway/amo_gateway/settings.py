"""Gateway settings (`AMO_GATEWAY_` prefix): where the internal services answer, and limits."""

from __future__ import annotations

from pathlib import Path

from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from amo_shared.apidocs import Environment


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_GATEWAY_", extra="ignore")

    registration_url: str = "http://127.0.0.1:8101"
    documents_url: str = "http://127.0.0.1:8102"
    cards_url: str = "http://127.0.0.1:8104"
    claims_url: str = "http://127.0.0.1:8105"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    # Per network operation, not per request: a slow upload keeps streaming.
    upstream_timeout_seconds: float = 30.0
    health_timeout_seconds: float = 2.0
    # JSON bodies are small; uploads are not limited here (documents enforces its own limit).
    max_json_body_bytes: int = 64 * 1024
    # `development` serves the API docs (/docs, /redoc, /openapi.json); production does not.
    environment: Environment = "production"
    # Strict-Transport-Security is sent on requests that came over TLS, and on every request
    # when a TLS-terminating proxy stands in front.
    behind_tls: bool = False
    # Abuse limits (`limits` notation, per process): per client address, per account (the
    # bearer token), application creations per address, uploads per account. Addresses are
    # shared behind carrier NAT, hence the generous address limit; accounts are not.
    rate_limits_enabled: bool = True
    rate_limit_per_address: str = "600/minute"
    rate_limit_per_account: str = "120/minute"
    rate_limit_application_creations: str = "30/hour"
    rate_limit_uploads: str = "60/hour"
    # An upload ends within the deadline and, past the grace, averages at least the minimum
    # rate (10 MB at the minimum takes about 40 minutes: the deadline decides for large files,
    # the rate cuts a trickle early); otherwise 408.
    upload_deadline_seconds: float = Field(300.0, gt=0)
    upload_min_bytes_per_second: float = Field(4096.0, gt=0)
    upload_grace_seconds: float = Field(10.0, ge=0)
    # The identity provider (OpenID Connect): tokens are accepted only from this issuer, for
    # this audience, signed by a key of its JWKS (by default the issuer's certs endpoint).
    identity_issuer: str = "http://127.0.0.1:8180/realms/amo"
    identity_audience: str = "amo-gateway"
    identity_jwks_url: str | None = None
    # The operators' audit log (JSON lines, 0600); unset: the gateway's own log.
    audit_log: Path | None = None

    @field_validator(
        "rate_limit_per_address",
        "rate_limit_per_account",
        "rate_limit_application_creations",
        "rate_limit_uploads",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError:
            raise ValueError("write a rate such as 120/minute or 20/hour") from None
        return value

    @property
    def jwks_url(self) -> str:
        return self.identity_jwks_url or (
            self.identity_issuer.rstrip("/") + "/protocol/openid-connect/certs"
        )
