"""Settings of the notifications service (environment variables `AMO_NOTIFICATIONS_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from amo_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AMO_NOTIFICATIONS_", extra="ignore")

    mongo_database: str = "amo_notifications"
    http_port: int = 8106
    # The SMTP server (Mailpit locally; the fund's relay in production).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_timeout_seconds: float = Field(10.0, gt=0, le=120)
    mail_from: str = "AMO <notifications@amo.ma>"
    # The right-hand side of every Message-ID (deterministic per event and channel).
    message_id_domain: str = Field("notifications.amo.ma", min_length=3)
    # The SMS sink: one JSON line per message (the stand-in for an SMS gateway).
    sms_outbox: str = "sms-outbox.jsonl"
