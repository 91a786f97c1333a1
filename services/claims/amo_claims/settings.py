"""Settings of the claims service (environment variables `AMO_CLAIMS_*`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_CLAIMS_", extra="ignore")

    mongo_database: str = "amo_claims"
    http_port: int = 8105
