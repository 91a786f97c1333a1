"""Registration's settings: the shared ones under the `AMO_REGISTRATION_` prefix."""

from __future__ import annotations

from amo_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_REGISTRATION_", extra="ignore")

    mongo_database: str = "amo_registration"
    http_port: int = 8101
