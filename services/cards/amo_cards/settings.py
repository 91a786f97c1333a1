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
    # Ed25519 signing keys (0700 directory, 0600 files); relative to the data directory, which
    # is the services' working directory. Never in the database.
    signing_keys_dir: str = "cards-keys"
    # A TrueType font with Latin and Arabic glyphs (Debian's fonts-dejavu-core).
    font_path: str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    # Where `python -m amo_cards revalidate` finds the service by default (the local stack's).
    url: str = "http://127.0.0.1:8104"
