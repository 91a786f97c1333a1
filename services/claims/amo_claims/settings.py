"""Settings of the claims service (environment variables `AMO_CLAIMS_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from amo_shared.sealed import Keyring, SealingError
from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_CLAIMS_", extra="ignore")

    mongo_database: str = "amo_claims"
    http_port: int = 8105
    # The reference files (tariffs, medicines, facilities, ALD, rules); None: the shipped ones.
    reference_dir: Path | None = None
    # Import `reference_dir` at every start (idempotent), so a fresh database has the reference.
    import_reference_on_start: bool = True
    # Keys that open the members' sealed bank details (`id:base64,...`), the same keyring as
    # registration's; only the payment file is written with them. Never logged.
    data_keys: SecretStr | None = None
    # The fund's account, debited by every payment file (ISO 20022 debtor).
    payer_name: str = "Caisse AMO"
    payer_iban: str = "MA64011519000001205000534921"
    payer_bic: str = "NOTPROVIDED"
    # A pause between transfers marked paid (a throttle towards the bank's gateway; 0: none).
    payment_pace_seconds: float = 0.0

    @field_validator("data_keys")
    @classmethod
    def _keyring(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Keyring.parse(value.get_secret_value())
            except SealingError as exc:
                raise ValueError(f"AMO_CLAIMS_DATA_KEYS: {exc}") from None
        return value

    def keyring(self) -> Keyring | None:
        return None if self.data_keys is None else Keyring.parse(self.data_keys.get_secret_value())
