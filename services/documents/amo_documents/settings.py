"""Settings of the documents service (environment variables prefixed `AMO_DOCUMENTS_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from amo_documents.domain.content import MAX_APPLICATION_BYTES, MAX_UPLOAD_BYTES
from amo_shared.settings import ServiceSettings


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
    s3_connect_timeout_seconds: float = Field(5.0, gt=0)
    s3_read_timeout_seconds: float = Field(60.0, gt=0)
    max_upload_bytes: int = Field(MAX_UPLOAD_BYTES, gt=0)
    # All of one application's documents together (renewal proofs included): 413 past it.
    max_application_bytes: int = Field(MAX_APPLICATION_BYTES, gt=0)
    # The orphan sweep: how often it runs, and how old an unreferenced object must be before it
    # goes. The grace must exceed the longest upload and its filing (an upload in flight has no
    # record yet): a day leaves a wide margin.
    orphan_sweep_interval_seconds: float = Field(3600.0, gt=0)
    orphan_grace_seconds: float = Field(86400.0, gt=0)
    # How often a verdict whose review item was decided, but not yet settled (a crash in
    # between), is settled.
    review_reconcile_seconds: float = Field(30.0, gt=0)
