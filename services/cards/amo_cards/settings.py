"""Settings of the cards service (environment variables `AMO_CARDS_*`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_CARDS_", extra="ignore")

    mongo_database: str = "amo_cards"
    http_port: int = 8104
    # A folder of card terms files replacing the shipped ones (e.g. to stage a new law's date).
    terms_dir: str | None = None
