"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    mongo_url: str = "mongodb://127.0.0.1:27017/"
    mongo_database: str = "amo"
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    log_level: str = "INFO"
    log_json: bool = True
    outbox_poll_seconds: float = 0.5
    # Bounded attempts for a message the handler keeps refusing, before its DLT.
    message_attempts: int = 3
