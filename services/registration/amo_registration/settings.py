"""Registration's settings: the shared ones under the `AMO_REGISTRATION_` prefix."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_REGISTRATION_", extra="ignore")

    mongo_database: str = "amo_registration"
    http_port: int = 8101
