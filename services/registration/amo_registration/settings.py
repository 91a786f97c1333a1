"""Registration's settings: the shared ones under the `AMO_REGISTRATION_` prefix."""

from __future__ import annotations

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from amo_shared.sealed import Keyring, SealingError
from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_REGISTRATION_", extra="ignore")

    mongo_database: str = "amo_registration"
    http_port: int = 8101
    # Keys that seal bank details (`id:base64[,id:base64...]`, the first seals): required to
    # serve, not to `prepare`. Never logged (SecretStr).
    data_keys: SecretStr | None = None

    @field_validator("data_keys")
    @classmethod
    def _keyring(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Keyring.parse(value.get_secret_value())
            except SealingError as exc:
                raise ValueError(f"AMO_REGISTRATION_DATA_KEYS: {exc}") from None
        return value

    def keyring(self) -> Keyring | None:
        return None if self.data_keys is None else Keyring.parse(self.data_keys.get_secret_value())
