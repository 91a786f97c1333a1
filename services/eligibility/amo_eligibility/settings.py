"""Settings of the eligibility service (environment variables `AMO_ELIGIBILITY_*`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_ELIGIBILITY_", extra="ignore")

    mongo_database: str = "amo_eligibility"
    http_port: int = 8103
    # A folder of rule files replacing the shipped ones (e.g. to stage a decree before release).
    rules_dir: str | None = None
