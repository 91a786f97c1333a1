"""Composition root of the eligibility service: settings, rules, runtime, subscriber and routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from amo_shared.runtime import Runtime, create_runtime, service_app

from amo_eligibility import api, handlers
from amo_eligibility.adapters.repository import COLLECTION, DecisionRepository
from amo_eligibility.ruleset import RuleBook, load_rulesets
from amo_eligibility.settings import Settings

SERVICE = "eligibility"


def create_app(settings: Settings | None = None, *, rules: RuleBook | None = None) -> FastAPI:
    settings = settings or Settings()
    # Loaded before anything starts: a broken rule file stops the service here, naming the
    # file and the field at fault (RuleFileError).
    if rules is None:
        rules = load_rulesets(Path(settings.rules_dir) if settings.rules_dir else None)
    runtime = create_runtime(SERVICE, settings)

    async def setup(rt: Runtime) -> None:
        decisions = DecisionRepository(rt.store(COLLECTION))
        await decisions.ensure_indexes()
        handlers.register(rt, decisions, rules)

    app = service_app(runtime, setup, title="AMO eligibility", aggregates=[COLLECTION])
    app.include_router(api.router)
    return app
