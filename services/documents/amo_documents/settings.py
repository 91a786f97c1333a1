"""Settings of the documents service (environment variables prefixed `AMO_DOCUMENTS_`)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from amo_shared.settings import ServiceSettings

from amo_documents.domain.content import MAX_UPLOAD_BYTES


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_DOCUMENTS_", extra="ignore")

    mongo_database: str = "amo_documents"
    http_port: int = 8102
    # host:port, as the minio SDK wants it; the defaults are the local stack's.
    s3_endpoint: str = "127.0.0.1:8333"
    s3_access_key: str = "amo-local"
    s3_secret_key: SecretStr = SecretStr("amo-local-secret")
    s3_bucket: str = "amo-documents"
    s3_secure: bool = False
    max_upload_bytes: int = MAX_UPLOAD_BYTES
