"""Settings of the claims service (environment variables `AMO_CLAIMS_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_CLAIMS_", extra="ignore")

    mongo_database: str = "amo_claims"
    http_port: int = 8105
    # The reference files (tariffs, medicines, facilities, ALD, rules); None: the shipped ones.
    reference_dir: Path | None = None
    # Import `reference_dir` at every start (idempotent), so a fresh database has the reference.
    import_reference_on_start: bool = True
