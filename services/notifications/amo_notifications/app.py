"""Composition root of the notifications service: settings, runtime, repositories, the mailer
and the SMS sink, its routes and the operations API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from amo_notifications import api, handlers
from amo_notifications.adapters.ledger import COLLECTION as LEDGER
from amo_notifications.adapters.ledger import Ledger
from amo_notifications.adapters.mailer import Mailer
from amo_notifications.adapters.recipients import COLLECTION as RECIPIENTS
from amo_notifications.adapters.recipients import Recipients
from amo_notifications.adapters.sms import SmsSink
from amo_notifications.messages import Composer
from amo_notifications.settings import Settings
from amo_shared.runtime import Runtime, create_runtime, service_app

SERVICE = "notifications"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    composer = Composer()  # templates loaded before anything starts
    runtime = create_runtime(SERVICE, settings)
    recipients = Recipients(runtime.store(RECIPIENTS))
    ledger = Ledger(runtime.store(LEDGER))
    mailer = Mailer(
        settings.smtp_host, settings.smtp_port, settings.mail_from, settings.smtp_timeout_seconds
    )
    notifier = handlers.Notifier(
        recipients,
        ledger,
        composer,
        mailer,
        SmsSink(Path(settings.sms_outbox)),
        settings.message_id_domain,
    )
    # Not ready without its SMTP server: every notice would wait.
    runtime.readiness["smtp"] = mailer.ping

    async def setup(rt: Runtime) -> None:
        await ledger.ensure_indexes()
        rt.subscribe(handlers.routes(notifier))

    app = service_app(runtime, setup, title="AMO notifications", aggregates=[RECIPIENTS, LEDGER])
    app.state.ledger = ledger
    app.state.recipients = recipients
    app.state.notifier = notifier
    app.include_router(api.router)
    return app
