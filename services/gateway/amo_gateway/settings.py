"""Gateway settings (`AMO_GATEWAY_` prefix): where the internal services answer, and limits."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    # Operators, until the identity provider replaces this: `op-alice=<token>;op-bob=<token>`,
    # read as token -> operator id. Empty by default: no operator endpoint opens.
    operator_credentials: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    # Facilities billing directly, the same way: `FAC-000201=<token>;FAC-000101=<token>`, read
    # as token -> facility id. Empty by default: no facility endpoint opens.
    facility_credentials: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)

    @field_validator("operator_credentials", "facility_credentials", mode="before")
    @classmethod
    def _pairs(cls, raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        pairs = {}
        for item in filter(None, (part.strip() for part in raw.split(";"))):
            holder, sep, token = item.partition("=")
            if not sep or not holder.strip() or len(token.strip()) < 16:
                raise ValueError("write id=token pairs, tokens of 16 characters or more")
            pairs[token.strip()] = holder.strip()
        return pairs
