"""Gateway settings (`AMO_GATEWAY_` prefix): where the internal services answer, and limits."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_GATEWAY_", extra="ignore")

    registration_url: str = "http://127.0.0.1:8101"
    documents_url: str = "http://127.0.0.1:8102"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    # Per network operation, not per request: a slow upload keeps streaming.
    upstream_timeout_seconds: float = 30.0
    health_timeout_seconds: float = 2.0
    # JSON bodies are small; uploads are not limited here (documents enforces its own limit).
    max_json_body_bytes: int = 64 * 1024
